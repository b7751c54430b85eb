/**
 * Mode `sim` of bench:propagation: `amime serve` (SQLite) with the 10× mesh (mesh.ts),
 * N ADS clients in a separate load process (load-client.ts), single-route UpdateRoute
 * calls through the REST API; then, in the same run, the floors: the bare
 * fastify+SQLite write (bare-write.ts) and the bare grpc-js fan-out of the same bytes
 * to the same N streams (fanout-floor.ts).
 *
 * Two kinds of change: a route of `rt-all` (every proxy calls its service: all N must
 * ACK) and a route of `rt-7` (a handful of nodes call it: only their proxies may
 * receive anything; the others are counted).
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStore } from '../../src/store/index.js';
import { DEFAULTS } from '../../src/server/config.js';
import { startServe, type ServeProcess } from '../../test/e2e/support/serve-process.js';
import { bareWriteServer } from './bare-write.js';
import { buildGoPeer, startGoPeer } from './go-peer.js';
import { forkTs, next, nowMs, stop } from './ipc.js';
import { json } from './json-call.js';
import {
  apiRouterName,
  benchMesh,
  callersOf,
  FEW_ROUTER,
  MESH,
  seedStore,
  SHARED_ROUTER,
  TEN_X_QUOTAS,
} from './mesh.js';
import { cpuMs, rssBytes } from './proc-stats.js';
import { median, percentile } from './stats.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const LOAD_CLIENT = path.join(here, 'load-client.ts');
const FANOUT_FLOOR = path.join(here, 'fanout-floor.ts');
const MEMORY_PROBE = path.join(here, 'memory-probe.mjs');
const CONNECT_TIMEOUT_MS = 900_000;
const CHANGE_TIMEOUT_MS = 300_000;
/** After the last expected ACK, how long other proxies get to receive something they should not. */
const QUIET_MS = 500;
const FLOOR = 'grpc-js floor';
const GO = 'go-control-plane';

export interface SimOptions {
  readonly ns: readonly number[];
  /** Changes that reach every proxy, and changes that reach a few, per N. */
  readonly allRounds: number;
  readonly fewRounds: number;
  readonly debounce: { quietMs: number; maxMs: number; leading: boolean };
  /** amime serve's `--translation-slice-ms` (a very large one: each run in one piece). */
  readonly sliceMs: number;
  /** Print every round's write and first and last ACK (PROPAGATION_VERBOSE=1). */
  readonly verbose: boolean;
  /** PROPAGATION_HEAP=dir: heap snapshots of amime serve there, before the proxies connect and once all are configured. */
  readonly heapDir?: string;
  /** PROPAGATION_PEERS=0: amime serve alone (no floors, no go-control-plane, no ratios): for profiling a run. */
  readonly peers: boolean;
  /**
   * PROPAGATION_MEMORY=dir: amime serve and the grpc-js floor load memory-probe.mjs, and each
   * KiB/proxy is also split (after a forced GC) into V8 heap, ArrayBuffers and native memory.
   */
  readonly memoryDir?: string;
}

export function simOptions(env: NodeJS.ProcessEnv): SimOptions {
  return {
    ns: (env.PROPAGATION_N ?? '1000,10000').split(',').map(Number),
    allRounds: Number(env.PROPAGATION_ROUNDS ?? 3),
    fewRounds: Number(env.PROPAGATION_FEW_ROUNDS ?? 20),
    verbose: env.PROPAGATION_VERBOSE === '1',
    peers: env.PROPAGATION_PEERS !== '0',
    ...(env.PROPAGATION_HEAP ? { heapDir: path.resolve(env.PROPAGATION_HEAP) } : {}),
    ...(env.PROPAGATION_MEMORY ? { memoryDir: path.resolve(env.PROPAGATION_MEMORY) } : {}),
    debounce: {
      quietMs: Number(env.PROPAGATION_DEBOUNCE_QUIET_MS ?? DEFAULTS.debounceQuietMs),
      maxMs: Number(env.PROPAGATION_DEBOUNCE_MAX_MS ?? DEFAULTS.debounceMaxMs),
      leading: env.PROPAGATION_DEBOUNCE_LEADING
        ? env.PROPAGATION_DEBOUNCE_LEADING !== '0'
        : DEFAULTS.debounceLeading,
    },
    sliceMs: Number(env.PROPAGATION_SLICE_MS ?? DEFAULTS.translationSliceMs),
  };
}

