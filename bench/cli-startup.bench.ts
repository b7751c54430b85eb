/**
 * `npm run bench:cli`: start-up time of the built CLI as a user meets it, against
 * the targets of issue 15 (`amime --version` < 300 ms, `amime get` < 500 ms), with
 * `node -e 0` measured in the same run as the floor. Each figure is the median of
 * RUNS runs: wall time, and the CPU time the process used (user + system, read by a
 * preloaded exit hook), which stays meaningful on a busy shared machine. The CLI runs
 * from dist/ (built first when stale).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(root, 'dist/cli/main.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

execFileSync(process.execPath, [path.join(root, 'scripts/build-if-changed.mjs')], { stdio: 'inherit' });

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const scratch = mkdtempSync(path.join(tmpdir(), 'amime-bench-cli-'));
const cpuFile = path.join(scratch, 'cpu');
const preload = path.join(scratch, 'cpu-at-exit.mjs');
writeFileSync(
  preload,
  `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { const u = process.cpuUsage(); writeFileSync(${JSON.stringify(cpuFile)}, String((u.user + u.system) / 1000)); });\n`,
);

function time(args: string[]): { wall: number; cpu: number } {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, ...args], {
      encoding: 'utf8',
    });
    walls.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    cpus.push(Number(readFileSync(cpuFile, 'utf8')));
  }
  return { wall: median(walls), cpu: median(cpus) };
}

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const proc = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '--store',
      'memory',
      '--api-listen',
      '127.0.0.1:0',
      '--xds-listen',
      '127.0.0.1:0',
      '--log-format',
      'json',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const m = /"api":"(http:\/\/[^"]+)"/.exec(buffered);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`amime serve exited ${code}`)));
  });
  return { url, stop: () => proc.kill('SIGTERM') };
}

const server = await startServer();
try {
  const floor = time(['-e', '0']);
  const version = time([CLI, '--version']);
  const get = time([CLI, 'get', 'virtualnodes', '--mesh', 'mesh-1', '--server', server.url]);
  const row = (what: string, m: { wall: number; cpu: number }, target?: number) =>
    `${what.padEnd(38)} wall ${m.wall.toFixed(0).padStart(5)} ms · cpu ${m.cpu.toFixed(0).padStart(4)} ms${target ? `   target < ${target} ms: ${m.wall < target ? 'met' : `not met by wall time (cpu ${m.cpu < target ? 'within' : 'over'})`}` : ''}`;
  console.log(
    `median of ${RUNS} runs each (load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`,
  );
  console.log(row('node -e 0 (floor, same run)', floor));
  console.log(row('amime --version', version, 300));
  console.log(row('amime get virtualnodes --mesh mesh-1', get, 500));
} finally {
  server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
