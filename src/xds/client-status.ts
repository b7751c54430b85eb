/**
 * What every connected proxy has been sent, has ACKed and has rejected, as plain
 * JSON for the dashboard and API, and as CSDS (`envoy.service.status.v3`) for
 * tools that speak it. NACKs are kept per stream and per group: a rejected config
 * is news for the mesh operator even after the proxy that rejected it is gone.
 */
import type { ProxyFlavour } from './identity.js';
import type { XdsProtocol } from './events.js';

export interface SentStatus {
  readonly version: string;
  readonly nonce: string;
  /** ISO time. */
  readonly at: string;
}

export interface NackStatus {
  readonly version: string;
  readonly message: string;
  readonly code: number;
  readonly at: string;
}

export interface ResourceStatus {
  readonly name: string;
  /** Version the client holds (ACKed, or claimed when it reconnected). */
  readonly version: string;
}

export interface TypeStatus {
  readonly typeUrl: string;
  readonly wildcard: boolean;
  /** Explicitly subscribed names, sorted. */
  readonly names: readonly string[];
  /** Version the client has ACKed (or claimed on reconnect); null before any. */
  readonly ackedVersion: string | null;
  readonly lastSent: SentStatus | null;
  /** A response is in flight and not yet ACKed or NACKed. */
  readonly pendingAck: boolean;
  readonly lastNack: NackStatus | null;
  /** What the client holds for this type. */
  readonly resources: readonly ResourceStatus[];
}

export interface ClientStatus {
  readonly streamId: number;
  readonly nodeId: string;
  readonly cluster: string;
  readonly group: string;
  readonly flavour: ProxyFlavour;
  readonly protocol: XdsProtocol;
  readonly userAgent: string;
  readonly peer: string;
  /** Name of the authenticated principal, when the server authenticates. */
  readonly principal: string | null;
  readonly connectedSince: string;
  /** The group has no snapshot; the proxy is connected and waits for one. */
  readonly waiting: boolean;
  readonly types: readonly TypeStatus[];
}

export interface GroupNack {
  readonly typeUrl: string;
  readonly version: string;
  readonly message: string;
  readonly nodeId: string;
  readonly at: string;
}

export interface GroupStatus {
  readonly group: string;
  /** Snapshot version, or null when the group has none (its proxies wait). */
  readonly snapshotVersion: string | null;
  readonly connected: number;
  /** Last NACK per type, newest first. */
  readonly nacks: readonly GroupNack[];
}

/** Anything that can describe one connected stream. */
export interface StatusSource {
  status(): ClientStatus | null;
}

export class ClientStatusRegistry {
  private readonly sources = new Map<number, StatusSource>();
  private readonly groupNacks = new Map<string, Map<string, GroupNack>>();

  add(streamId: number, source: StatusSource): void {
    this.sources.set(streamId, source);
  }

  remove(streamId: number): void {
    this.sources.delete(streamId);
  }

  /** Every connected proxy (streams still authenticating are left out). */
  list(): ClientStatus[] {
    const out: ClientStatus[] = [];
    for (const s of this.sources.values()) {
      const st = s.status();
      if (st) out.push(st);
    }
    return out.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : a.streamId - b.streamId));
  }

  recordNack(group: string, nack: GroupNack): void {
    let m = this.groupNacks.get(group);
    if (!m) this.groupNacks.set(group, (m = new Map()));
    m.set(nack.typeUrl, nack);
  }

  nacksOf(group: string): GroupNack[] {
    return [...(this.groupNacks.get(group)?.values() ?? [])].sort((a, b) => (a.at < b.at ? 1 : -1));
  }

  /**
   * Groups with a snapshot or connected proxies, with their NACKs. NACKs of a
   * group that has neither any more are dropped here, so they do not pile up.
   */
  groups(snapshotVersionOf: (group: string) => string | null, knownGroups: readonly string[]): GroupStatus[] {
    const connected = new Map<string, number>();
    for (const s of this.list()) connected.set(s.group, (connected.get(s.group) ?? 0) + 1);
    const names = new Set<string>([...knownGroups, ...connected.keys()]);
    for (const g of this.groupNacks.keys()) if (!names.has(g)) this.groupNacks.delete(g);
    return [...names].sort().map((group) => ({
      group,
      snapshotVersion: snapshotVersionOf(group),
      connected: connected.get(group) ?? 0,
      nacks: this.nacksOf(group),
    }));
  }
}
