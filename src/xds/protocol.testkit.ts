/**
 * A stream double for the SotW and delta state machines (as go-control-plane tests
 * its servers with a mock stream and watcher): requests go in by hand, flushes run
 * when the test says, responses are decoded and kept, the clock is the test's.
 * Everything is synchronous, so every protocol rule is tested deterministically.
 */
import { messageType } from '../proto/index.js';
import type { DeltaDiscoveryRequestMsg, DiscoveryRequestMsg } from './codec.js';
import type { AckMeta, NackMeta, ProtocolHost, PushMeta } from './protocol.js';
import { SnapshotCache, type SnapshotInput, type SnapshotOptions } from './snapshot-cache.js';

export interface SentSotw {
  version: string;
  typeUrl: string;
  nonce: string;
  names: string[];
}

export interface SentDelta {
  systemVersion: string;
  typeUrl: string;
  nonce: string;
  resources: { name: string; version: string }[];
  removed: string[];
}

const sotwType = messageType('envoy.service.discovery.v3.DiscoveryResponse');
const deltaType = messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse');

/** The name of an encoded resource of any served type (`name`, or `cluster_name` for endpoints). */
function nameOf(any: { type_url: string; value: Uint8Array }): string {
  const t = messageType(any.type_url.replace(/^type\.googleapis\.com\//, ''));
  const o = t.decode(any.value) as unknown as { name?: string; cluster_name?: string };
  return o.name ?? o.cluster_name ?? '';
}

export class FakeHost implements ProtocolHost {
  readonly streamId = 1;
  clock = 1_000_000;
  readonly sent: Buffer[] = [];
  readonly meta: PushMeta[] = [];
  readonly acks: AckMeta[] = [];
  readonly nacks: NackMeta[] = [];
  readonly limits: string[] = [];
  flushRequests = 0;

  now(): number {
    return this.clock;
  }
  send(response: Buffer, meta: PushMeta): void {
    // Copied, as gRPC does (see sendCopies): a lent body is overwritten by the next one.
    this.sent.push(Buffer.from(response));
    this.meta.push(meta);
  }
  sendCopies(): boolean {
    return true;
  }
  acked(meta: AckMeta): void {
    this.acks.push(meta);
  }
  nacked(meta: NackMeta): void {
    this.nacks.push(meta);
  }
  scheduleFlush(): void {
    this.flushRequests++;
  }
  limitExceeded(message: string): void {
    this.limits.push(message);
  }

  /** SotW responses sent since the last call, decoded. */
  takeSotw(): SentSotw[] {
    return this.sent.splice(0).map((b) => {
      const m = sotwType.decode(b) as unknown as {
        version_info: string;
        type_url: string;
        nonce: string;
        resources: { type_url: string; value: Uint8Array }[];
      };
      return { version: m.version_info, typeUrl: m.type_url, nonce: m.nonce, names: m.resources.map(nameOf) };
    });
  }

  /** Delta responses sent since the last call, decoded. */
  takeDelta(): SentDelta[] {
    return this.sent.splice(0).map((b) => {
      const m = deltaType.decode(b) as unknown as {
        system_version_info: string;
        type_url: string;
        nonce: string;
        resources: { name: string; version: string }[];
        removed_resources: string[];
      };
      return {
        systemVersion: m.system_version_info,
        typeUrl: m.type_url,
        nonce: m.nonce,
        resources: m.resources.map((r) => ({ name: r.name, version: r.version })),
        removed: [...m.removed_resources],
      };
    });
  }
}

/** A one-group cache the tests change by hand. */
export class FakeGroup {
  readonly cache = new SnapshotCache({ now: () => 0 });
  set(input: SnapshotInput, options?: SnapshotOptions): void {
    this.cache.setSnapshot('g', input, options);
  }
  get view() {
    return this.cache.state('g');
  }
}

export function sotwRequest(r: Partial<DiscoveryRequestMsg> & { typeUrl: string }): DiscoveryRequestMsg {
  return { versionInfo: '', node: null, resourceNames: [], responseNonce: '', errorDetail: null, ...r };
}

export function deltaRequest(
  r: Partial<DeltaDiscoveryRequestMsg> & { typeUrl: string },
): DeltaDiscoveryRequestMsg {
  return {
    node: null,
    subscribe: [],
    unsubscribe: [],
    initialResourceVersions: new Map(),
    responseNonce: '',
    errorDetail: null,
    ...r,
  };
}

const encode = (typeName: string, o: Record<string, unknown>): Uint8Array => {
  const t = messageType(typeName);
  return t.encode(t.fromObject(o)).finish();
};

/** Small resources whose content changes with `v`. */
export const res = {
  cluster: (name: string, v = 1): Uint8Array =>
    encode('envoy.config.cluster.v3.Cluster', {
      name,
      type: 'EDS',
      eds_cluster_config: { eds_config: { ads: {} } },
      connect_timeout: { seconds: v },
    }),
  cla: (name: string, v = 1): Uint8Array =>
    encode('envoy.config.endpoint.v3.ClusterLoadAssignment', {
      cluster_name: name,
      endpoints: [
        {
          lb_endpoints: [
            { endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: v } } } },
          ],
        },
      ],
    }),
  listener: (name: string, v = 1): Uint8Array =>
    encode('envoy.config.listener.v3.Listener', {
      name,
      address: { socket_address: { address: '0.0.0.0', port_value: v } },
    }),
  route: (name: string, v = 1): Uint8Array =>
    encode('envoy.config.route.v3.RouteConfiguration', {
      name,
      virtual_hosts: [{ name: 'vh', domains: [`v${v}`] }],
    }),
};
