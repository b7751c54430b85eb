/**
 * The go-control-plane peer (bench/peers/go-control-plane): built with the Go toolchain
 * into the bench's scratch folder (no binary is kept in the repository), run on the
 * capture file, driven over its standard input and output (one JSON object per line).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../peers/go-control-plane');

/** Builds the peer into `dir`; the reason when it cannot (no Go, no module proxy). */
export async function buildGoPeer(dir: string): Promise<{ binary: string } | { reason: string }> {
  const binary = path.join(dir, 'go-control-plane-peer');
  try {
    await promisify(execFile)('go', ['build', '-o', binary, '.'], { cwd: SOURCE, timeout: 600_000 });
    return { binary };
  } catch (e) {
    return {
      reason: `go build in ${path.relative(process.cwd(), SOURCE)}: ${(e as Error).message.split('\n')[0]}`,
    };
  }
}

export interface GoPeer {
  pid: number;
  port: number;
  change(round: number): Promise<void>;
  close(): Promise<void>;
}

export async function startGoPeer(binary: string, capture: string): Promise<GoPeer> {
  const proc: ChildProcess = spawn(binary, [capture], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout! });
  const waiting: Array<(line: Record<string, number>) => void> = [];
  lines.on('line', (l) => waiting.shift()?.(JSON.parse(l) as Record<string, number>));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const nextLine = (timeoutMs: number): Promise<Record<string, number>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`go-control-plane peer: no answer in ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
      void exited.then(() => reject(new Error('go-control-plane peer exited')));
    });
  const { port } = await nextLine(120_000);
  return {
    pid: proc.pid!,
    port: port!,
    change: async (round) => {
      const answer = nextLine(60_000);
      proc.stdin!.write(`${JSON.stringify({ change: round })}\n`);
      await answer;
    },
    close: async () => {
      if (proc.exitCode !== null) return;
      proc.stdin!.write(`${JSON.stringify({ exit: true })}\n`);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