/** What one server did for one kind of change, over its rounds. */
export interface ChangeFigures {
  /** Proxies expected to ACK each round. */
  proxies: number;
  /** Time from the write to each expected proxy's ACK, all rounds together (ms). */
  ackMs: number[];
  /** Per round, time until the last expected proxy ACKed (ms). */
  allAckedMs: number[];
  /** Per round, server CPU from the write until all ACKed plus QUIET_MS (ms). */
  cpuMs: number[];
  /** Proxies that received something they should not have, all rounds together. */
  others: number;
  /** The write call itself (REST API), ms; empty for servers without one. */
  writeMs: number[];
}

export interface ServerFigures {
  server: string;
  n: number;
  connectMs: number;
  kibPerProxy: number;
  all: ChangeFigures;
  few?: ChangeFigures;
}

type Expected = readonly string[] | 'all';

interface Phase {
  pid: number;
  target: string;
  /** Makes round r's change; resolves when the write (if any) returned, with its duration. */
  change(kind: 'all' | 'few', round: number): Promise<number | undefined>;
}

async function settle(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/**
 * Asks a process started with `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=dir` for a
 * heap snapshot and waits until the file is written (its size stops changing).
 */
async function heapSnapshot(pid: number, dir: string): Promise<void> {
  const snapshots = () => readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot'));
  const before = snapshots().length;
  process.kill(pid, 'SIGUSR2');
  let size = -1;
  for (;;) {
    await settle(2000);
    const files = snapshots();
    if (files.length === before) continue;
    const newest = Math.max(...files.map((f) => statSync(path.join(dir, f)).mtimeMs));
    const file = files.find((f) => statSync(path.join(dir, f)).mtimeMs === newest)!;
    const now = statSync(path.join(dir, file)).size;
    if (now === size && now > 0) return;
    size = now;
  }
}

/** Node options that load memory-probe.mjs (PROPAGATION_MEMORY), which writes under `dir`. */
function memoryProbeArgs(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  process.env.AMIME_BENCH_MEMORY_DIR = dir;
  return ['--expose-gc', '--import', MEMORY_PROBE];
}

interface MemorySample {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  v8Malloced: number;
}

/** Asks a process that loaded memory-probe.mjs where its memory is (after a GC). */
async function memorySample(pid: number, dir: string): Promise<MemorySample> {
  const file = path.join(dir, `memory-${pid}.jsonl`);
  const lines = () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);
  const before = lines().length;
  process.kill(pid, 'SIGWINCH');
  const deadline = Date.now() + 60_000;
  while (lines().length === before) {
    if (Date.now() > deadline) throw new Error(`no memory sample from ${pid} (was memory-probe.mjs loaded?)`);
    await settle(100);
  }
  return JSON.parse(lines().at(-1)!) as MemorySample;
}

/** Per proxy, KiB: RSS after a GC, V8 heap (committed / used), ArrayBuffers and other external, native rest. */
function memorySplit(a: MemorySample, b: MemorySample, n: number): string {
  const d = (k: keyof MemorySample) => (b[k] - a[k]) / 1024 / n;
  const native = d('rss') - d('heapTotal') - d('external');
  return (
    `RSS after GC ${f1(d('rss'), 2)}: V8 heap ${f1(d('heapTotal'), 2)} committed (${f1(d('heapUsed'), 2)} used), ` +
    `external ${f1(d('external'), 2)} (ArrayBuffers ${f1(d('arrayBuffers'), 2)}), ` +
    `native rest ${f1(native, 2)} (V8's malloc ${f1(d('v8Malloced'), 2)})`
  );
}

