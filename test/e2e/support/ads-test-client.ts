/**
 * A small, explicit ADS client for protocol tests: SotW or delta, over
 * @grpc/grpc-js, with requests and responses encoded/decoded by protobufjs from
 * the Envoy protos. It does exactly what the test tells it (no automatic ACKs),
 * so tests can hold ACKs back, NACK, or send stale nonces.
 */
import * as grpc from '@grpc/grpc-js';
import { messageType } from '../../../src/proto/root.js';
import { TYPE_URL } from '../../../src/xds/index.js';

const ADS = '/envoy.service.discovery.v3.AggregatedDiscoveryService';

export interface NodeSpec {
  id: string;
  cluster?: string;
  user_agent_name?: string;
  client_features?: string[];
  /** google.protobuf.Struct in protobufjs' form (`{ fields: { k: { stringValue } } }`). */
  metadata?: unknown;
}

export interface SotwRequest {
  type_url: string;
  resource_names?: string[];
  version_info?: string;
  response_nonce?: string;
  node?: NodeSpec;
  error_detail?: { code: number; message: string };
}

export interface DeltaRequest {
  type_url: string;
  resource_names_subscribe?: string[];
  resource_names_unsubscribe?: string[];
  initial_resource_versions?: Record<string, string>;
  response_nonce?: string;
  node?: NodeSpec;
  error_detail?: { code: number; message: string };
}

export interface SotwResponse {
  version_info: string;
  type_url: string;
  nonce: string;
  /** Names of the resources, decoded from the Any values. */
  names: string[];
  /** Decoded resources as plain objects. */
  resources: Record<string, unknown>[];
}

export interface DeltaResponse {
  system_version_info: string;
  type_url: string;
  nonce: string;
  resources: { name: string; version: string; value: Record<string, unknown> }[];
  removed_resources: string[];
}

export interface StreamEnd {
  code: number;
  details: string;
}

interface RawAny {
  type_url: string;
  value: Uint8Array;
}

function decodeAny(a: RawAny): Record<string, unknown> {
  const t = messageType(a.type_url.replace(/^type\.googleapis\.com\//, ''));
  return t.toObject(t.decode(a.value), { longs: String, enums: String, defaults: false }) as Record<
    string,
    unknown
  >;
}

function resourceName(o: Record<string, unknown>): string {
  return String(o.name ?? o.cluster_name ?? '');
}

type Decoded<R> = R;

class BaseClient<Req, Res> {
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<Req, Res>;
  private readonly queue: Res[] = [];
  private waiters: ((r: Res) => void)[] = [];
  /** Every response received, in order. */
  readonly received: Res[] = [];
  readonly ended: Promise<StreamEnd>;

  constructor(
    port: number,
    method: string,
    serialize: (r: Req) => Buffer,
    deserialize: (b: Buffer) => Decoded<Res>,
    opts: {
      metadata?: grpc.Metadata;
      credentials?: grpc.ChannelCredentials;
      host?: string;
      channelOptions?: grpc.ChannelOptions;
    } = {},
  ) {
    this.client = new grpc.Client(
      `${opts.host ?? '127.0.0.1'}:${port}`,
      opts.credentials ?? grpc.credentials.createInsecure(),
      {
        // A separate connection per test client, like separate proxies.
        'grpc.use_local_subchannel_pool': 1,
        ...opts.channelOptions,
      },
    );
    this.call = this.client.makeBidiStreamRequest(
      `${ADS}/${method}`,
      serialize,
      deserialize,
      opts.metadata ?? new grpc.Metadata(),
    );
    this.call.on('data', (r: Res) => {
      this.received.push(r);
      const w = this.waiters.shift();
      if (w) w(r);
      else this.queue.push(r);
    });
    this.ended = new Promise((resolve) => {
      this.call.on('status', (s: grpc.StatusObject) => resolve({ code: s.code, details: s.details }));
      this.call.on('error', () => {});
    });
  }

  send(req: Req): void {
    this.call.write(req);
  }

  /** The next response; fails after `timeoutMs`. */
  next(timeoutMs = 3000): Promise<Res> {
    const r = this.queue.shift();
    if (r) return Promise.resolve(r);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (x: Res): void => {
        clearTimeout(timer);
        resolve(x);
      };
      this.waiters.push(waiter);
    });
  }

  /** Resolves if nothing arrives within `ms`; rejects with what arrived otherwise. */
  async nothingFor(ms: number): Promise<void> {
    const before = this.received.length;
    await new Promise((r) => setTimeout(r, ms));
    if (this.received.length > before || this.queue.length > 0) {
      throw new Error(
        `expected no response, got ${JSON.stringify(this.queue.length ? this.queue[0] : this.received.at(-1))}`,
      );
    }
  }

  /** Responses received but not yet taken with next(). */
  get pending(): number {
    return this.queue.length;
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }

  halfClose(): void {
    this.call.end();
  }
}

