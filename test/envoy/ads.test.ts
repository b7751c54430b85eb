/**
 * Envoy ACKs everything over xDS (issue 19, item 3): real Envoys, bootstrapped as
 * `amime bootstrap` writes it, connect to `amime serve` over ADS — state of the world
 * and delta (`api_type: DELTA_GRPC`) — for every proxy of the seed mesh and of the
 * feature-rich mesh. Each must hold every listener, route configuration and cluster
 * Amime translated for it, exactly as translated, with `update_rejected` 0 for every
 * resource type and the connection to Amime up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { staticEndpoints } from '../../src/envoy/endpoints.js';
import { makePki } from '../e2e/support/certs.js';
import { startServe, type ServeProcess } from '../e2e/support/serve-process.js';
import { ENVOY, describeWithPrograms, programPath } from '../support/system-programs.js';
import { amimeBootstrap } from './support/bootstraps.js';
import { EnvoyProcess, dumpedNames, type ConfigDump } from './support/envoy-process.js';
import { envoySandboxes, type EnvoySandboxes } from './support/envoy-sandboxes.js';
import { mapLimit } from './support/limit.js';
import { meshConfigs, type ProxyConfig } from './support/proxy-configs.js';
import type { JsonObject } from './support/static-bootstrap.js';
import { RICH_CLOUD_MAP, writeTestMeshes } from './support/test-meshes.js';

/** Envoys running at once: each is light (one worker thread), but the machine has two cores. */
const CONCURRENCY = 4;

describeWithPrograms('Envoy ACKs every proxy over ADS', [ENVOY], (programs) => {
  const envoy = programPath(programs, ENVOY);
  let dir: string;
  let serve: ServeProcess;
  let proxies: ProxyConfig[];
  let sandboxes: EnvoySandboxes;
  const figures: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'amime-envoy-ads-'));
    const meshes = writeTestMeshes(dir, makePki());
    proxies = meshConfigs(meshes.manifests, staticEndpoints(RICH_CLOUD_MAP)).filter(
      (p) => !p.group.endsWith('#grpc'),
    );
    serve = await startServe(
      ['--from', meshes.manifests, '--endpoints-file', meshes.endpointsFile, '--log-level', 'warn'],
      { timeoutMs: 90_000 },
    );
    sandboxes = await envoySandboxes(
      proxies.map((_, i) => `p${i}`),
      dir,
      serve.xdsPort,
    );
    figures.push(`where: ${sandboxes.where}`);
  }, 120_000);
  afterAll(async () => {
    console.log(`envoy ${programs.get(ENVOY)?.version}: ${figures.join('; ')}`);
    await sandboxes?.close();
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const delta of [false, true]) {
    const mode = delta ? 'delta' : 'state of the world';
    it(
      `${mode}: every proxy of the seed and the feature-rich mesh holds what Amime translated, nothing rejected`,
      { timeout: 300_000 },
      async () => {
        expect(proxies.length).toBeGreaterThanOrEqual(12);
        const started = performance.now();
        const problems = await mapLimit(proxies, CONCURRENCY, async (p, i) => {
          const e = new EnvoyProcess({
            envoy,
            bootstrap: amimeBootstrap(p.group, sandboxes.xds, { delta }),
            dir,
            name: `${delta ? 'delta' : 'sotw'}-${p.group.replaceAll('/', '_')}`,
            launch: sandboxes.launch(`p${i}`),
          });
          try {
            return await checkProxy(e, p);
          } catch (err) {
            return `${p.group}: ${(err as Error).message}\n--- envoy.log (end) ---\n${e.log().slice(-3000)}`;
          } finally {
            await e.stop();
          }
        });
        figures.push(
          `${mode}: ${proxies.length} Envoys ACKed in ${Math.round(performance.now() - started)} ms`,
        );
        expect(problems.filter(Boolean).join('\n\n')).toBe('');
      },
    );
  }
});

const KINDS = ['listeners', 'routes', 'clusters', 'endpoints'] as const;

