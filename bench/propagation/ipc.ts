/** The bench's processes and the messages between them (Node IPC), each wait with a deadline. */
import { fork, type ChildProcess } from 'node:child_process';

export type Msg = Record<string, unknown> & { type: string };

/** Forks a TypeScript module of the bench (through tsx) as its own process. */
export function forkTs(
  file: string,
  args: readonly string[],
  execArgv: readonly string[] = [],
): ChildProcess {
  const cp = fork(file, args, {
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  cp.setMaxListeners(0);
  return cp;
}

/** The next message of `type` from `cp`; an `error` message is printed and skipped. */
export function next(cp: ChildProcess, type: string, timeoutMs: number): Promise<Msg> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for "${type}"`));
    }, timeoutMs);
    const onMsg = (m: unknown): void => {
      const msg = m as Msg;
      if (msg.type === 'error') {
        process.stderr.write(`  ! ${String(msg.message)}\n`);
        return;
      }
      if (msg.type !== type) return;
      done();
      resolve(msg);
    };
    const onExit = (code: number | null): void => {
      done();
      reject(new Error(`child exited (${code}) while waiting for "${type}"`));
    };
    const done = (): void => {
      clearTimeout(timer);
      cp.off('message', onMsg);
      cp.off('exit', onExit);
    };
    cp.on('message', onMsg);
    cp.once('exit', onExit);
  });
}

/** Asks a child to exit, then kills it if it has not within 5 s. */
export async function stop(cp: ChildProcess): Promise<void> {
  if (cp.exitCode !== null || cp.signalCode !== null) return;
  const exited = new Promise<void>((r) => cp.once('exit', () => r()));
  if (cp.connected) cp.send({ type: 'exit' });
  else cp.kill('SIGTERM');
  const timer = setTimeout(() => cp.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** In a child: messages to the parent, and its messages to us. */
export function send(msg: Msg): void {
  process.send!(msg);
}

export function onMessage(handler: (m: Msg) => void | Promise<void>): void {
  process.on('message', (m) => void handler(m as Msg));
  // The parent went away: nothing is left to report to.
  process.on('disconnect', () => process.exit(0));
}

/** Wall clock in ms with sub-ms resolution, comparable between processes of this machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
