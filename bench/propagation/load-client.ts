/**
 * The load process: N Envoy-like ADS clients, one HTTP/2 connection and one stream each,
 * stream i a sidecar of virtual node vn-(i mod 2000). Like Envoy, each subscribes CDS and
 * LDS (wildcard), then EDS for the clusters CDS named and RDS for the route configurations
 * the listeners named, and ACKs every response.
 *
 * Measured here: after a `mark`, when (epoch ms) each stream received and ACKed its
 * first response; which streams received one that should not have. Kept here: the responses
 * of each node's first stream (capture.ts), for the floor and the Go peer.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { messageType } from '../../src/proto/index.js';
import { TYPE_URL } from '../../src/xds/index.js';
import { ADS_PATH, raw } from './ads-raw.js';
import { writeCapture, type Captured } from './capture.js';
import { nowMs, onMessage, send } from './ipc.js';
import { NODES, nodeId } from './mesh.js';

const { Cluster: CDS, ClusterLoadAssignment: EDS, Listener: LDS, RouteConfiguration: RDS } = TYPE_URL;
const HCM_URL =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

const Response = messageType('envoy.service.discovery.v3.DiscoveryResponse');
/**
 * The fields of a DiscoveryResponse every response needs (version 1, type_url 4, nonce 5);
 * protobufjs skips the resources, which are decoded only when CDS or LDS names are new.
 */
const ResponseHead = protobuf.Type.fromJSON('ResponseHead', {
  fields: {
    version_info: { type: 'string', id: 1 },
    type_url: { type: 'string', id: 4 },
    nonce: { type: 'string', id: 5 },
  },
});
const Request = messageType('envoy.service.discovery.v3.DiscoveryRequest');
const ClusterType = messageType('envoy.config.cluster.v3.Cluster');
const ListenerType = messageType('envoy.config.listener.v3.Listener');
const HcmType = messageType(HCM_URL.slice(HCM_URL.indexOf('/') + 1));

interface AnyMsg {
  type_url: string;
  value: Uint8Array;
}
interface DecodedResponse {
  version_info?: string;
  type_url?: string;
  nonce?: string;
  resources?: AnyMsg[];
}

function request(
  typeUrl: string,
  names: readonly string[],
  version: string,
  nonce: string,
  node?: string,
): Buffer {
  return Buffer.from(
    Request.encode(
      Request.fromObject({
        version_info: version,
        ...(node ? { node: { id: node, cluster: node.split('/').pop(), user_agent_name: 'envoy' } } : {}),
        resource_names: names,
        type_url: typeUrl,
        response_nonce: nonce,
      }),
    ).finish(),
  );
}

/** The EDS names of a CDS response's clusters. */
function edsNames(resources: readonly AnyMsg[]): string[] {
  const out: string[] = [];
  for (const r of resources) {
    const c = ClusterType.decode(r.value) as unknown as {
      name: string;
      eds_cluster_config?: { service_name?: string };
    };
    if (c.eds_cluster_config) out.push(c.eds_cluster_config.service_name || c.name);
  }
  return out.sort();
}

/** The route configuration names an LDS response's HTTP connection managers read over RDS. */
function rdsNames(resources: readonly AnyMsg[]): string[] {
  const out = new Set<string>();
  for (const r of resources) {
    const l = ListenerType.decode(r.value) as unknown as {
      filter_chains?: Array<{ filters?: Array<{ typed_config?: AnyMsg }> }>;
      default_filter_chain?: { filters?: Array<{ typed_config?: AnyMsg }> };
    };
    for (const chain of [
      ...(l.filter_chains ?? []),
      ...(l.default_filter_chain ? [l.default_filter_chain] : []),
    ])
      for (const f of chain.filters ?? []) {
        if (f.typed_config?.type_url !== HCM_URL) continue;
        const hcm = HcmType.decode(f.typed_config.value) as unknown as {
          rds?: { route_config_name?: string };
        };
        if (hcm.rds?.route_config_name) out.add(hcm.rds.route_config_name);
      }
  }
  return [...out].sort();
}

/** Names decoded once per node and response version: the 5 sidecars of a node share them. */
const namesCache = new Map<string, string[]>();

interface Mark {
  id: number;
  expected: ReadonlySet<string> | 'all';
  expectedCount: number;
  times: number[];
  others: number;
  done: boolean;
}

let mark: Mark | undefined;
/**
 * This process's own event-loop delay during a change: a late ACK time with a long delay
 * here is the load client's (its collections, its other streams), not the server's.
 */
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
let round = 0;
const captured: Captured[] = [];

class Stream {
  private readonly subscribed = new Map<string, string[]>([
    [CDS, []],
    [LDS, []],
  ]);
  private readonly acked = new Map<string, { version: string; nonce: string }>();
  private readonly received = new Set<string>();
  private markSeen = -1;
  configured = false;