/** Waits until the Envoy holds every resource Amime translated for it; returns what differs, or ''. */
async function checkProxy(e: EnvoyProcess, p: ProxyConfig): Promise<string> {
  const expected = Object.fromEntries(
    KINDS.map((k) => [k, (p.resources[k] ?? []).map((r) => String(r.name ?? r.cluster_name)).sort()]),
  );
  let dump: ConfigDump | undefined;
  await vi.waitFor(
    async () => {
      dump = await e.configDump('?include_eds');
      const held = dumpedNames(dump);
      for (const k of KINDS) {
        // Envoy lists the assignment of every cluster it got over CDS, not only of the EDS ones Amime sent.
        if (k === 'endpoints')
          expect(held[k], `${p.group} ${k}`).toEqual(expect.arrayContaining(expected[k]!));
        else expect(held[k].sort(), `${p.group} ${k}`).toEqual(expected[k]);
      }
    },
    { timeout: 30_000, interval: 250 },
  );
  const stats = await e.stats();
  const rejected = [...stats].filter(([name, n]) => name.endsWith('update_rejected') && n > 0);
  const out: string[] = [];
  if (rejected.length > 0) out.push(`rejected: ${rejected.map(([n, v]) => `${n}=${v}`).join(', ')}`);
  if (stats.get('control_plane.connected_state') !== 1) out.push('control_plane.connected_state is not 1');
  for (const name of ['listener_manager.lds.update_success', 'cluster_manager.cds.update_success'])
    if (!(stats.get(name)! >= 1)) out.push(`${name} = ${stats.get(name)}`);
  out.push(...contentDifferences(dump!, p));
  return out.length > 0 ? `${p.group}: ${out.join('\n')}` : '';
}

/** Each resource as Envoy holds it, compared with Amime's translation (both in config_dump form). */
function contentDifferences(dump: ConfigDump, p: ProxyConfig): string[] {
  const held = new Map<string, unknown>();
  const section = (suffix: string) =>
    (dump.configs.find((c) => c['@type'] === `type.googleapis.com/envoy.admin.v3.${suffix}`) ??
      {}) as JsonObject;
  for (const l of (section('ListenersConfigDump').dynamic_listeners as JsonObject[] | undefined) ?? []) {
    const state = (l.active_state ?? l.warming_state) as JsonObject | undefined;
    held.set(`listeners/${String(l.name)}`, state?.listener);
  }
  const clusters = section('ClustersConfigDump');
  for (const c of [
    ...((clusters.dynamic_active_clusters as JsonObject[] | undefined) ?? []),
    ...((clusters.dynamic_warming_clusters as JsonObject[] | undefined) ?? []),
  ])
    held.set(`clusters/${String((c.cluster as JsonObject).name)}`, c.cluster);
  for (const r of (section('RoutesConfigDump').dynamic_route_configs as JsonObject[] | undefined) ?? [])
    held.set(`routes/${String((r.route_config as JsonObject).name)}`, r.route_config);
  for (const e of (section('EndpointsConfigDump').dynamic_endpoint_configs as JsonObject[] | undefined) ?? [])
    held.set(`endpoints/${String((e.endpoint_config as JsonObject).cluster_name)}`, e.endpoint_config);
  const out: string[] = [];
  for (const k of KINDS)
    for (const r of p.resources[k] ?? []) {
      const key = `${k}/${String(r.name ?? r.cluster_name)}`;
      const { '@type': _type, ...theirs } = (held.get(key) ?? {}) as JsonObject;
      // Envoy rebuilds an EDS assignment from its hosts (defaults filled in): compare the hosts.
      const same =
        k === 'endpoints'
          ? isDeepStrictEqual(hostsOf(r), hostsOf(theirs))
          : isDeepStrictEqual(redacted(r), theirs);
      if (!same)
        out.push(`${key} differs:\n  amime: ${JSON.stringify(r)}\n  envoy: ${JSON.stringify(theirs)}`);
    }
  return out;
}

/** `r` as config_dump shows it: Envoy prints private keys (a sensitive field) as "[redacted]". */
function redacted(r: unknown): unknown {
  if (Array.isArray(r)) return r.map(redacted);
  if (typeof r !== 'object' || r === null) return r;
  return Object.fromEntries(
    Object.entries(r).map(([k, v]) => [
      k,
      k === 'private_key' && typeof v === 'object' && v !== null
        ? Object.fromEntries(Object.keys(v).map((f) => [f, '[redacted]']))
        : redacted(v),
    ]),
  );
}

/** An assignment's hosts as `zone address:port health`, sorted. */
function hostsOf(cla: JsonObject): string[] {
  type Locality = {
    locality?: { zone?: string };
    lb_endpoints?: Array<{
      endpoint?: { address?: { socket_address?: { address?: string; port_value?: number } } };
      health_status?: string;
    }>;
  };
  return ((cla.endpoints as Locality[] | undefined) ?? [])
    .flatMap((l) =>
      (l.lb_endpoints ?? []).map((e) => {
        const a = e.endpoint?.address?.socket_address;
        return `${l.locality?.zone ?? ''} ${a?.address}:${a?.port_value} ${e.health_status ?? 'UNKNOWN'}`;
      }),
    )
    .sort();
}
