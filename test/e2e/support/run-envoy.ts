/**
 * A real Envoy for a test: started on a bootstrap file with its admin on a free
 * loopback port (learned from --admin-address-path), its output in a log file, and
 * stopped by pid. Enough to see whether it got and ACKed its configuration.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface RunningEnvoy {
  readonly proc: ChildProcess;
  /** `http://127.0.0.1:<port>` of the admin interface. */
  readonly admin: string;
  /** Envoy's log so far. */
  log(): string;
  /** A counter or gauge from /stats, or undefined while Envoy does not have it. */
  stat(name: string): Promise<number | undefined>;
  stop(): Promise<void>;
}

/** Starts Envoy on `config` (whose admin must listen on 127.0.0.1 port 0). */
export async function runEnvoy(
  envoy: string,
  config: string,
  dir: string,
  timeoutMs = 30_000,
): Promise<RunningEnvoy> {
  const adminPath = path.join(dir, `${path.basename(config)}.admin`);
  const logFile = path.join(dir, `${path.basename(config)}.log`);
  // A file, not a pipe: the bootstrap's outlier event log opens /dev/stdout, which a socket pair cannot be.
  const fd = openSync(logFile, 'w');
  const proc = spawn(
    envoy,
    ['-c', config, '--admin-address-path', adminPath, '--use-dynamic-base-id', '-l', 'info'],
    { stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const deadline = Date.now() + timeoutMs;
  let admin = '';
  while (!admin) {
    if (proc.exitCode !== null) throw new Error(`envoy exited with ${proc.exitCode}:\n${log()}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`envoy did not open its admin interface in time:\n${log()}`);
    }
    const text = existsSync(adminPath) ? readFileSync(adminPath, 'utf8').trim() : '';
    if (text) admin = `http://${text}`;
    else await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc,
    admin,
    log,
    async stat(name) {
      const res = await fetch(
        `${admin}/stats?filter=${encodeURIComponent(`^${name.replace(/\./g, '\\.')}$`)}`,
      );
      const m = new RegExp(`^${name.replace(/\./g, '\\.')}: (\\d+)$`, 'm').exec(await res.text());
      return m ? Number(m[1]) : undefined;
    },
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
