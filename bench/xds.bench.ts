/**
 * xDS fan-out benchmark: real ADS streams from a separate load-client process.
 *
 * Run: npm run bench:xds   (node --expose-gc --import tsx bench/xds.bench.ts)
 * Options (env): XDS_BENCH_N="1000,5000"  XDS_BENCH_ROUNDS=5
 *
 * For each N it runs two servers in turn, each in its own child process:
 * - amime: XdsServer + SnapshotCache, proxies in groups of 50 (App Mesh's limit per
 *   virtual node), each group with its own snapshot;
 * - floor: a bare @grpc/grpc-js server that writes the very same response bytes
 *   to every stream and counts ACKs, i.e. the cost of gRPC alone.
 * A forked load client opens N channels (one HTTP/2 connection and one ADS stream
 * each), subscribes CDS, EDS, LDS, RDS like Envoy and ACKs every response. Then
 * one route is changed ROUNDS times and the time from the change to each proxy's
 * ACK is recorded, with the server's CPU time for the change (which, unlike wall
 * time, does not depend on what else the machine is running). Memory per proxy =
 * server RSS after all proxies are connected and configured, minus RSS before the
 * first connection, divided by N.
 *
 * Loopback only; every phase has a timeout and the whole run ends by itself.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { messageType } from '../src/proto/index.js';
import { SnapshotCache, TYPE_URL, XdsServer } from '../src/xds/index.js';
import { sotwResponse } from '../src/xds/sotw-response.js';
import { SubscriptionTable } from '../src/xds/subscription.js';
import { ADS_PATH, RAW_ADS_SERVICE, raw } from './propagation/ads-raw.js';
import { next, onMessage, send, stop } from './propagation/ipc.js';

const SELF = fileURLToPath(import.meta.url);
const GROUP_SIZE = 50;
const CLUSTERS = 50;
const ROUTES = 50;
const CONNECT_TIMEOUT_MS = 180_000;
const CHANGE_TIMEOUT_MS = 60_000;
const { Cluster: CDS, ClusterLoadAssignment: EDS, Listener: LDS, RouteConfiguration: RDS } = TYPE_URL;
const TYPES = [CDS, EDS, LDS, RDS] as const;
const CLUSTER_NAMES = Array.from({ length: CLUSTERS }, (_, i) => `cds_egress_bench_svc-${i}_http_8080`);
const ROUTE_NAME = 'rds_egress_http_8080';
/** What translation tells the cache: each cluster reads the endpoints of its own name. */
const EDS_NAMES = new Map(CLUSTER_NAMES.map((n) => [n, n]));
const LISTENER_NAME = 'lds_egress_0.0.0.0_15001';

// ---------------------------------------------------------------- resources

function enc(typeName: string, obj: Record<string, unknown>): Uint8Array {
  const t = messageType(typeName);
  return t.encode(t.fromObject(obj)).finish();
}

function anyOf(typeName: string, obj: Record<string, unknown>): { type_url: string; value: Uint8Array } {
  return { type_url: `type.googleapis.com/${typeName}`, value: enc(typeName, obj) };
}

/** Resources shared by every group; only the route config varies with `round`. */
function buildResources(): {
  clusters: Map<string, Uint8Array>;
  endpoints: Map<string, Uint8Array>;
  listener: Uint8Array;
} {
  const clusters = new Map<string, Uint8Array>();
  const endpoints = new Map<string, Uint8Array>();
  for (const [i, name] of CLUSTER_NAMES.entries()) {
    clusters.set(
      name,
      enc('envoy.config.cluster.v3.Cluster', {
        name,
        type: 'EDS',
        eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
        connect_timeout: { seconds: 1 },
        lb_policy: 'ROUND_ROBIN',
        circuit_breakers: {
          thresholds: [
            {
              max_connections: { value: 1024 },
              max_pending_requests: { value: 1024 },
              max_requests: { value: 1024 },
            },
          ],
        },
        outlier_detection: { consecutive_5xx: { value: 5 }, interval: { seconds: 10 } },
      }),
    );
    endpoints.set(
      name,
      enc('envoy.config.endpoint.v3.ClusterLoadAssignment', {
        cluster_name: name,
        endpoints: [
          {
            locality: { region: 'local' },
            lb_endpoints: [1, 2, 3].map((h) => ({
              endpoint: { address: { socket_address: { address: `10.1.${i}.${h}`, port_value: 8080 } } },
              health_status: 'HEALTHY',
            })),
          },
        ],
      }),
    );
  }
  const hcm = anyOf('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', {
    stat_prefix: 'egress',
    rds: { config_source: { ads: {}, resource_api_version: 'V3' }, route_config_name: ROUTE_NAME },
    http_filters: [
      {
        name: 'envoy.filters.http.router',
        typed_config: anyOf('envoy.extensions.filters.http.router.v3.Router', {}),
      },
    ],
  });
  const listener = enc('envoy.config.listener.v3.Listener', {
    name: LISTENER_NAME,
    address: { socket_address: { address: '0.0.0.0', port_value: 15001 } },
    filter_chains: [
      { filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }] },
    ],
  });
  return { clusters, endpoints, listener };
}

