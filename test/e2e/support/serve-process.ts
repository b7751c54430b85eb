/**
 * Runs `amime serve` as a real child process (the built CLI, dist/) and waits until
 * it says where it listens. Its JSON log lines are kept for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from '../../support/cli.js';
import { REPO_ROOT } from '../../support/fixtures.js';

export interface ServeProcess {
  apiUrl: string;
  xdsPort: number;
  proc: ChildProcess;
  logs: Array<Record<string, unknown>>;
  stderr: string[];
  /** Everything written to stdout so far (text logs). */
  stdoutText(): string;
  /** Graceful stop (SIGTERM); resolves with the exit code. */
  stop(): Promise<number | null>;
  /** kill -9; resolves when the process is gone. */
  kill9(): Promise<void>;
}

export async function startServe(
  args: readonly string[],
  options: {
    cwd?: string;
    timeoutMs?: number;
    logFormat?: 'json' | 'text';
    /** `ulimit -f`: no file the server writes may grow past this (a disk that fills up). */
    fileSizeLimitKiB?: number;
    /** Node options before the script, e.g. `--cpu-prof` (the benches' profiles). */
    execArgv?: readonly string[];
  } = {},
): Promise<ServeProcess> {
  const argv = [
    ...(options.execArgv ?? []),
    CLI,
    'serve',
    '--log-format',
    options.logFormat ?? 'json',
    '--api-listen',
    '127.0.0.1:0',
    '--xds-listen',
    '127.0.0.1:0',
    ...args,
  ];
  const spawnOptions = {
    cwd: options.cwd ?? REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  };
  // Node ignores SIGXFSZ, so a write past the limit fails with EFBIG instead of killing it.
  const proc =
    options.fileSizeLimitKiB === undefined
      ? spawn(process.execPath, argv, spawnOptions)
      : spawn(
          '/bin/bash',
          ['-c', `ulimit -f ${options.fileSizeLimitKiB} && exec "$0" "$@"`, process.execPath, ...argv],
          spawnOptions,
        );
  const logs: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  let buffered = '';
  let stdoutText = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const ready = new Promise<{ apiUrl: string; xdsPort: number }>((resolve, reject) => {
    // 60 s: on a loaded 2-core CI machine, with several suites starting servers at once, a start once took over 30 s.
    const timer = setTimeout(
      () => reject(new Error(`amime serve did not start in time:\n${stderr.join('')}`)),
      options.timeoutMs ?? 60_000,
    );
    proc.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      stdoutText += chunk.toString();
      // Text logs: the serving line, as people read it.
      const text = /amime is serving: REST API (http:\/\/\S+)\/v20190125 · xDS \S+:(\d+)/.exec(stdoutText);
      if (options.logFormat === 'text' && text) {
        clearTimeout(timer);
        resolve({ apiUrl: text[1]!, xdsPort: Number(text[2]) });
      }
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (typeof entry.msg === 'string' && entry.msg.startsWith('amime is serving')) {
            clearTimeout(timer);
            resolve({ apiUrl: String(entry.api), xdsPort: Number(String(entry.xds).split(':').pop()) });
          }
        } catch {
          // not a log line
        }
      }
    });
    proc.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`amime serve exited with ${code}:\n${stderr.join('')}`));
    });
  });
  const { apiUrl, xdsPort } = await ready;
  return {
    apiUrl,
    xdsPort,
    proc,
    logs,
    stderr,
    stdoutText: () => stdoutText,
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
    kill9: async () => {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** Environment for /usr/bin/aws against a local endpoint (no user config, dummy keys). */
export function awsEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'dummysecret',
    AWS_DEFAULT_REGION: 'us-west-2',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  };
}
