/**
 * A proxy as the HA tests need one: one ADS stream (SotW or delta) to one of several
 * replica addresses, like Envoy whose xDS cluster is a DNS name or Service with several
 * addresses. When the stream ends it reconnects to the next address (backoff from
 * 50 ms to 1 s) and says what it holds: SotW sends the last ACKed version_info per type,
 * delta the initial_resource_versions. It subscribes to clusters and listeners
 * (wildcard), ACKs everything, and records what a moving proxy must never see:
 * - a re-push: a response carrying a version it already holds (a SotW type at the same
 *   version_info, a delta resource at the same version);
 * - an older configuration: the clusters it holds name the virtual node `w-<n>` the
 *   test's route points at, and n only ever grows; a smaller n after a larger one ACKed
 *   is configuration older than it had.
 */
import * as grpc from '@grpc/grpc-js';
import { messageType } from '../../../src/proto/root.js';
import { TYPE_URL } from '../../../src/xds/index.js';

const ADS = '/envoy.service.discovery.v3.AggregatedDiscoveryService';
const TYPES = [TYPE_URL.Cluster, TYPE_URL.Listener] as const;
const SOTW_REQ = messageType('envoy.service.discovery.v3.DiscoveryRequest');
const SOTW_RES = messageType('envoy.service.discovery.v3.DiscoveryResponse');
const DELTA_REQ = messageType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
const DELTA_RES = messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse');
const CLUSTER = messageType('envoy.config.cluster.v3.Cluster');

interface RawAny {
  type_url: string;
  value: Uint8Array;
}

export interface Move {
  /** When the stream to `from` ended. */
  endedAt: number;
  from: number;
  to?: number;
  /** First response on the new stream. */
  firstResponseAt?: number;
}

export class MovingProxy {
  /** SotW: the ACKed version per type. */
  private readonly sotwHeld = new Map<string, { version: string; names: string[] }>();
  /** Delta: name → version per type. */
  private readonly deltaHeld = new Map<string, Map<string, string>>();
  private client: grpc.Client | undefined;
  private call: grpc.ClientDuplexStream<Record<string, unknown>, Record<string, unknown>> | undefined;
  private stopped = false;
  private backoffMs = 50;
  /** Highest `w-<n>` the ACKed clusters named. */
  highestTarget = -1;
  readonly violations: string[] = [];
  readonly moves: Move[] = [];
  responses = 0;
  private waiters: Array<{ n: number; resolve: (at: number) => void }> = [];
  /** Index (into `ports`) of the replica it talks to now. */
  at: number;

  constructor(
    readonly node: { id: string; cluster: string },
    readonly protocol: 'sotw' | 'delta',
    private readonly ports: () => readonly number[],
    start: number,
  ) {
    this.at = start;
    this.connect();
  }

  /** The version of a type it holds (SotW) or its sorted name=version list (delta). */
  held(typeUrl: string): string {
    if (this.protocol === 'sotw') return this.sotwHeld.get(typeUrl)?.version ?? '';
    return [...(this.deltaHeld.get(typeUrl) ?? new Map<string, string>())]
      .map(([n, v]) => `${n}=${v}`)
      .sort()
      .join(',');
  }

