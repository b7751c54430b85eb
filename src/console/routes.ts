/**
 * The console's read-only JSON endpoints under `/ui/api`, shared by the web console
 * and the CLI (`amime proxy-status`, `amime proxy-config`): one source, so both show
 * the same data. Everything comes from what the process already holds: the xDS
 * server's client status and the snapshot cache.
 */
import type { FastifyInstance } from 'fastify';
import { XDS_KINDS, type XdsKind } from '../proto/index.js';
import type { ClientStatus, Snapshot } from '../xds/index.js';
import { guard, type ConsoleAccess } from './access.js';
import { findProxy } from './find-proxy.js';
import { registerLogin } from './login.js';
import { proxyConfig } from './proxy-config.js';
import { proxyStatusRows, type ProxyStatusRow } from './proxy-status.js';

export const CONSOLE_API = '/ui/api';
export const PROXIES_PATH = `${CONSOLE_API}/proxies`;
export const PROXY_CONFIG_PATH = `${CONSOLE_API}/proxy-config`;

/** What the console reads from the running server. */
export interface ConsoleSources {
  /** This replica's name (the pod name on Kubernetes, else the host name). */
  replica: string;
  clients(): readonly ClientStatus[];
  /** The group's snapshots, the current one first, then a few earlier ones (SnapshotHistory). */
  snapshots(group: string): readonly Snapshot[];
  now?: () => number;
}

export interface ProxiesResponse {
  replica: string;
  proxies: ProxyStatusRow[];
}

export interface ConsoleRoutesOptions {
  sources: ConsoleSources;
  access: ConsoleAccess;
}

function parseKinds(raw: unknown): XdsKind[] | string {
  if (raw === undefined || raw === '') return [...XDS_KINDS];
  const kinds = String(raw)
    .split(',')
    .map((k) => k.trim());
  const bad = kinds.find((k) => !XDS_KINDS.includes(k as XdsKind));
  return bad === undefined ? (kinds as XdsKind[]) : `type "${bad}": expected one of ${XDS_KINDS.join(', ')}`;
}

export async function consoleApi(app: FastifyInstance, options: ConsoleRoutesOptions): Promise<void> {
  await app.register(async (open) => registerLogin(open, options.access));
  await app.register(async (guarded) => guardedRoutes(guarded, options));
}

async function guardedRoutes(app: FastifyInstance, options: ConsoleRoutesOptions): Promise<void> {
  const { sources } = options;
  const now = sources.now ?? Date.now;
  app.addHook('onRequest', guard(options.access));
  app.addHook('onSend', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.get(PROXIES_PATH, async (): Promise<ProxiesResponse> => ({
    replica: sources.replica,
    proxies: proxyStatusRows(
      sources.clients(),
      sources.replica,
      now(),
      (g) => sources.snapshots(g)[0]?.version ?? null,
    ),
  }));

  app.get(PROXY_CONFIG_PATH, async (req, reply) => {
    const q = req.query as { proxy?: string; type?: string; acked?: string };
    if (!q.proxy)
      return reply.code(400).send({ message: 'proxy: give a node id (GET /ui/api/proxies lists them)' });
    const kinds = parseKinds(q.type);
    if (typeof kinds === 'string') return reply.code(400).send({ message: kinds });
    const found = findProxy(sources.clients(), q.proxy);
    if ('error' in found) return reply.code(404).send({ message: found.error, candidates: found.candidates });
    const acked = q.acked === 'true' || q.acked === '1';
    return proxyConfig(found.client, sources.snapshots(found.client.group), kinds, acked);
  });
}