async function measureServer(
  name: string,
  n: number,
  phase: Phase,
  o: SimOptions,
  expected: { all: Expected; few?: Expected },
  capture?: string,
  heapDir?: string,
  /** Where the server's memory-probe.mjs writes (PROPAGATION_MEMORY), if it loaded one. */
  memoryDir?: string,
): Promise<ServerFigures> {
  await settle(1000);
  if (heapDir) await heapSnapshot(phase.pid, heapDir);
  const rss0 = rssBytes(phase.pid);
  const mem0 = memoryDir ? await memorySample(phase.pid, memoryDir) : undefined;
  const load = forkTs(LOAD_CLIENT, [`--n=${n}`, `--target=${phase.target}`]);
  try {
    const ready = await next(load, 'ready', CONNECT_TIMEOUT_MS);
    if (ready.configured !== n)
      throw new Error(`${name}: only ${String(ready.configured)} of ${n} proxies configured`);
    await settle(2000);
    const kibPerProxy = (rssBytes(phase.pid) - rss0) / 1024 / n;
    if (heapDir) await heapSnapshot(phase.pid, heapDir);
    console.log(
      `  ${name} N=${n}: ${n} proxies configured in ${(Number(ready.connectMs) / 1000).toFixed(1)} s`,
    );
    if (mem0) {
      const mem1 = await memorySample(phase.pid, memoryDir!);
      console.log(
        `    ${name} N=${n} per proxy (KiB): RSS ${f1(kibPerProxy, 2)}; ${memorySplit(mem0, mem1, n)}`,
      );
    }
    let id = 0;
    const rounds = async (kind: 'all' | 'few', count: number, first: number): Promise<ChangeFigures> => {
      const f: ChangeFigures = { proxies: 0, ackMs: [], allAckedMs: [], cpuMs: [], others: 0, writeMs: [] };
      for (let r = first; r < first + count; r++) {
        load.send({ type: 'mark', id: ++id, round: r, expected: expected[kind] });
        f.proxies = (await next(load, 'marked', 10_000)).expectedCount as number;
        const done = next(load, 'done', CHANGE_TIMEOUT_MS);
        const cpu0 = cpuMs(phase.pid);
        const mono = process.hrtime.bigint();
        const t0 = nowMs();
        const w = await phase.change(kind, r);
        if (w !== undefined) f.writeMs.push(w);
        const answer = await done;
        const times = (answer.times as number[]).map((t) => t - t0);
        await settle(QUIET_MS);
        f.cpuMs.push(cpuMs(phase.pid) - cpu0);
        load.send({ type: 'others' });
        f.others += (await next(load, 'others', 10_000)).count as number;
        f.ackMs.push(...times);
        f.allAckedMs.push(Math.max(...times));
        if (o.verbose)
          console.log(
            `    ${name} N=${n} ${kind} round ${r}: write ${w === undefined ? '-' : Math.round(w)} ms, ` +
              `first ACK ${Math.round(Math.min(...times))} ms, last ${Math.round(Math.max(...times))} ms, ` +
              `load client's longest event-loop delay ${Math.round(Number(answer.clientLoopMaxMs))} ms ` +
              // CLOCK_MONOTONIC, as the timestamps of a --cpu-prof profile (PROPAGATION_PROF).
              `(write sent at monotonic ${(Number(mono / 1000n) / 1e6).toFixed(3)} s)`,
          );
      }
      return f;
    };
    const all = await rounds('all', o.allRounds, 1);
    const few = expected.few ? await rounds('few', o.fewRounds, o.allRounds + 1) : undefined;
    if (capture) {
      load.send({ type: 'capture', file: capture });
      await next(load, 'captured', 120_000);
    }
    return { server: name, n, connectMs: Number(ready.connectMs), kibPerProxy, all, ...(few ? { few } : {}) };
  } finally {
    await stop(load);
  }
}