  /** Resolves with the time the clusters it ACKed first named w-<n> or later. */
  reaches(n: number, timeoutMs = 30_000): Promise<number> {
    if (this.highestTarget >= n) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.node.id} did not get w-${n} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({ n, resolve: (at) => (clearTimeout(timer), resolve(at)) });
    });
  }

  close(): void {
    this.stopped = true;
    this.call?.cancel();
    this.client?.close();
  }

  private connect(): void {
    if (this.stopped) return;
    const port = this.ports()[this.at]!;
    this.client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
    });
    const sotw = this.protocol === 'sotw';
    const call = this.client.makeBidiStreamRequest<Record<string, unknown>, Record<string, unknown>>(
      `${ADS}/${sotw ? 'StreamAggregatedResources' : 'DeltaAggregatedResources'}`,
      (r) =>
        Buffer.from(
          (sotw ? SOTW_REQ : DELTA_REQ).encode((sotw ? SOTW_REQ : DELTA_REQ).fromObject(r)).finish(),
        ),
      (b) => (sotw ? SOTW_RES : DELTA_RES).decode(b) as unknown as Record<string, unknown>,
      new grpc.Metadata(),
    );
    this.call = call;
    let first = true;
    call.on('data', (res: Record<string, unknown>) => {
      if (first) {
        first = false;
        this.backoffMs = 50;
        const move = this.moves.at(-1);
        if (move && move.firstResponseAt === undefined) move.firstResponseAt = Date.now();
      }
      this.responses++;
      if (sotw) this.onSotw(call, res);
      else this.onDelta(call, res);
    });
    call.on('error', () => undefined);
    call.on('status', () => {
      if (this.stopped || this.call !== call) return;
      this.moves.push({ endedAt: Date.now(), from: this.at });
      this.client?.close();
      this.at = (this.at + 1) % this.ports().length;
      setTimeout(() => {
        const move = this.moves.at(-1);
        if (move) move.to = this.at;
        this.connect();
      }, this.backoffMs);
      this.backoffMs = Math.min(1000, this.backoffMs * 2);
    });
    const node = { ...this.node, user_agent_name: 'envoy' };
    for (const [i, typeUrl] of TYPES.entries()) {
      if (sotw) {
        const held = this.sotwHeld.get(typeUrl);
        call.write({
          type_url: typeUrl,
          version_info: held?.version ?? '',
          resource_names: [],
          ...(i === 0 ? { node } : {}),
        });
      } else {
        call.write({
          type_url: typeUrl,
          initial_resource_versions: Object.fromEntries(this.deltaHeld.get(typeUrl) ?? []),
          ...(i === 0 ? { node } : {}),
        });
      }
    }
  }

  private onSotw(
    call: grpc.ClientDuplexStream<Record<string, unknown>, Record<string, unknown>>,
    res: Record<string, unknown>,
  ): void {
    const typeUrl = String(res.type_url);
    const version = String(res.version_info);
    const resources = res.resources as RawAny[];
    const names =
      typeUrl === TYPE_URL.Cluster
        ? resources.map((a) => String((CLUSTER.decode(a.value) as unknown as { name: string }).name))
        : [];
    const held = this.sotwHeld.get(typeUrl);
    if (held && held.version === version)
      this.violations.push(`${this.node.id}: ${typeUrl} re-pushed at version ${version}`);
    if (typeUrl === TYPE_URL.Cluster) this.checkOrder(names);
    this.sotwHeld.set(typeUrl, { version, names });
    call.write({ type_url: typeUrl, version_info: version, response_nonce: res.nonce, resource_names: [] });
  }

  private onDelta(
    call: grpc.ClientDuplexStream<Record<string, unknown>, Record<string, unknown>>,
    res: Record<string, unknown>,
  ): void {
    const typeUrl = String(res.type_url);
    const held = this.deltaHeld.get(typeUrl) ?? new Map<string, string>();
    for (const r of res.resources as Array<{ name: string; version: string }>) {
      if (held.get(r.name) === r.version)
        this.violations.push(`${this.node.id}: ${r.name} re-pushed at version ${r.version}`);
      held.set(r.name, r.version);
    }
    for (const name of res.removed_resources as string[]) held.delete(name);
    this.deltaHeld.set(typeUrl, held);
    if (typeUrl === TYPE_URL.Cluster) this.checkOrder([...held.keys()]);
    call.write({ type_url: typeUrl, response_nonce: res.nonce });
  }

  private checkOrder(clusterNames: readonly string[]): void {
    const targets = clusterNames
      .map((n) => /w-(\d+)/.exec(n))
      .filter((m) => m !== null)
      .map((m) => Number(m[1]));
    if (targets.length === 0) return;
    const n = Math.max(...targets);
    if (n < this.highestTarget)
      this.violations.push(
        `${this.node.id}: clusters for w-${n} after w-${this.highestTarget} (older configuration)`,
      );
    this.highestTarget = Math.max(this.highestTarget, n);
    if (this.waiters.length === 0) return;
    const now = performance.now();
    const reached = this.waiters.filter((w) => w.n <= n);
    this.waiters = this.waiters.filter((w) => w.n > n);
    for (const w of reached) w.resolve(now);
  }
}
