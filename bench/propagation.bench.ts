/**
 * Propagation benchmark: how long a change made through the App Mesh REST API takes to
 * be in effect in the proxies.
 *
 * Run: npm run bench:propagation
 * Options (env): PROPAGATION_MODE=sim|envoy (default sim)
 *   sim:   PROPAGATION_N=1000,10000  PROPAGATION_ROUNDS=3  PROPAGATION_FEW_ROUNDS=20
 *          PROPAGATION_DEBOUNCE_QUIET_MS / _MAX_MS / _LEADING=0|1 (default: amime serve's)
 *          PROPAGATION_SLICE_MS (amime serve's --translation-slice-ms; default its own)
 *          PROPAGATION_PROF=dir (a --cpu-prof profile of amime serve there)
 *          PROPAGATION_HEAP=dir (heap snapshots of amime serve there: before the proxies connect, once all are configured)
 *          PROPAGATION_VERBOSE=1 (every round's write, first and last ACK, and when it was sent on
 *            the clock of --cpu-prof's timestamps)
 *          PROPAGATION_MEMORY=dir (amime serve and the grpc-js floor load propagation/memory-probe.mjs:
 *            each KiB/proxy is also split, after a forced GC, into V8 heap, ArrayBuffers and native;
 *            the GC before the proxies connect can move the KiB/proxy figure itself: compare
 *            runs with it only against runs with it)
 *          PROPAGATION_PEERS=0 (amime serve alone: no floors, no go-control-plane, no ratios)
 *          PROPAGATION_NODE_ARGS='--trace-gc …' (more node options for amime serve)
 *          PROPAGATION_SERVE_STDOUT=file (amime serve's standard output written there at the end)
 *   envoy: PROPAGATION_ENVOYS=50  PROPAGATION_ROUNDS=10  ENVOY_BIN=/path/to/envoy (else `envoy` on PATH)
 *
 * Mode `sim` (the default): `amime serve` (SQLite) with a mesh at 10× App Mesh's
 * per-mesh quotas, N Envoy-like ADS clients in a separate load process, single-route
 * UpdateRoute calls, and in the same run the floors (bare fastify+SQLite write, bare
 * grpc-js fan-out of the same bytes to the same N streams); see propagation/sim.ts.
 *
 * Mode `envoy`: `amime serve` (memory store with the seed mesh, default
 * debounce) and N real Envoys of one virtual node (vnode-x; 50 is App Mesh's quota of
 * Envoys per virtual node), bootstrapped as `amime bootstrap` writes it, each in a
 * network namespace of its own when this machine can make them (so none binds the
 * host's ports; else on the host). Each round changes route-1's weights with
 * UpdateRoute, then waits until every Envoy has ACKed the new route configuration
 * (Amime's /debug/proxies), and reads from each Envoy when it applied it
 * (`http.egress.rds.rds_egress_http_80.config_reload_time_ms`, epoch ms, same clock).
 * Reported: per-Envoy latency from the API call to the Envoy's reload (p50, p90, p99,
 * max over all rounds), time until the last Envoy of a round, and the API call itself.
 *
 * Modes are a table below, so other ways of measuring (simulated clients, more groups)
 * can be added beside this one. Every phase has a deadline; the run cleans up after
 * itself, also on failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServe, type ServeProcess } from '../test/e2e/support/serve-process.js';
import { amimeBootstrap } from '../test/envoy/support/bootstraps.js';
import { EnvoyProcess } from '../test/envoy/support/envoy-process.js';
import { mapLimit } from '../test/envoy/support/limit.js';
import { MeshApi } from '../test/envoy/support/mesh-api.js';
import { envoySandboxes } from '../test/envoy/support/envoy-sandboxes.js';
import { ENVOY, findProgram } from '../test/support/programs.js';
import { simMode, simOptions } from './propagation/sim.js';
import { fmtMs as fmt, summary } from './propagation/stats.js';

const NODE_ID = 'mesh/mesh-1/virtualNode/vnode-x_mesh-test';
const ROUTE_CONFIG = 'rds_egress_http_80';
const RDS_TYPE = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';
const RELOAD_STAT = `http.egress.rds.${ROUTE_CONFIG}.config_reload_time_ms`;
const CONNECT_TIMEOUT_MS = 300_000;
const ROUND_TIMEOUT_MS = 60_000;

interface Options {
  readonly envoys: number;
  readonly rounds: number;
}

const MODES: Record<string, () => Promise<void>> = {
  sim: () => simMode(simOptions(process.env)),
  envoy: () =>
    envoyMode({
      envoys: Number(process.env.PROPAGATION_ENVOYS ?? 50),
      rounds: Number(process.env.PROPAGATION_ROUNDS ?? 10),
    }),
};

// ------------------------------------------------------------------ helpers

async function until<T>(
  what: string,
  timeoutMs: number,
  intervalMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

interface ProxyStatus {
  nodeId: string;
  streamId: number;
  types: Array<{ typeUrl: string; pendingAck: boolean; resources: Array<{ name: string; version: string }> }>;
}

/** Version of the route configuration each connected vnode-x Envoy has ACKed, by stream. */
async function ackedRouteVersions(apiUrl: string): Promise<Map<number, string>> {
  const res = await fetch(`${apiUrl}/debug/proxies`);
  const body = (await res.json()) as { proxies: ProxyStatus[] };
  const out = new Map<number, string>();
  for (const p of body.proxies) {
    if (p.nodeId !== NODE_ID) continue;
    const rds = p.types.find((t) => t.typeUrl === RDS_TYPE);
    const version = rds?.resources.find((r) => r.name === ROUTE_CONFIG)?.version;
    if (rds && !rds.pendingAck && version) out.set(p.streamId, version);
  }
  return out;
}