export class SotwClient extends BaseClient<SotwRequest, SotwResponse> {
  constructor(port: number, opts: ConstructorParameters<typeof BaseClient>[4] = {}) {
    const reqType = messageType('envoy.service.discovery.v3.DiscoveryRequest');
    const resType = messageType('envoy.service.discovery.v3.DiscoveryResponse');
    super(
      port,
      'StreamAggregatedResources',
      (r) =>
        Buffer.from(reqType.encode(reqType.fromObject(r as unknown as Record<string, unknown>)).finish()),
      (b) => {
        const m = resType.decode(b) as unknown as {
          version_info: string;
          type_url: string;
          nonce: string;
          resources: RawAny[];
        };
        const resources = m.resources.map(decodeAny);
        return {
          version_info: m.version_info,
          type_url: m.type_url,
          nonce: m.nonce,
          names: resources.map(resourceName),
          resources,
        };
      },
      opts,
    );
  }

  /** The names last requested per type, as a proxy keeps its subscription. */
  private readonly subscribed = new Map<string, string[]>();

  override send(req: SotwRequest): void {
    if (req.resource_names && req.type_url) this.subscribed.set(req.type_url, req.resource_names);
    super.send(req);
  }

  /**
   * ACKs a response with the given names, or else with the names this client last asked
   * for (as Envoy does: an ACK repeats the subscription, not the response's names — a
   * response that lacks a resource not ready yet must not unsubscribe it), or else with
   * the response's names.
   */
  /** What an ACK or NACK repeats: the names last asked for, else the response's. */
  private namesFor(res: SotwResponse): string[] {
    return this.subscribed.get(res.type_url) ?? res.names;
  }

  ack(res: SotwResponse, names?: string[]): void {
    this.send({
      type_url: res.type_url,
      version_info: res.version_info,
      response_nonce: res.nonce,
      resource_names: names ?? this.namesFor(res),
    });
  }

  nack(res: SotwResponse, previousVersion: string, message: string, names?: string[]): void {
    this.send({
      type_url: res.type_url,
      version_info: previousVersion,
      response_nonce: res.nonce,
      resource_names: names ?? this.namesFor(res),
      error_detail: { code: 3, message },
    });
  }
}

export class DeltaClient extends BaseClient<DeltaRequest, DeltaResponse> {
  constructor(port: number, opts: ConstructorParameters<typeof BaseClient>[4] = {}) {
    const reqType = messageType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
    const resType = messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse');
    super(
      port,
      'DeltaAggregatedResources',
      (r) =>
        Buffer.from(reqType.encode(reqType.fromObject(r as unknown as Record<string, unknown>)).finish()),
      (b) => {
        const m = resType.decode(b) as unknown as {
          system_version_info: string;
          type_url: string;
          nonce: string;
          resources: { name: string; version: string; resource: RawAny }[];
          removed_resources: string[];
        };
        return {
          system_version_info: m.system_version_info,
          type_url: m.type_url,
          nonce: m.nonce,
          resources: m.resources.map((r) => ({
            name: r.name,
            version: r.version,
            value: decodeAny(r.resource),
          })),
          removed_resources: [...m.removed_resources],
        };
      },
      opts,
    );
  }

  ack(res: DeltaResponse): void {
    this.send({ type_url: res.type_url, response_nonce: res.nonce });
  }

  nack(res: DeltaResponse, message: string): void {
    this.send({ type_url: res.type_url, response_nonce: res.nonce, error_detail: { code: 3, message } });
  }
}

/** Fetches CSDS status from the server. */
export function fetchClientStatus(
  port: number,
  request: Record<string, unknown> = {},
  opts: { metadata?: grpc.Metadata } = {},
): Promise<Record<string, unknown>> {
  const reqType = messageType('envoy.service.status.v3.ClientStatusRequest');
  const resType = messageType('envoy.service.status.v3.ClientStatusResponse');
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      '/envoy.service.status.v3.ClientStatusDiscoveryService/FetchClientStatus',
      (r: Record<string, unknown>) => Buffer.from(reqType.encode(reqType.fromObject(r)).finish()),
      (b: Buffer) =>
        resType.toObject(resType.decode(b), { enums: String, longs: String }) as Record<string, unknown>,
      request,
      opts.metadata ?? new grpc.Metadata(),
      (err: grpc.ServiceError | null, res?: Record<string, unknown>) => {
        client.close();
        if (err) reject(err);
        else resolve(res!);
      },
    );
  });
}

/**
 * Subscribes `c` the way Envoy does as `node` — CDS and LDS wildcard, every EDS and RDS
 * name — ACKing each first response; returns the RDS response (its version is what a
 * later change is compared with).
 */
export async function subscribeAllTypes(
  c: SotwClient,
  node: NodeSpec,
  timeoutMs: number,
): Promise<SotwResponse> {
  c.send({ type_url: TYPE_URL.Cluster, node });
  c.ack(await c.next(timeoutMs), []);
  c.send({ type_url: TYPE_URL.ClusterLoadAssignment, resource_names: ['*'] });
  c.ack(await c.next(timeoutMs));
  c.send({ type_url: TYPE_URL.Listener });
  c.ack(await c.next(timeoutMs), []);
  c.send({ type_url: TYPE_URL.RouteConfiguration, resource_names: ['*'] });
  const rds = await c.next(timeoutMs);
  c.ack(rds);
  return rds;
}
