/**
 * One row per connected proxy, per xDS type a state like `istioctl proxy-status`:
 * SYNCED (it ACKed the newest version sent), STALE (a newer version is in flight or
 * it holds an older one), NACKED (it rejected the newest version sent; Envoy's
 * message is kept), NOT SENT (it has not asked for, or not been sent, that type).
 * The console and `amime proxy-status` both show these rows.
 */
import { TYPE_URL, type ClientStatus, type TypeStatus } from '../xds/index.js';

export type SyncState = 'SYNCED' | 'STALE' | 'NACKED' | 'NOT SENT';

/** The xDS types in the order of `istioctl proxy-status`. */
export const STATUS_TYPES = ['CDS', 'LDS', 'EDS', 'RDS', 'SDS'] as const;
export type StatusType = (typeof STATUS_TYPES)[number];

const TYPE_URL_OF: Readonly<Record<StatusType, string>> = {
  CDS: TYPE_URL.Cluster,
  LDS: TYPE_URL.Listener,
  EDS: TYPE_URL.ClusterLoadAssignment,
  RDS: TYPE_URL.RouteConfiguration,
  SDS: TYPE_URL.Secret,
};

export interface TypeSync {
  readonly state: SyncState;
  /** What the proxy holds (ACKed), or null before its first ACK. */
  readonly ackedVersion: string | null;
  /** The newest version sent to it. */
  readonly sentVersion: string | null;
  /** The number of resources it holds. */
  readonly resources: number;
  /** Envoy's message when the state is NACKED. */
  readonly error?: string;
  readonly rejectedVersion?: string;
  readonly rejectedAt?: string;
}

export interface ProxyStatusRow {
  readonly nodeId: string;
  /** The proxy group (translation unit) it belongs to. */
  readonly group: string;
  /** The group's current configuration version (null: none yet). */
  readonly snapshotVersion: string | null;
  /** The Amime replica the proxy is connected to. */
  readonly replica: string;
  readonly flavour: ClientStatus['flavour'];
  readonly protocol: ClientStatus['protocol'];
  readonly peer: string;
  readonly connectedSince: string;
  readonly ageSeconds: number;
  /** The group has no configuration yet; the proxy waits for one. */
  readonly waiting: boolean;
  readonly types: Readonly<Record<StatusType, TypeSync>>;
  /** Worst state over the types: NACKED > STALE > SYNCED (NOT SENT does not count). */
  readonly state: SyncState;
}

/** One type's state from what the stream recorded. */
export function typeSync(t: TypeStatus | undefined): TypeSync {
  if (!t || !t.lastSent)
    return {
      state: 'NOT SENT',
      ackedVersion: t?.ackedVersion ?? null,
      sentVersion: null,
      resources: t?.resources.length ?? 0,
    };
  const base = {
    ackedVersion: t.ackedVersion,
    sentVersion: t.lastSent.version,
    resources: t.resources.length,
  };
  const nack = t.lastNack;
  // A rejected version is not sent again, so the newest sent one stays the rejected one until the mesh changes.
  if (nack && !t.pendingAck && nack.version === t.lastSent.version && nack.version !== t.ackedVersion)
    return {
      ...base,
      state: 'NACKED',
      error: nack.message,
      rejectedVersion: nack.version,
      rejectedAt: nack.at,
    };
  if (t.pendingAck || t.ackedVersion !== t.lastSent.version) return { ...base, state: 'STALE' };
  return { ...base, state: 'SYNCED' };
}

const RANK: Readonly<Record<SyncState, number>> = { 'NOT SENT': 0, SYNCED: 1, STALE: 2, NACKED: 3 };

export function proxyStatusRow(
  c: ClientStatus,
  replica: string,
  now: number,
  snapshotVersion: string | null,
): ProxyStatusRow {
  const byUrl = new Map(c.types.map((t) => [t.typeUrl, t]));
  const types = Object.fromEntries(
    STATUS_TYPES.map((s) => [s, typeSync(byUrl.get(TYPE_URL_OF[s]))]),
  ) as Record<StatusType, TypeSync>;
  let state: SyncState = c.waiting ? 'STALE' : 'NOT SENT';
  for (const s of STATUS_TYPES) if (RANK[types[s].state] > RANK[state]) state = types[s].state;
  return {
    nodeId: c.nodeId,
    group: c.group,
    snapshotVersion,
    replica,
    flavour: c.flavour,
    protocol: c.protocol,
    peer: c.peer,
    connectedSince: c.connectedSince,
    ageSeconds: Math.max(0, Math.round((now - Date.parse(c.connectedSince)) / 1000)),
    waiting: c.waiting,
    types,
    state,
  };
}

export function proxyStatusRows(
  clients: readonly ClientStatus[],
  replica: string,
  now: number,
  snapshotVersionOf: (group: string) => string | null,
): ProxyStatusRow[] {
  return clients.map((c) => proxyStatusRow(c, replica, now, snapshotVersionOf(c.group)));
}
