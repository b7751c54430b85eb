/**
 * The console under `/ui`: its pages, and the read-only JSON under `/ui/api` that the
 * pages and the CLI (`amime proxy-status`, `amime proxy-config`) share, one source so
 * both show the same data. Everything comes from what the process already holds: the
 * one mesh graph, its diagnostics, the xDS client status and the snapshot cache, and
 * what the other replicas publish of their proxies (StatusBoard), so any replica
 * answers for all of them.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MeshGraph } from '../mesh/index.js';
import type { Diagnostic } from '../model/index.js';
import { XDS_KINDS, type XdsKind } from '../proto/index.js';
import type { ClientStatus, Snapshot } from '../xds/index.js';
import { guard, type ConsoleAccess } from './access.js';
import type { ChangeFeed } from './change-feed.js';
import { findProxy } from './find-proxy.js';
import { loginPage, registerLogin } from './login.js';
import { proxyConfig } from './proxy-config.js';
import { proxyStatusRows, type ProxyStatusRow } from './proxy-status.js';
import { resourcePage } from './resource-page.js';
import { loadAssets, type Asset } from './static.js';
import { allRows, meshTopology, pictureGroup, summarize } from './topology.js';
import type { MeshesResponse, TopologyKind } from './wire.js';

export const CONSOLE_API = '/ui/api';
export const PROXIES_PATH = `${CONSOLE_API}/proxies`;
export const PROXY_CONFIG_PATH = `${CONSOLE_API}/proxy-config`;
export const MESHES_PATH = `${CONSOLE_API}/meshes`;
export const TOPOLOGY_PATH = `${CONSOLE_API}/topology`;
export const RESOURCE_PATH = `${CONSOLE_API}/resource`;
export const EVENTS_PATH = `${CONSOLE_API}/events`;

/** What the console reads from the running server. */
export interface ConsoleSources {
  /** This replica's name (the pod name on Kubernetes, else the host name). */
  replica: string;
  clients(): readonly ClientStatus[];
  /** The proxies connected to the other replicas (StatusBoard.rows); absent with one replica. */
  elsewhere?(now: number): readonly ProxyStatusRow[];
  /** Rows the other replicas left out of their records (too big: StatusBoard.omitted). */
  omitted?(): number;
  /** The group's snapshots, the current one first, then a few earlier ones (SnapshotHistory). */
  snapshots(group: string): readonly Snapshot[];
  /** The process's one mesh graph (undefined before the first translation). */
  graph?(): MeshGraph | undefined;
  /** The served configuration's problems (with file:line under `--from`). */
  diagnostics?(): readonly Diagnostic[];
  /** Changes the open pages follow. */
  feed?: ChangeFeed;
  /** Why the server is read-only (`--from`), shown on every page. */
  readOnly?: string;
  now?: () => number;
}

export interface ProxiesResponse {
  /** The replica that answered. */
  replica: string;
  /** Every replica's proxies, by node id, then replica. */
  proxies: ProxyStatusRow[];
  /** Proxies of other replicas not listed: their records would have been too big. */
  omitted?: number;
}

export interface ConsoleRoutesOptions {
  sources: ConsoleSources;
  access: ConsoleAccess;
  /** The built pages (default: dist/console/ui). */
  assets?: Map<string, Asset>;
}