// ------------------------------------------------------------------ mode: real Envoys

async function envoyMode(o: Options): Promise<void> {
  const found = findProgram(ENVOY);
  if (!found.found) throw new Error(found.reason);
  const dir = mkdtempSync(path.join(tmpdir(), 'amime-bench-propagation-'));
  const cleanups: Array<() => Promise<unknown> | unknown> = [
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  try {
    const serve: ServeProcess = await startServe(['--store', 'memory', '--log-level', 'warn'], {
      timeoutMs: 120_000,
    });
    cleanups.push(() => serve.stop());
    const api = new MeshApi(serve.apiUrl, 'mesh-1');
    cleanups.push(() => api.close());
    const names = Array.from({ length: o.envoys }, (_, i) => `e${i}`);
    const sandboxes = await envoySandboxes(names, dir, serve.xdsPort);
    cleanups.push(() => sandboxes.close());
    console.log(
      `envoy ${found.version} (${found.path}); ${o.envoys} Envoys of ${NODE_ID}, ${sandboxes.where}; ${o.rounds} rounds`,
    );

    const started = performance.now();
    const envoys = names.map(
      (name) =>
        new EnvoyProcess({
          envoy: found.path,
          bootstrap: amimeBootstrap(NODE_ID, sandboxes.xds),
          dir,
          name,
          logLevel: 'warning',
          launch: sandboxes.launch(name),
        }),
    );
    cleanups.push(() => Promise.all(envoys.map((e) => e.stop())));
    await until(`${o.envoys} Envoys connected and configured`, CONNECT_TIMEOUT_MS, 250, async () => {
      const acked = await ackedRouteVersions(serve.apiUrl);
      return acked.size >= o.envoys ? acked : undefined;
    });
    console.log(`${o.envoys} Envoys connected and configured in ${fmt(performance.now() - started)}`);

    const perEnvoy: number[] = [];
    const lastOfRound: number[] = [];
    const apiCalls: number[] = [];
    for (let round = 1; round <= o.rounds; round++) {
      const before = await ackedRouteVersions(serve.apiUrl);
      const reloadsBefore = await mapLimit(envoys, 8, (e) =>
        e.stats(`^${RELOAD_STAT}$`).then((s) => s.get(RELOAD_STAT)),
      );
      const heavier = round % 2 === 1 ? 'vnode-1_mesh-test' : 'vnode-2_mesh-test';
      const t0 = Date.now();
      const p0 = performance.now();
      await api.editRoute('vrouter-1_mesh-test', 'route-1', (spec) => {
        for (const t of spec.httpRoute!.action!.weightedTargets!)
          t.weight = t.virtualNode === heavier ? 3 : 1;
      });
      apiCalls.push(performance.now() - p0);
      await until(
        `round ${round}: every Envoy ACKs the new route configuration`,
        ROUND_TIMEOUT_MS,
        20,
        async () => {
          const now = await ackedRouteVersions(serve.apiUrl);
          const changed = [...before].filter(([stream, v]) => now.has(stream) && now.get(stream) !== v);
          return changed.length >= o.envoys ? true : undefined;
        },
      );
      const reloads = await mapLimit(envoys, 8, (e) =>
        e.stats(`^${RELOAD_STAT}$`).then((s) => s.get(RELOAD_STAT)),
      );
      const latencies = reloads.map((r, i) => {
        if (r === undefined || r === reloadsBefore[i])
          throw new Error(`round ${round}: ${names[i]} did not reload ${ROUTE_CONFIG}`);
        return r - t0;
      });
      perEnvoy.push(...latencies);
      lastOfRound.push(Math.max(...latencies));
      console.log(
        `round ${round}: API ${fmt(apiCalls.at(-1)!)}; ${summary('Envoys applied it after', latencies)}`,
      );
    }
    console.log('');
    console.log(summary(`per Envoy, API call → Envoy reloaded ${ROUTE_CONFIG}`, perEnvoy));
    console.log(summary('per round, API call → last of the Envoys reloaded', lastOfRound));
    console.log(summary('UpdateRoute call', apiCalls));
  } finally {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch((e: unknown) => console.error(e));
  }
}

// ------------------------------------------------------------------ main

const mode = process.env.PROPAGATION_MODE ?? 'sim';
const run = MODES[mode];
if (!run) {
  console.error(`PROPAGATION_MODE=${mode}: one of ${Object.keys(MODES).join(', ')}`);
  process.exit(2);
}
await run().catch((e: unknown) => {
  console.error(`bench:propagation: ${(e as Error).message}`);
  process.exitCode = 1;
});