/** A route config of ROUTES routes; `round` changes the weights of route 0 only. */
function routeConfig(round: number): Uint8Array {
  return enc('envoy.config.route.v3.RouteConfiguration', {
    name: ROUTE_NAME,
    virtual_hosts: [
      {
        name: 'svc',
        domains: ['*'],
        routes: Array.from({ length: ROUTES }, (_, r) => ({
          match: { prefix: `/svc-${r}/`, headers: [{ name: 'x-canary', string_match: { exact: 'true' } }] },
          route: {
            weighted_clusters: {
              clusters: [
                { name: CLUSTER_NAMES[r % CLUSTERS], weight: { value: r === 0 ? 100 - (round % 100) : 90 } },
                { name: CLUSTER_NAMES[(r + 1) % CLUSTERS], weight: { value: r === 0 ? round % 100 : 10 } },
              ],
            },
            timeout: { seconds: 15 },
            retry_policy: { retry_on: '5xx,reset', num_retries: { value: 2 } },
          },
        })),
      },
    ],
  });
}

function groupId(g: number): string {
  return `mesh/bench/virtualNode/vn-${g}_bench`;
}

// ---------------------------------------------------------------- helpers

function gcNow(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

async function settledRss(): Promise<{ rss: number; heap: number }> {
  for (let i = 0; i < 3; i++) {
    gcNow();
    await new Promise((r) => setTimeout(r, 200));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

/** Server CPU (user + system) spent since `since`, in ms: robust to other load on the machine. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

/**
 * The fields a client or the floor reads of a DiscoveryResponse or DiscoveryRequest
 * (both keep type_url in 4; version 1 and nonce 5 in the response, response_nonce
 * 5 in the request); protobufjs skips the resources without decoding them.
 */
const Head = protobuf.Type.fromJSON('Head', {
  fields: {
    version: { type: 'string', id: 1 },
    type_url: { type: 'string', id: 4 },
    nonce: { type: 'string', id: 5 },
  },
});

function parseResponse(buf: Buffer): { typeUrl: string; version: string; nonce: string } {
  const m = Head.decode(buf) as unknown as { version?: string; type_url?: string; nonce?: string };
  return { typeUrl: m.type_url ?? '', version: m.version ?? '', nonce: m.nonce ?? '' };
}

const requestType = messageType('envoy.service.discovery.v3.DiscoveryRequest');

function encodeRequest(
  typeUrl: string,
  names: readonly string[],
  version: string,
  nonce: string,
  nodeId?: string,
): Buffer {
  return Buffer.from(
    requestType
      .encode(
        requestType.fromObject({
          version_info: version,
          ...(nodeId
            ? { node: { id: nodeId, cluster: nodeId.split('/').pop(), user_agent_name: 'envoy' } }
            : {}),
          resource_names: names,
          type_url: typeUrl,
          response_nonce: nonce,
        }),
      )
      .finish(),
  );
}

function namesFor(typeUrl: string): readonly string[] {
  return typeUrl === EDS ? CLUSTER_NAMES : typeUrl === RDS ? [ROUTE_NAME] : [];
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

// ---------------------------------------------------------------- roles

/** Amime's server: snapshots per group, XdsServer, ACK timing from its events. */
async function amimeServer(n: number): Promise<void> {
  const res = buildResources();
  const cache = new SnapshotCache();
  const groups = Math.ceil(n / GROUP_SIZE);
  const listeners = new Map([[LISTENER_NAME, res.listener]]);
  // What a translator that encodes each resource once hands over: the same byte
  // arrays for every group, a new one only for the changed route configuration.
  const snapshotWith = (rds: Uint8Array) => ({
    [CDS]: res.clusters,
    [EDS]: res.endpoints,
    [LDS]: listeners,
    [RDS]: new Map([[ROUTE_NAME, rds]]),
  });
  const initialRds = routeConfig(0);
  for (let g = 0; g < groups; g++)
    cache.setSnapshot(groupId(g), snapshotWith(initialRds), { edsNames: EDS_NAMES });
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const server = new XdsServer({
    cache,
    logger: quiet,
    limits: { maxProxiesPerNode: GROUP_SIZE, newStreamsPerSecond: 1e6, newStreamBurst: 1e6 },
  });
  let waiting: { version: string; t0: number; cpu0: NodeJS.CpuUsage; latencies: number[] } | undefined;
  server.events.on('ack', (e) => {
    if (!waiting || e.typeUrl !== RDS || e.version !== waiting.version) return;
    waiting.latencies.push(performance.now() - waiting.t0);
    if (waiting.latencies.length === n) {
      send({ type: 'changed', latencies: waiting.latencies, cpuMs: cpuMs(waiting.cpu0) });
      waiting = undefined;
    }
  });
  const baseline = await settledRss();
  const port = await server.listen('127.0.0.1', 0);
  send({ type: 'listening', port, baseline });
  onMessage(async (m) => {
    if (m.type === 'measure')
      send({ type: 'memory', ...(await settledRss()), active: server.counters().streamsActive });
    else if (m.type === 'change') {
      const round = m.round as number;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const rds = routeConfig(round);
      let version = '';
      waiting = { version: '', t0, cpu0, latencies: [] };
      for (let g = 0; g < groups; g++) {
        cache.setSnapshot(groupId(g), snapshotWith(rds), { edsNames: EDS_NAMES });
        version ||= cache.getSnapshot(groupId(g))!.types.get(RDS)!.version;
      }
      waiting.version = version;
      send({ type: 'set', setMs: performance.now() - t0 });
    } else if (m.type === 'exit') {
      await server.close(200);
      process.exit(0);
    }
  });
}

/** The floor: bare grpc-js writing one shared, pre-encoded buffer per stream. */
async function floorServer(n: number): Promise<void> {
  const res = buildResources();
  // The same response bodies amime sends, taken from a SnapshotCache.
  const cache = new SnapshotCache();
  const subs = new SubscriptionTable();
  const bodyOf = (round: number, typeUrl: string) => {
    cache.setSnapshot(
      'floor',
      {
        [CDS]: res.clusters,
        [EDS]: res.endpoints,
        [LDS]: new Map([[LISTENER_NAME, res.listener]]),
        [RDS]: new Map([[ROUTE_NAME, routeConfig(round)]]),
      },
      { edsNames: EDS_NAMES },
    );
    const names = namesFor(typeUrl);
    return sotwResponse(cache.state('floor')!.type(typeUrl), subs.acquire(names.length === 0, names));
  };
  const initial = new Map<string, Buffer>(TYPES.map((t) => [t, bodyOf(0, t).bytes]));
  interface S {
    call: grpc.ServerDuplexStream<Buffer, Buffer>;
    pending: string;
  }
  const streams: S[] = [];
  let waiting: { nonce: string; t0: number; cpu0: NodeJS.CpuUsage; latencies: number[] } | undefined;
  const server = new grpc.Server();
  server.addService(RAW_ADS_SERVICE, {
    StreamAggregatedResources: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      const s: S = { call, pending: '' };
      streams.push(s);
      call.on('data', (buf: Buffer) => {
        const r = parseResponse(buf); // requests carry type_url (4) and nonce (5) in the same slots
        if (r.nonce === '') call.write(initial.get(r.typeUrl)!);
        else if (waiting && r.nonce === waiting.nonce && s.pending === r.nonce) {
          s.pending = '';
          waiting.latencies.push(performance.now() - waiting.t0);
          if (waiting.latencies.length === n) {
            send({ type: 'changed', latencies: waiting.latencies, cpuMs: cpuMs(waiting.cpu0) });
            waiting = undefined;
          }
        }
      });
      call.on('error', () => {});
    },
  });
  const baseline = await settledRss();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  send({ type: 'listening', port, baseline });
  onMessage(async (m) => {
    if (m.type === 'measure') send({ type: 'memory', ...(await settledRss()), active: streams.length });
    else if (m.type === 'change') {
      const round = m.round as number;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const body = bodyOf(round, RDS);
      const nonce = body.nonce;
      const buf = body.bytes;
      waiting = { nonce, t0, cpu0, latencies: [] };
      for (const s of streams) {
        s.pending = nonce;
        s.call.write(buf);
      }
      send({ type: 'set', setMs: performance.now() - t0 });
    } else if (m.type === 'exit') {
      server.forceShutdown();
      process.exit(0);
    }
  });
}

/** N Envoy-like proxies: one channel and one ADS stream each, ACKing every response. */
async function loadClient(n: number, port: number): Promise<void> {
  let configured = 0;
  const calls: grpc.ClientDuplexStream<Buffer, Buffer>[] = [];
  const clients: grpc.Client[] = [];
  const open = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
        'grpc.use_local_subchannel_pool': 1,
        'grpc.max_receive_message_length': -1,
      });
      clients.push(client);
      const call = client.makeBidiStreamRequest(ADS_PATH, raw, raw);
      calls.push(call);
      const seen = new Set<string>();
      let first = true;
      call.on('data', (buf: Buffer) => {
        const r = parseResponse(buf);
        call.write(encodeRequest(r.typeUrl, namesFor(r.typeUrl), r.version, r.nonce));
        if (!seen.has(r.typeUrl)) {
          seen.add(r.typeUrl);
          if (seen.size === TYPES.length) {
            configured++;
            if (first) {
              first = false;
              resolve();
            }
          }
        }
      });
      call.on('error', (e) => send({ type: 'error', message: `stream ${i}: ${e.message}` }));
      const node = groupId(Math.floor(i / GROUP_SIZE));
      call.write(encodeRequest(CDS, [], '', '', node));
      call.write(encodeRequest(EDS, CLUSTER_NAMES, '', ''));
      call.write(encodeRequest(LDS, [], '', ''));
      call.write(encodeRequest(RDS, [ROUTE_NAME], '', ''));
    });
  // Open in batches so the server's accept queue is never the bottleneck being measured.
  const BATCH = 250;
  for (let i = 0; i < n; i += BATCH) {
    await Promise.all(Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => open(i + k)));
  }
  send({ type: 'ready', configured });
  onMessage((m) => {
    if (m.type === 'exit') {
      for (const c of calls) c.cancel();
      for (const c of clients) c.close();
      process.exit(0);
    }
  });
}