function parseKinds(raw: unknown): XdsKind[] | string {
  if (raw === undefined || raw === '') return [...XDS_KINDS];
  const kinds = String(raw)
    .split(',')
    .map((k) => k.trim());
  const bad = kinds.find((k) => !XDS_KINDS.includes(k as XdsKind));
  return bad === undefined ? (kinds as XdsKind[]) : `type "${bad}": expected one of ${XDS_KINDS.join(', ')}`;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const TOPOLOGY_KINDS: readonly TopologyKind[] = [
  'VirtualGateway',
  'GatewayRoute',
  'VirtualService',
  'VirtualRouter',
  'Route',
  'VirtualNode',
];

export async function consoleApi(app: FastifyInstance, options: ConsoleRoutesOptions): Promise<void> {
  await app.register(async (open) => registerLogin(open, options.access));
  await app.register(async (guarded) => guardedRoutes(guarded, options));
}

async function guardedRoutes(app: FastifyInstance, options: ConsoleRoutesOptions): Promise<void> {
  const { sources } = options;
  const now = sources.now ?? Date.now;
  const assets = options.assets ?? loadAssets();
  app.addHook('onRequest', guard(options.access, loginPage));
  app.addHook('onSend', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
  });
  const graph = () => sources.graph?.();
  const diagnostics = () => sources.diagnostics?.() ?? graph()?.diagnostics ?? [];
  const notFound = (reply: FastifyReply, message: string) => reply.code(404).send({ message });

  const elsewhere = (at: number) => sources.elsewhere?.(at) ?? [];
  const input = () => {
    const at = now();
    return { clients: sources.clients(), replica: sources.replica, now: at, elsewhere: elsewhere(at) };
  };

  app.get(PROXIES_PATH, async (): Promise<ProxiesResponse> => {
    const at = now();
    const rows = [
      ...proxyStatusRows(
        sources.clients(),
        sources.replica,
        at,
        (g) => sources.snapshots(g)[0]?.version ?? null,
      ),
      ...elsewhere(at),
    ];
    rows.sort((a, b) => compare(a.nodeId, b.nodeId) || compare(a.replica, b.replica));
    const omitted = sources.omitted?.() ?? 0;
    return { replica: sources.replica, proxies: rows, ...(omitted > 0 ? { omitted } : {}) };
  });

  app.get(PROXY_CONFIG_PATH, async (req, reply) => {
    const q = req.query as { proxy?: string; type?: string; acked?: string };
    if (!q.proxy)
      return reply.code(400).send({ message: 'proxy: give a node id (GET /ui/api/proxies lists them)' });
    const kinds = parseKinds(q.type);
    if (typeof kinds === 'string') return reply.code(400).send({ message: kinds });
    const found = findProxy(sources.clients(), q.proxy);
    if ('error' in found) {
      // The configuration is rendered where the proxy is connected; say which replica that is.
      const there = findProxy(elsewhere(now()), q.proxy);
      if ('client' in there)
        return reply.code(404).send({
          message: `${there.client.nodeId} is connected to replica ${there.client.replica}, not to this one (${sources.replica}): ask that replica's API (--server)`,
          replica: there.client.replica,
          candidates: [],
        });
      return reply.code(404).send({ message: found.error, candidates: found.candidates });
    }
    const acked = q.acked === 'true' || q.acked === '1';
    return proxyConfig(found.client, sources.snapshots(found.client.group), kinds, acked);
  });

  app.get(MESHES_PATH, async (): Promise<MeshesResponse> => {
    const g = graph();
    const proxies = input();
    const meshes = [...(g?.meshes ?? new Map()).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    return {
      meshes: meshes.map(([name, view]) => {
        const t = meshTopology(name, view, { graph: g!, diagnostics: diagnostics(), ...proxies });
        return {
          name,
          resources: t.nodes.length,
          proxies: t.nodes.reduce((n, x) => n + (x.proxies?.connected ?? 0), 0),
          problems: t.problems.filter((p) => p.severity === 'error').length,
        };
      }),
      ...(sources.readOnly ? { readOnly: sources.readOnly } : {}),
    };
  });

  app.get(TOPOLOGY_PATH, async (req, reply) => {
    const mesh = (req.query as { mesh?: string }).mesh ?? '';
    const g = graph();
    const view = g?.meshes.get(mesh);
    if (!g || !view) return notFound(reply, `no mesh "${mesh}" (GET ${MESHES_PATH} lists them)`);
    return {
      ...meshTopology(mesh, view, { graph: g, diagnostics: diagnostics(), ...input() }),
      ...(sources.readOnly ? { readOnly: sources.readOnly } : {}),
    };
  });

  app.get(RESOURCE_PATH, async (req, reply) => {
    const q = req.query as { mesh?: string; kind?: string; name?: string; parent?: string };
    const view = graph()?.meshes.get(q.mesh ?? '');
    const kind = q.kind as TopologyKind;
    if (!view || !TOPOLOGY_KINDS.includes(kind) || !q.name)
      return reply
        .code(400)
        .send({ message: `give mesh, kind (${TOPOLOGY_KINDS.join(', ')}), name, and parent for routes` });
    const rows = allRows(input());
    const byGroup = (group: string) => rows.filter((r) => pictureGroup(r) === group);
    const page = resourcePage(
      q.mesh!,
      view,
      { kind, name: q.name, ...(q.parent ? { parent: q.parent } : {}) },
      diagnostics(),
      (group) => sources.snapshots(group)[0],
      (group) => summarize(byGroup(group)),
    );
    return page ?? notFound(reply, `no ${kind} "${q.name}" in mesh ${q.mesh}`);
  });

  // Open event streams never go idle, so the server ends them itself when it closes.
  const streams = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of streams) res.end();
  });
  app.get(EVENTS_PATH, async (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 1000\n\n');
    streams.add(res);
    const unsubscribe = sources.feed?.subscribe((seq) => res.write(`event: change\ndata: ${seq}\n\n`));
    // Proxies and load balancers close idle streams; a comment keeps this one open.
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    keepAlive.unref();
    req.raw.on('close', () => {
      streams.delete(res);
      clearInterval(keepAlive);
      unsubscribe?.();
    });
  });

  const page = (name: string) => async (_req: unknown, reply: FastifyReply) => {
    const asset = assets.get(name);
    if (!asset)
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('the console was not built into this package: run npm run build (scripts/build-ui.mjs)');
    return reply.type(asset.type).send(asset.body);
  };
  app.get('/ui', async (_req, reply) => reply.redirect('/ui/', 302));
  app.get('/ui/', page('index.html'));
  app.get('/ui/assets/:name', async (req, reply) => page((req.params as { name: string }).name)(req, reply));
}
