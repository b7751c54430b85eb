/**
 * `amime serve --from DIR`: a folder of v1beta2 manifests is the source of truth. It
 * is mirrored into the (memory) store on start and on every change; an edit that
 * makes the folder invalid is reported and not applied, so the last good mesh keeps
 * being served. The folder is read and validated in a worker thread with a time and
 * memory budget: a huge or hostile file delays only its own reload, never the API,
 * xDS or health checks.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { ResourceStore } from '../store/index.js';
import { formatDiagnosticBlock, hasErrors, type Diagnostic } from '../model/index.js';
import type { ValidateOptions } from '../mesh/index.js';
import { syncRecords, type SyncResult } from './import-manifests.js';
import { DEFAULT_READ_BUDGET, ManifestReader, type ReadBudget } from './read-manifests-off-thread.js';

export interface DirSourceEvents {
  applied(result: SyncResult, diagnostics: readonly Diagnostic[]): void;
  rejected(diagnostics: readonly Diagnostic[]): void;
}

export class DirSource {
  private owned = new Set<string>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private readonly reader: ManifestReader;
  /** Diagnostics of the last reload (errors mean it was not applied). */
  lastDiagnostics: readonly Diagnostic[] = [];

  constructor(
    private readonly dir: string,
    private readonly store: ResourceStore,
    private readonly events: DirSourceEvents,
    private readonly options: ValidateOptions = {},
    private readonly quietMs = 200,
    budget: ReadBudget = DEFAULT_READ_BUDGET,
  ) {
    this.reader = new ManifestReader(budget);
  }

  /** Loads once; resolves with whether the folder was valid. */
  async start(): Promise<boolean> {
    const ok = await this.reload();
    this.watcher = watch(this.dir, { recursive: true }, () => this.schedule());
    this.watcher.on('error', () => this.schedule());
    return ok;
  }

  close(): void {
    this.reader.close();
    this.watcher?.close();
    if (this.timer) clearTimeout(this.timer);
  }

  /** Resolves when no reload is pending or running (tests). */
  async settled(): Promise<void> {
    while (this.timer) await new Promise((r) => setTimeout(r, 20));
    await this.running;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.running.then(() => this.reload().then(() => undefined));
    }, this.quietMs);
  }

  private async reload(): Promise<boolean> {
    const { records, diagnostics } = await this.reader.read([this.dir], this.options);
    this.lastDiagnostics = diagnostics;
    if (hasErrors(diagnostics)) {
      this.events.rejected(diagnostics);
      return false;
    }
    const result = await syncRecords(this.store, records, this.owned);
    this.owned = new Set(records.keys());
    this.events.applied(result, diagnostics);
    return true;
  }
}

export function describeDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map(formatDiagnosticBlock).join('\n');
}
