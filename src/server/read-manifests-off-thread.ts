/**
 * Runs `readManifests` in a worker thread with a time and memory budget. The worker
 * stays up between reads (starting one costs more than reading a small folder); one
 * that runs over is ended, the caller gets one diagnostic saying which budget, and the
 * next read starts a fresh worker.
 */
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../model/index.js';
import type { LoadOptions } from '../load/index.js';
import type { ValidateOptions } from '../mesh/index.js';
import type { ManifestSet } from './import-manifests.js';

export interface ManifestJob {
  paths: string[];
  options: ValidateOptions;
  load: LoadOptions;
}

export interface ManifestReply {
  records: Array<[string, unknown]>;
  diagnostics: Diagnostic[];
}

export interface ReadBudget {
  /** Longest a read may take before it is abandoned. */
  timeMs: number;
  /** Heap of the worker; a read needing more is abandoned. */
  memoryMb: number;
  /** Largest file read (larger ones are refused with load.too-large). */
  maxFileBytes: number;
}

export const DEFAULT_READ_BUDGET: Readonly<ReadBudget> = {
  timeMs: 60_000,
  memoryMb: 1024,
  maxFileBytes: 32 * 1024 * 1024,
};

const fromSource = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(fromSource ? './manifest-worker.ts' : './manifest-worker.js', import.meta.url);

/** Built, the worker is a .js file; from source (tests, `tsx`) it is .ts and needs tsx's loader first. */
function startWorker(memoryMb: number): Worker {
  const options = { resourceLimits: { maxOldGenerationSizeMb: memoryMb } };
  if (!fromSource) return new Worker(WORKER_URL, options);
  const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
  return new Worker(code, { ...options, eval: true });
}

const failure = (code: string, message: string): ManifestSet => ({
  records: new Map(),
  diagnostics: [{ severity: 'error', code, path: '', message }],
});

export class ManifestReader {
  private worker: Worker | undefined;
  private busy: Promise<unknown> = Promise.resolve();

  constructor(private readonly budget: ReadBudget = DEFAULT_READ_BUDGET) {}

  /** Reads are queued: one runs at a time. */
  read(paths: readonly string[], options: ValidateOptions): Promise<ManifestSet> {
    const run = this.busy.then(() => this.readNow(paths, options));
    this.busy = run;
    return run;
  }

  close(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private readNow(paths: readonly string[], options: ValidateOptions): Promise<ManifestSet> {
    const { budget } = this;
    const job: ManifestJob = { paths: [...paths], options, load: { maxBytes: budget.maxFileBytes } };
    const where = paths.join(', ');
    const worker = (this.worker ??= startWorker(budget.memoryMb));
    worker.ref();
    return new Promise((resolve) => {
      const settle = (result: ManifestSet, broken: boolean): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (broken) {
          void worker.terminate();
          if (this.worker === worker) this.worker = undefined;
        } else worker.unref();
        resolve(result);
      };
      const onMessage = (reply: ManifestReply): void =>
        settle({ records: new Map(reply.records), diagnostics: reply.diagnostics }, false);
      const onError = (error: Error): void => {
        const oom = (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
        const result = oom
          ? failure(
              'load.too-large',
              `reading ${where} needed more than ${budget.memoryMb} MB and was abandoned; split very large files`,
            )
          : failure('load.internal', `reading ${where} failed: ${error.message}`);
        settle(result, true);
      };
      const onExit = (code: number): void =>
        settle(failure('load.internal', `reading ${where} stopped unexpectedly (exit code ${code})`), true);
      const timer = setTimeout(
        () =>
          settle(
            failure(
              'load.timeout',
              `reading ${where} took longer than ${budget.timeMs / 1000} s and was abandoned; split very large files or remove what makes them slow (many YAML aliases, huge mappings)`,
            ),
            true,
          ),
        budget.timeMs,
      );
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(job);
    });
  }
}