  constructor(
    private readonly call: grpc.ClientDuplexStream<Buffer, Buffer>,
    readonly node: string,
    private readonly captures: boolean,
    private readonly onConfigured: () => void,
  ) {
    call.on('data', (buf: Buffer) => this.onResponse(buf));
    call.write(request(CDS, [], '', '', node));
    call.write(request(LDS, [], '', ''));
  }

  private onResponse(buf: Buffer): void {
    const r = ResponseHead.decode(buf) as unknown as DecodedResponse;
    const typeUrl = r.type_url ?? '';
    const version = r.version_info ?? '';
    const nonce = r.nonce ?? '';
    this.acked.set(typeUrl, { version, nonce });
    this.call.write(request(typeUrl, this.subscribed.get(typeUrl) ?? [], version, nonce));
    if (typeUrl === CDS) this.follow(EDS, typeUrl, version, buf, edsNames);
    if (typeUrl === LDS) this.follow(RDS, typeUrl, version, buf, rdsNames);
    const t = nowMs();
    if (this.captures) captured.push({ nodeId: this.node, typeUrl, round: mark ? round : 0, response: buf });
    this.received.add(typeUrl);
    if (
      !this.configured &&
      [...this.subscribed].every(
        ([type, names]) => this.received.has(type) || (names.length === 0 && type !== CDS && type !== LDS),
      )
    ) {
      this.configured = true;
      this.onConfigured();
    }
    const m = mark;
    if (m && !m.done && this.markSeen !== m.id) {
      this.markSeen = m.id;
      if (m.expected === 'all' || m.expected.has(this.node)) {
        m.times.push(t);
        if (m.times.length === m.expectedCount) {
          m.done = true;
          send({ type: 'done', id: m.id, times: m.times, clientLoopMaxMs: loopDelay.max / 1e6 });
        }
      } else m.others++;
    }
  }

  /** Subscribes `child` to the names `parent`'s resources refer to, as Envoy does. */
  private follow(
    child: string,
    parent: string,
    version: string,
    response: Buffer,
    names: (r: readonly AnyMsg[]) => string[],
  ): void {
    const key = `${this.node}|${parent}|${version}`;
    let wanted = namesCache.get(key);
    if (!wanted) {
      const resources = (Response.decode(response) as unknown as DecodedResponse).resources ?? [];
      namesCache.set(key, (wanted = names(resources)));
    }
    const current = this.subscribed.get(child);
    if (current && current.join('\n') === wanted.join('\n')) return;
    this.subscribed.set(child, wanted);
    const last = this.acked.get(child);
    this.call.write(request(child, wanted, last?.version ?? '', last?.nonce ?? ''));
  }
}

async function main(): Promise<void> {
  const arg = (name: string): string =>
    process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? '';
  const n = Number(arg('n'));
  const target = arg('target');
  const streams: Stream[] = [];
  const clients: grpc.Client[] = [];
  const calls: grpc.ClientDuplexStream<Buffer, Buffer>[] = [];
  let configured = 0;
  const t0 = nowMs();
  const open = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const client = new grpc.Client(target, grpc.credentials.createInsecure(), {
        'grpc.use_local_subchannel_pool': 1,
        'grpc.max_receive_message_length': -1,
      });
      clients.push(client);
      const call = client.makeBidiStreamRequest(ADS_PATH, raw, raw);
      calls.push(call);
      let done = false;
      const stream = new Stream(call, nodeId(i % NODES), i < NODES, () => {
        done = true;
        configured++;
        resolve();
      });
      call.on('error', (e: grpc.ServiceError) => {
        // The server's limit on new streams per second: come back a little later, as Envoy does
        // (without this one refused stream left the run waiting for "ready" until its deadline).
        if (e.code === grpc.status.RESOURCE_EXHAUSTED && !done) {
          streams.splice(streams.indexOf(stream), 1);
          setTimeout(() => void open(i).then(resolve), 200 + Math.random() * 300);
          return;
        }
        send({ type: 'error', message: `stream ${i}: ${e.message}` });
      });
      streams.push(stream);
    });
  // Batches, so that the server's accept queue is not what gets measured.
  const BATCH = 250;
  for (let i = 0; i < n; i += BATCH)
    await Promise.all(Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => open(i + k)));
  send({ type: 'ready', configured, connectMs: nowMs() - t0 });

  onMessage((m) => {
    if (m.type === 'mark') {
      round = m.round as number;
      loopDelay.reset();
      const expected = m.expected === 'all' ? 'all' : new Set(m.expected as string[]);
      mark = {
        id: m.id as number,
        expected,
        expectedCount: expected === 'all' ? n : streams.filter((s) => expected.has(s.node)).length,
        times: [],
        others: 0,
        done: false,
      };
      send({ type: 'marked', id: mark.id, expectedCount: mark.expectedCount });
    } else if (m.type === 'others') send({ type: 'others', count: mark?.others ?? 0 });
    else if (m.type === 'capture') {
      writeCapture(m.file as string, captured);
      send({ type: 'captured', records: captured.length });
    } else if (m.type === 'exit') {
      for (const c of calls) c.cancel();
      for (const c of clients) c.close();
      process.exit(0);
    }
  });
}

void main();
