/**
 * What the server sends one connected proxy (its group's snapshot, narrowed to the
 * names it subscribes to), or with `acked` what it last ACKed, per xDS kind, in the
 * JSON of Envoy's config_dump. The console's resource page and `amime proxy-config`
 * show this. Secrets are metadata only (secret-metadata.ts).
 */
import {
  toJsonView,
  XDS_KINDS,
  XDS_TYPE_NAME,
  XDS_TYPE_URL,
  type JsonValue,
  type XdsKind,
} from '../proto/index.js';
import type { ClientStatus, Snapshot } from '../xds/index.js';
import { secretMetadata } from './secret-metadata.js';

export interface HeldElsewhere {
  name: string;
  version: string;
  /** Why the content is not shown. */
  reason: string;
}

export interface ProxyConfig {
  nodeId: string;
  group: string;
  /** True: what the proxy ACKed; false: what the server sends it now. */
  acked: boolean;
  /** The group's snapshot version, or null when it has none. */
  snapshotVersion: string | null;
  resources: Partial<Record<XdsKind, JsonValue[]>>;
  /** ACKed resources whose content the server no longer holds (only with `acked`). */
  notHeld: HeldElsewhere[];
}

/** One encoded resource as config_dump JSON; a Secret as metadata only. */
export function resourceView(kind: XdsKind, bytes: Uint8Array): JsonValue {
  const json = toJsonView(XDS_TYPE_NAME[kind], bytes);
  return kind === 'secrets' ? secretMetadata(json) : json;
}

/** Everything a group's snapshot holds, per kind, sorted by name. */
export function snapshotView(snapshot: Snapshot | undefined): Partial<Record<XdsKind, JsonValue[]>> {
  const out: Partial<Record<XdsKind, JsonValue[]>> = {};
  for (const kind of XDS_KINDS) {
    const held = snapshot?.types.get(XDS_TYPE_URL[kind])?.resources;
    out[kind] = held ? [...held.keys()].sort().map((name) => resourceView(kind, held.get(name)!.bytes)) : [];
  }
  return out;
}

/** `snapshots`: the group's current snapshot first, then earlier ones (SnapshotHistory). */
export function proxyConfig(
  client: ClientStatus,
  snapshots: readonly Snapshot[],
  kinds: readonly XdsKind[] = XDS_KINDS,
  acked = false,
): ProxyConfig {
  const resources: Partial<Record<XdsKind, JsonValue[]>> = {};
  const notHeld: HeldElsewhere[] = [];
  const snapshot = snapshots[0];
  for (const kind of XDS_KINDS) {
    if (!kinds.includes(kind)) continue;
    const typeUrl = XDS_TYPE_URL[kind];
    const status = client.types.find((t) => t.typeUrl === typeUrl);
    const held = snapshot?.types.get(typeUrl)?.resources;
    const view = (bytes: Uint8Array): JsonValue => resourceView(kind, bytes);
    const out: JsonValue[] = [];
    if (acked) {
      for (const r of status?.resources ?? []) {
        const entry = snapshots
          .map((s) => s.types.get(typeUrl)?.resources.get(r.name))
          .find((e) => e?.wireVersion === r.version);
        if (entry) out.push(view(entry.bytes));
        else
          notHeld.push({
            name: r.name,
            version: r.version,
            reason: 'the server no longer holds this version (it keeps the last few per group)',
          });
      }
    } else if (status && held) {
      const names = status.wildcard ? [...held.keys()].sort() : status.names;
      for (const name of names) {
        const entry = held.get(name);
        if (entry) out.push(view(entry.bytes));
      }
    }
    resources[kind] = out;
  }
  return {
    nodeId: client.nodeId,
    group: client.group,
    acked,
    snapshotVersion: snapshot?.version ?? null,
    resources,
    notHeld,
  };
}