// ---------------------------------------------------------------- orchestrator

function child(args: string[]): ChildProcess {
  // XDS_BENCH_PROF=dir writes a CPU profile of each server process there.
  const prof =
    process.env.XDS_BENCH_PROF && !args.includes('--role=load')
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.XDS_BENCH_PROF}`]
      : [];
  const cp = fork(SELF, args, {
    execArgv: [...process.execArgv, ...prof],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  cp.setMaxListeners(0);
  return cp;
}

interface Result {
  kind: string;
  n: number;
  kibPerProxy: number;
  heapKibPerProxy: number;
  connectS: number;
  p50: number;
  p99: number;
  allAckedMedian: number;
  allAckedMax: number;
  setMs: number;
  cpuMs: number;
}

async function phase(kind: 'amime' | 'floor', n: number, rounds: number): Promise<Result> {
  const server = child([`--role=${kind}`, `--n=${n}`]);
  let load: ChildProcess | undefined;
  try {
    const listening = await next(server, 'listening', 30_000);
    const baseline = listening.baseline as { rss: number; heap: number };
    const t0 = performance.now();
    load = child(['--role=load', `--n=${n}`, `--port=${listening.port as number}`]);
    const ready = await next(load, 'ready', CONNECT_TIMEOUT_MS);
    const connectS = (performance.now() - t0) / 1000;
    if (ready.configured !== n)
      throw new Error(`only ${String(ready.configured)} of ${n} proxies configured`);
    await new Promise((r) => setTimeout(r, 500)); // let the last ACKs land
    server.send({ type: 'measure' });
    const mem = await next(server, 'memory', 30_000);
    const all: number[] = [];
    const maxes: number[] = [];
    const sets: number[] = [];
    const cpus: number[] = [];
    for (let r = 1; r <= rounds; r++) {
      const changed = next(server, 'changed', CHANGE_TIMEOUT_MS);
      const set = next(server, 'set', CHANGE_TIMEOUT_MS);
      server.send({ type: 'change', round: r });
      sets.push((await set).setMs as number);
      const done = await changed;
      const lat = done.latencies as number[];
      cpus.push(done.cpuMs as number);
      all.push(...lat);
      maxes.push(Math.max(...lat));
      await new Promise((res) => setTimeout(res, 300));
    }
    all.sort((a, b) => a - b);
    maxes.sort((a, b) => a - b);
    return {
      kind,
      n,
      kibPerProxy: ((mem.rss as number) - baseline.rss) / 1024 / n,
      heapKibPerProxy: ((mem.heap as number) - baseline.heap) / 1024 / n,
      connectS,
      p50: percentile(all, 50),
      p99: percentile(all, 99),
      allAckedMedian: percentile(maxes, 50),
      allAckedMax: maxes.at(-1)!,
      setMs: percentile(
        sets.sort((a, b) => a - b),
        50,
      ),
      cpuMs: percentile(
        cpus.sort((a, b) => a - b),
        50,
      ),
    };
  } finally {
    if (load) await stop(load);
    await stop(server);
  }
}

async function main(): Promise<void> {
  const ns = (process.env.XDS_BENCH_N ?? '1000,5000').split(',').map(Number);
  const rounds = Number(process.env.XDS_BENCH_ROUNDS ?? 5);
  const results: Result[] = [];
  for (const n of ns) {
    for (const kind of ['amime', 'floor'] as const) {
      process.stdout.write(`  ${kind} N=${n} ...\n`);
      results.push(await phase(kind, n, rounds));
    }
  }
  const f = (v: number, d = 1): string => v.toFixed(d);
  const rows = [
    [
      'server',
      'N',
      'KiB/proxy',
      'heap KiB/proxy',
      'connect s',
      'set ms',
      'server CPU ms',
      'ACK p50 ms',
      'ACK p99 ms',
      'all ACKed ms (median/max)',
    ],
    ...results.map((r) => [
      r.kind,
      String(r.n),
      f(r.kibPerProxy),
      f(r.heapKibPerProxy),
      f(r.connectS),
      f(r.setMs),
      f(r.cpuMs, 0),
      f(r.p50),
      f(r.p99),
      `${f(r.allAckedMedian, 0)} / ${f(r.allAckedMax, 0)}`,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(
    `\nxDS fan-out: one-route change, ${rounds} rounds, proxies in groups of ${GROUP_SIZE}, ${CLUSTERS} clusters + ${ROUTES} routes per proxy`,
  );
  for (const r of rows) console.log(r.map((c, i) => c.padStart(widths[i]!)).join('  '));
  console.log('\nratios amime / floor and targets');
  let ok = true;
  for (const n of ns) {
    const a = results.find((r) => r.kind === 'amime' && r.n === n)!;
    const fl = results.find((r) => r.kind === 'floor' && r.n === n)!;
    const memRatio = a.kibPerProxy / fl.kibPerProxy;
    const timeRatio = a.allAckedMedian / fl.allAckedMedian;
    const cpuRatio = a.cpuMs / fl.cpuMs;
    const memOk = a.kibPerProxy <= 100;
    const timeOk = n < 5000 || a.allAckedMax < 2000;
    const ratioOk = timeRatio <= 2;
    ok &&= memOk && timeOk && ratioOk;
    console.log(
      `  N=${n}: memory ${f(memRatio, 2)}x (${f(a.kibPerProxy)} KiB/proxy, target <= 100: ${memOk ? 'ok' : 'MISSED'}), ` +
        `all-ACKed ${f(timeRatio, 2)}x of floor (target <= 2x: ${ratioOk ? 'ok' : 'MISSED'}), server CPU per change ${f(cpuRatio, 2)}x` +
        (n >= 5000
          ? `, worst all-ACKed ${f(a.allAckedMax, 0)} ms (target < 2000: ${timeOk ? 'ok' : 'MISSED'})`
          : ''),
    );
  }
  console.log(ok ? '\nall targets met' : '\nsome targets missed');
}

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const role = arg('role');
const n = Number(arg('n') ?? 0);
if (role === 'amime') void amimeServer(n);
else if (role === 'floor') void floorServer(n);
else if (role === 'load') void loadClient(n, Number(arg('port')));
else
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