// ---------------------------------------------------------------- the servers

const API = '/v20190125';

interface RouteSpec {
  httpRoute: { action: { weightedTargets: Array<{ weight: number }> } };
}

/** Round r's weights: different from round r-1's, so every round is a real change. */
function reweigh(spec: RouteSpec, round: number): RouteSpec {
  const copy = structuredClone(spec);
  const [a, b] = copy.httpRoute.action.weightedTargets;
  a!.weight = 50 + (round % 40);
  b!.weight = 100 - a!.weight;
  return copy;
}

async function untilReady(apiUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await fetch(`${apiUrl}/readyz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`amime serve not ready after ${timeoutMs} ms`);
    await settle(200);
  }
}

async function amime(
  n: number,
  o: SimOptions,
  seeded: string,
  expected: { all: Expected; few: Expected },
  capture: string,
): Promise<ServerFigures & { startMs: number }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'amime-bench-propagation-'));
  let serve: ServeProcess | undefined;
  try {
    cpSync(seeded, dataDir, { recursive: true });
    if (o.heapDir) mkdirSync(o.heapDir, { recursive: true });
    const execArgv = [
      ...(process.env.PROPAGATION_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROPAGATION_PROF}`]
        : []),
      ...(o.heapDir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${o.heapDir}`] : []),
      ...(o.memoryDir ? memoryProbeArgs(o.memoryDir) : []),
      ...(process.env.PROPAGATION_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    ];
    const t0 = performance.now();
    serve = await startServe(
      [
        ...['--store', 'sqlite', '--data-dir', dataDir, '--no-seed', '--log-level', 'warn'],
        ...TEN_X_QUOTAS,
        ...['--xds-max-streams', String(n + 100), '--xds-new-streams-per-second', '0'],
        ...['--debounce-quiet-ms', String(o.debounce.quietMs), '--debounce-max-ms', String(o.debounce.maxMs)],
        ...(o.debounce.leading ? [] : ['--no-debounce-leading']),
        ...['--translation-slice-ms', String(o.sliceMs)],
      ],
      {
        timeoutMs: 600_000,
        ...(execArgv.length > 0 ? { execArgv } : {}),
      },
    );
    await untilReady(serve.apiUrl, 600_000);
    const startMs = performance.now() - t0;
    const routeUrl = (router: string) =>
      `${serve!.apiUrl}${API}/meshes/${MESH}/virtualRouter/${apiRouterName(router)}/routes/route-0`;
    const specs = {
      all: (await json('GET', routeUrl(SHARED_ROUTER))).spec as RouteSpec,
      few: (await json('GET', routeUrl(FEW_ROUTER))).spec as RouteSpec,
    };
    const phase: Phase = {
      pid: serve.proc.pid!,
      target: `127.0.0.1:${serve.xdsPort}`,
      change: async (kind, round) => {
        const t = performance.now();
        await json('PUT', routeUrl(kind === 'all' ? SHARED_ROUTER : FEW_ROUTER), {
          spec: reweigh(specs[kind], round),
        });
        return performance.now() - t;
      },
    };
    return {
      ...(await measureServer('amime', n, phase, o, expected, capture, o.heapDir, o.memoryDir)),
      startMs,
    };
  } finally {
    await serve?.stop();
    if (serve && process.env.PROPAGATION_SERVE_STDOUT)
      writeFileSync(process.env.PROPAGATION_SERVE_STDOUT, serve.stdoutText());
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function goControlPlane(
  n: number,
  o: SimOptions,
  binary: string,
  capture: string,
  few: Expected,
): Promise<ServerFigures> {
  const peer = await startGoPeer(binary, capture);
  try {
    const phase: Phase = {
      pid: peer.pid,
      target: `127.0.0.1:${peer.port}`,
      change: async (_kind, round) => {
        await peer.change(round);
        return undefined;
      },
    };
    return await measureServer(GO, n, phase, o, { all: 'all', few });
  } finally {
    await peer.close();
  }
}

async function fanoutFloor(n: number, o: SimOptions, capture: string, few: Expected): Promise<ServerFigures> {
  const floor = forkTs(
    FANOUT_FLOOR,
    [`--capture=${capture}`],
    o.memoryDir ? memoryProbeArgs(o.memoryDir) : [],
  );
  try {
    const { port } = await next(floor, 'listening', 60_000);
    const phase: Phase = {
      pid: floor.pid!,
      target: `127.0.0.1:${String(port)}`,
      change: async (_kind, round) => {
        floor.send({ type: 'change', round });
        return undefined;
      },
    };
    return await measureServer(FLOOR, n, phase, o, { all: 'all', few }, undefined, undefined, o.memoryDir);
  } finally {
    await stop(floor);
  }
}

/** The bare write: the same body, one call at a time, as many calls as Amime got. */
async function bareWrites(count: number, spec: RouteSpec): Promise<number[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'amime-bench-bare-'));
  const store = createStore({ kind: 'sqlite', dataDir: dir });
  const bare = await bareWriteServer(store);
  try {
    const out: number[] = [];
    for (let r = 1; r <= count; r++) {
      const t = performance.now();
      await json('PUT', `${bare.url}/bare/routes/route-0`, { spec: reweigh(spec, r) });
      out.push(performance.now() - t);
    }
    return out;
  } finally {
    await bare.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the run

const f1 = (v: number, d = 1): string => (Number.isFinite(v) ? v.toFixed(d) : '-');
const p = (values: readonly number[], q: number): string => f1(percentile(values, q), 0);

function table(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padStart(widths[i]!)).join('  '));
}

export async function simMode(o: SimOptions): Promise<void> {
  const mesh = benchMesh();
  const callers = [...callersOf(mesh, FEW_ROUTER)];
  const work = mkdtempSync(path.join(tmpdir(), 'amime-bench-propagation-'));
  try {
    const seeded = path.join(work, 'seeded');
    const t = performance.now();
    await seedStore(seeded, mesh);
    console.log(
      `mesh ${MESH}: ${mesh.length} resources (10× App Mesh's per-mesh quotas), written to SQLite in ${f1((performance.now() - t) / 1000)} s; ` +
        `debounce: quiet ${o.debounce.quietMs} ms, max ${o.debounce.maxMs} ms, leading edge ${o.debounce.leading ? 'on' : 'off'}; ` +
        `translation slices ${o.sliceMs} ms; ` +
        `${o.allRounds} changes to every proxy (${SHARED_ROUTER}/route-0), ${o.fewRounds} to the callers of ${FEW_ROUTER} (${callers.length} nodes) per N`,
    );
    const go = o.peers ? await buildGoPeer(work) : { reason: 'PROPAGATION_PEERS=0' };
    if ('reason' in go) console.log(`go-control-plane peer left out: ${go.reason}`);
    const results: Array<ServerFigures & { startMs?: number }> = [];
    for (const n of o.ns) {
      const capture = path.join(work, `capture-${n}.bin`);
      const a = await amime(n, o, seeded, { all: 'all', few: callers }, capture);
      console.log(`  amime serve: started and translated the mesh in ${f1(a.startMs / 1000)} s`);
      results.push(a);
      if (!o.peers) continue;
      results.push(await fanoutFloor(n, o, capture, callers));
      if ('binary' in go) results.push(await goControlPlane(n, o, go.binary, capture, callers));
    }
    const writes = results.flatMap((r) => [...r.all.writeMs, ...(r.few?.writeMs ?? [])]);
    const bare = !o.peers
      ? []
      : await bareWrites(
          writes.length,
          reweigh({ httpRoute: { action: { weightedTargets: [{ weight: 80 }, { weight: 20 }] } } }, 0),
        );

    console.log('\nwrite (UpdateRoute, one at a time)');
    table([
      ['server', 'calls', 'p50 ms', 'p99 ms'],
      ['amime REST API', String(writes.length), p(writes, 50), p(writes, 99)],
      ...(o.peers ? [['bare fastify+SQLite', String(bare.length), p(bare, 50), p(bare, 99)]] : []),
    ]);
    console.log('\nchange to every proxy: write → ACK');
    table([
      [
        'server',
        'N',
        'KiB/proxy',
        'connect s',
        'ACK p50 ms',
        'ACK p99 ms',
        'all ACKed median/max ms',
        'CPU ms/change',
      ],
      ...results.map((r) => [
        r.server,
        String(r.n),
        f1(r.kibPerProxy),
        f1(r.connectMs / 1000),
        p(r.all.ackMs, 50),
        p(r.all.ackMs, 99),
        `${p(r.all.allAckedMs, 50)} / ${p(r.all.allAckedMs, 100)}`,
        p(r.all.cpuMs, 50),
      ]),
    ]);
    console.log(`\nchange to the callers of ${FEW_ROUTER}: write → ACK`);
    table([
      ['server', 'N', 'proxies', 'ACK p50 ms', 'ACK p99 ms', 'CPU ms/change', 'others that received'],
      ...results
        .filter((r) => r.few)
        .map((r) => [
          r.server,
          String(r.n),
          String(r.few!.proxies),
          p(r.few!.ackMs, 50),
          p(r.few!.ackMs, 99),
          p(r.few!.cpuMs, 50),
          String(r.few!.others),
        ]),
    ]);
    if (!o.peers) return;
    console.log('\nratios amime / floor and amime / go-control-plane (same run), targets');
    console.log(
      `  write p50: the bare fastify+SQLite write does ${f1(median(writes) / median(bare), 1)}× as many per second (Amime's share ${f1(median(bare) / median(writes), 2)}, target ≥ 0.8)`,
    );
    for (const n of o.ns) {
      const of = (server: string) => results.find((r) => r.server === server && r.n === n);
      const a = of('amime')!;
      const fl = of(FLOOR)!;
      const gcp = of(GO);
      const ratio = median(a.all.allAckedMs) / median(fl.all.allAckedMs);
      const fewP99 = percentile(a.few!.ackMs, 99);
      console.log(
        `  N=${n}: all-ACKed ${f1(ratio, 2)}× the grpc-js floor (target ≤ 1.3: ${ratio <= 1.3 ? 'ok' : 'MISSED'}); ` +
          `CPU/change ${f1(median(a.all.cpuMs) / median(fl.all.cpuMs), 1)}× the floor's; memory ${f1(a.kibPerProxy)} KiB/proxy ` +
          `(target ≤ 40: ${a.kibPerProxy <= 40 ? 'ok' : 'MISSED'}); ` +
          `${a.few!.proxies} callers ACKed p99 ${f1(fewP99, 0)} ms (target < 150: ${fewP99 < 150 ? 'ok' : 'MISSED'}), ` +
          `${a.few!.others} others received something (target 0: ${a.few!.others === 0 ? 'ok' : 'MISSED'})`,
      );
      if (gcp) {
        const mem = a.kibPerProxy / gcp.kibPerProxy;
        const time = median(a.all.allAckedMs) / median(gcp.all.allAckedMs);
        const cpu = median(a.all.cpuMs) / median(gcp.all.cpuMs);
        console.log(
          `  N=${n} against go-control-plane: memory/proxy ${f1(mem, 2)}× (target ≤ 1.0: ${mem <= 1 ? 'ok' : 'MISSED'}), ` +
            `all-ACKed ${f1(time, 2)}× (target ≤ 1.5: ${time <= 1.5 ? 'ok' : 'MISSED'}), ` +
            `CPU/change ${f1(cpu, 2)}× (target ≤ 1.5: ${cpu <= 1.5 ? 'ok' : 'MISSED'})`,
        );
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
