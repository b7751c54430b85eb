/**
 * One ADS stream from admission to close: rate limit, authentication, identity
 * from the first request's node, authorization on the proxy's ARN, the per-group
 * quota, then the SotW or delta state machine fed from the snapshot cache.
 *
 * A stream whose group has no snapshot yet stays open and is listed as waiting;
 * the cache wakes it when the snapshot appears. On close every per-stream state
 * is dropped, so a reconnecting proxy is always served from current state.
 */
import * as grpc from '@grpc/grpc-js';
import type { Authenticator, Principal } from './auth/authenticator.js';
import type { ClientStatus, ClientStatusRegistry, StatusSource } from './client-status.js';
import type { DeltaDiscoveryRequestMsg, DiscoveryRequestMsg } from './codec.js';
import { DeltaStream } from './delta-stream.js';
import type { XdsCounters, XdsEvents, XdsLogger, XdsProtocol } from './events.js';
import { flavourOf } from '../envoy/index.js';
import type { ArnContext } from '../model/index.js';
import {
  resolveIdentity,
  shownNodeId,
  type GroupKeyFor,
  type MeshOwnerOf,
  type NodeInfo,
  type ProxyFlavour,
  type ProxyIdentity,
} from './identity.js';
import type { GroupCounter, ResolvedLimits, TokenBucket } from './limits.js';
import {
  NonceSource,
  type AckMeta,
  type NackMeta,
  type ProtocolHost,
  type PushMeta,
  type XdsProtocolState,
} from './protocol.js';
import type { SnapshotCache } from './snapshot-cache.js';
import { SotwStream } from './sotw-stream.js';
import type { SubscriptionTable } from './subscription.js';

export const STREAM_ACTION = 'appmesh:StreamAggregatedResources';

/** Runs stream flushes together on the next turn of the event loop. */
export class FlushScheduler {
  private queue = new Set<Connection>();
  private scheduled = false;

  schedule(c: Connection): void {
    this.queue.add(c);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    const q = this.queue;
    this.queue = new Set();
    for (const c of q) c.flush();
  }
}

/** The group a group-bound resource name belongs to; undefined for names any group may ask for. */
export type ResourceOwner = (typeUrl: string, name: string) => string | undefined;

export interface ServerContext {
  readonly cache: SnapshotCache;
  readonly limits: ResolvedLimits;
  readonly subscriptions: SubscriptionTable;
  readonly registry: ClientStatusRegistry;
  readonly events: XdsEvents;
  readonly counters: XdsCounters;
  readonly logger: XdsLogger;
  readonly authenticator: Authenticator | undefined;
  readonly arnContext: ArnContext;
  readonly meshOwnerOf: MeshOwnerOf;
  readonly groupKeyFor: GroupKeyFor;
  readonly resourceOwner: ResourceOwner | undefined;
  /** Connected proxies per virtual node or gateway (`shortId`), whatever their flavour. */
  readonly nodeCounter: GroupCounter;
  readonly streamBucket: TokenBucket;
  readonly scheduler: FlushScheduler;
  /** No server interceptor can hold a message back: grpc-js frames (copies) it inside `write()`. */
  readonly writeFramesAtOnce: boolean;
  /** Identified streams. */
  readonly connections: Set<Connection>;
  /** Every open stream, authenticating and identifying ones included (the global cap counts these). */
  readonly streams: Set<Connection>;
}

type AnyRequest = DiscoveryRequestMsg | DeltaDiscoveryRequestMsg;
export type AdsCall = grpc.ServerDuplexStream<AnyRequest, Buffer>;

let streamSeq = 0;

type Phase = 'auth' | 'identify' | 'active' | 'closed';

export class Connection implements ProtocolHost, StatusSource {
  readonly streamId = ++streamSeq;
  readonly connectedAt = Date.now();
  private phase: Phase = 'auth';
  private queued: AnyRequest[] = [];
  private principal: Principal | null = null;
  private node: NodeInfo | null = null;
  private identity: ProxyIdentity | null = null;
  private flavour: ProxyFlavour = 'envoy';
  private group = '';
  private counted = false;
  private unsubscribe: (() => void) | undefined;
  private readonly proto: XdsProtocolState<AnyRequest>;

  constructor(
    private readonly ctx: ServerContext,
    private readonly call: AdsCall,
    readonly protocol: XdsProtocol,
  ) {
    this.proto = (
      protocol === 'sotw'
        ? new SotwStream(this, ctx.subscriptions, new NonceSource(), ctx.limits.maxNamesPerStream)
        : new DeltaStream(this, new NonceSource(), ctx.limits.maxNamesPerStream)
    ) as XdsProtocolState<AnyRequest>;
    call.on('data', (m: AnyRequest) => this.onMessage(m));
    call.on('end', () => {
      // The client half-closed: finish our side cleanly.
      if (this.phase !== 'closed') {
        this.cleanup();
        call.end();
      }
    });
    const gone = (): void => this.cleanup();
    call.on('cancelled', gone);
    call.on('close', gone);
    call.on('error', gone);
  }

  /** Asked for when shown (status, logs) rather than kept: a string per connected proxy. */
  get peer(): string {
    return safePeer(this.call);
  }

  start(): void {
    this.ctx.counters.streamsOpened++;
    if (this.ctx.streams.size >= this.ctx.limits.maxStreams) {
      this.reject(
        grpc.status.RESOURCE_EXHAUSTED,
        `this server already has ${this.ctx.streams.size} xDS streams (limit maxStreams); retry with backoff or use another replica`,
      );
      return;
    }
    this.ctx.streams.add(this);
    if (!this.ctx.streamBucket.tryTake()) {
      this.reject(grpc.status.RESOURCE_EXHAUSTED, 'too many new xDS streams per second; retry with backoff');
      return;
    }
    const auth = this.ctx.authenticator;
    if (!auth) {
      this.phase = 'identify';
      return;
    }
    let result;
    try {
      result = auth.authenticate({
        metadata: this.call.metadata,
        peerCertificate: this.call.getAuthContext()?.sslPeerCertificate,
        peer: this.peer,
        authority: this.call.getHost(),
        path: this.call.getPath(),
      });
    } catch (e) {
      this.reject(grpc.status.UNAUTHENTICATED, `authentication failed: ${(e as Error).message}`);
      return;
    }
    const done = (r: Awaited<typeof result>): void => {
      if (this.phase === 'closed') return;
      if (!r.ok) {
        this.reject(grpc.status.UNAUTHENTICATED, r.message);
        return;
      }
      this.principal = r.principal;
      this.phase = 'identify';
      const q = this.queued;
      this.queued = [];
      for (const m of q) this.onMessage(m);
    };
    if (result instanceof Promise) {
      result.then(done, (e: unknown) => {
        if (this.phase !== 'closed')
          this.reject(grpc.status.UNAUTHENTICATED, `authentication failed: ${(e as Error).message}`);
      });
    } else done(result);
  }

  private onMessage(m: AnyRequest): void {
    switch (this.phase) {
      case 'closed':
        return;
      case 'auth':
        if (this.queued.length >= this.ctx.limits.maxQueuedRequests) {
          this.reject(grpc.status.RESOURCE_EXHAUSTED, 'too many requests before authentication completed');
        } else this.queued.push(m);
        return;
      case 'identify':
        if (!this.identify(m)) return;
        break;
      case 'active':
        if (m.node && m.node.id !== '' && m.node.id !== this.node?.id) {
          this.reject(
            grpc.status.INVALID_ARGUMENT,
            `node.id changed within the stream from "${this.node?.id}" to "${m.node.id}"`,
          );
          return;
        }
        break;
    }
    this.proto.onRequest(this.withoutForeignNames(m));
  }

  /** The request without names bound to another group, each attempt logged. */
  private withoutForeignNames(m: AnyRequest): AnyRequest {
    const owner = this.ctx.resourceOwner;
    if (!owner) return m;
    const names = 'subscribe' in m ? m.subscribe : m.resourceNames;
    const foreign = names.filter((n) => {
      const g = owner(m.typeUrl, n);
      return g !== undefined && g !== this.group;
    });
    if (foreign.length === 0) return m;
    this.ctx.logger.warn(
      {
        nodeId: this.node?.id,
        group: this.group,
        principal: this.principal?.name ?? null,
        peer: this.peer,
        typeUrl: m.typeUrl,
        names: foreign.slice(0, 10),
      },
      "proxy asked for another proxy group's resources (a certificate and its private key); refused, nothing is sent",
    );
    const keep = (n: string) => !foreign.includes(n);
    return 'subscribe' in m
      ? { ...m, subscribe: m.subscribe.filter(keep) }
      : { ...m, resourceNames: m.resourceNames.filter(keep) };
  }

  /** First request: who is this, may it connect, and is there room in its group. */
  private identify(m: AnyRequest): boolean {
    if (!m.node) {
      this.reject(
        grpc.status.INVALID_ARGUMENT,
        'the first request of a stream must carry node (with node.id)',
      );
      return false;
    }
    const resolved = resolveIdentity(m.node.id, this.ctx.arnContext, this.ctx.meshOwnerOf);
    if (!resolved.ok) {
      this.reject(resolved.code, resolved.message, m.node.id);
      return false;
    }
    const identity = resolved.identity;
    if (this.principal) {
      // Exactly the resource that will be served, whatever form node.id took.
      const arn = identity.arn;
      const decision = this.principal.authorize(STREAM_ACTION, arn);
      if (decision.decision !== 'Allow') {
        // The client learns the action and resource; which statement of which
        // policy file decided stays in the server's log.
        const why = decision.decision === 'ExplicitDeny' ? 'an explicit Deny applies' : 'no policy allows it';
        this.reject(
          grpc.status.PERMISSION_DENIED,
          `principal "${this.principal.name}" may not ${STREAM_ACTION} on ${arn}: ${why}`,
          m.node.id,
          decision.statement !== undefined ? { statement: decision.statement } : {},
        );
        return false;
      }
    }
    // The flavour rule is translation's: proxy groups come in both flavours there.
    const flavour = flavourOf(m.node);
    let group: string;
    try {
      group = this.ctx.groupKeyFor({ node: m.node, identity, flavour });
    } catch (e) {
      this.reject(
        grpc.status.INVALID_ARGUMENT,
        `cannot group node "${m.node.id}": ${(e as Error).message}`,
        m.node.id,
      );
      return false;
    }
    // App Mesh's quota is per virtual node or gateway: Envoys and proxyless gRPC clients count together.
    if (!this.ctx.nodeCounter.tryAdd(identity.shortId)) {
      this.reject(
        grpc.status.RESOURCE_EXHAUSTED,
        `${identity.shortId} already has ${this.ctx.limits.maxProxiesPerNode} connected proxies (limit maxProxiesPerNode)`,
        m.node.id,
      );
      return false;
    }
    this.counted = true;
    this.node = m.node;
    this.identity = identity;
    this.flavour = flavour;
    this.group = group;
    this.phase = 'active';
    this.ctx.connections.add(this);
    this.ctx.registry.add(this.streamId, this);
    this.ctx.counters.streamsActive++;
    this.unsubscribe = this.ctx.cache.subscribe(group, () => this.scheduleFlush());
    const waiting = !this.ctx.cache.state(group);
    if (waiting)
      this.ctx.logger.info(
        { nodeId: m.node.id, group },
        'proxy connected; its group has no snapshot yet, waiting',
      );
    this.ctx.events.emit('connect', {
      streamId: this.streamId,
      nodeId: m.node.id,
      group,
      flavour,
      protocol: this.protocol,
      waiting,
    });
    return true;
  }

  // ProtocolHost

  now(): number {
    return Date.now();
  }

  send(response: Buffer, meta: PushMeta): void {
    if (this.phase !== 'active') return;
    this.call.write(response);
    this.ctx.counters.pushes++;
    this.ctx.counters.bytesPushed += response.length;
    if (this.ctx.events.listening('push')) {
      this.ctx.events.emit('push', {
        streamId: this.streamId,
        nodeId: this.node!.id,
        group: this.group,
        bytes: response.length,
        ...meta,
      });
    }
  }

  sendCopies(): boolean {
    // The Writable hands a chunk to grpc-js, which frames it into a new buffer, inside
    // write() only when no earlier write is pending (else it queues the chunk itself):
    // connection-write.test.ts shows both.
    return this.ctx.writeFramesAtOnce && this.call.writableLength === 0 && this.call.writableCorked === 0;
  }

  acked(meta: AckMeta): void {
    this.ctx.counters.acks++;
    if (!this.ctx.events.listening('ack')) return;
    const now = this.now();
    this.ctx.events.emit('ack', {
      streamId: this.streamId,
      nodeId: this.node!.id,
      group: this.group,
      typeUrl: meta.typeUrl,
      version: meta.version,
      rttMs: now - meta.sentAt,
      pushLatencyMs: now - Math.max(meta.changedAt, this.connectedAt),
    });
  }

  nacked(meta: NackMeta): void {
    this.ctx.counters.nacks++;
    const at = new Date(this.now()).toISOString();
    this.ctx.registry.recordNack(this.group, {
      typeUrl: meta.typeUrl,
      version: meta.version,
      message: meta.message,
      nodeId: this.node!.id,
      at,
    });
    this.ctx.logger.warn(
      {
        nodeId: this.node!.id,
        group: this.group,
        typeUrl: meta.typeUrl,
        version: meta.version,
        error: meta.message,
      },
      'proxy rejected configuration (NACK); keeping it from being re-sent until it changes',
    );
    this.ctx.events.emit('nack', {
      streamId: this.streamId,
      nodeId: this.node!.id,
      group: this.group,
      ...meta,
    });
  }

  limitExceeded(message: string): void {
    this.reject(grpc.status.RESOURCE_EXHAUSTED, message, this.node?.id);
  }

  scheduleFlush(): void {
    if (this.phase === 'active') this.ctx.scheduler.schedule(this);
  }

  flush(): void {
    if (this.phase !== 'active') return;
    this.proto.flush(this.ctx.cache.state(this.group));
  }

  /** Responses this stream sent that its proxy has not answered yet (none once it is closed). */
  responsesInFlight(): number {
    return this.phase === 'active' ? this.proto.inFlight() : 0;
  }

  /** Called periodically by the server. */
  expireAcks(now: number): void {
    if (this.phase === 'active' && this.proto.expireAcks(now, this.ctx.limits.ackTimeoutMs)) {
      this.ctx.logger.warn(
        { nodeId: this.node?.id, group: this.group },
        'proxy did not answer a response in time; no longer waiting for it',
      );
      this.scheduleFlush();
    }
  }

  status(): ClientStatus | null {
    if (this.phase !== 'active' || !this.node) return null;
    return {
      streamId: this.streamId,
      nodeId: this.node.id,
      cluster: this.node.cluster,
      group: this.group,
      flavour: this.flavour,
      protocol: this.protocol,
      userAgent: `${this.node.userAgentName}${this.node.userAgentVersion ? `/${this.node.userAgentVersion}` : ''}`,
      peer: this.peer,
      principal: this.principal?.name ?? null,
      connectedSince: new Date(this.connectedAt).toISOString(),
      waiting: !this.ctx.cache.state(this.group),
      types: this.proto.typeStatuses(),
    };
  }

  /** @internal for CSDS: the node as received. */
  nodeInfo(): NodeInfo | null {
    return this.node;
  }

  get groupKey(): string {
    return this.group;
  }

  get identityInfo(): ProxyIdentity | null {
    return this.identity;
  }

  /** Ends the stream with a status (e.g. on server shutdown). */
  end(code: grpc.status, message: string): void {
    if (this.phase === 'closed') return;
    this.cleanup();
    this.call.emit('error', { code, details: message });
  }

  /** Ends the stream with `message`; `logOnly` goes to the server's log, not to the client. */
  private reject(code: grpc.status, message: string, nodeId?: string, logOnly: object = {}): void {
    if (this.phase === 'closed') return;
    this.ctx.counters.rejected[code] = (this.ctx.counters.rejected[code] ?? 0) + 1;
    const shown = nodeId !== undefined ? shownNodeId(nodeId) : undefined;
    this.ctx.logger.warn(
      { code, peer: this.peer, nodeId: shown, reason: message, ...logOnly },
      'xDS stream rejected',
    );
    this.ctx.events.emit('reject', {
      streamId: this.streamId,
      code,
      reason: message,
      peer: this.peer,
      ...(shown !== undefined ? { nodeId: shown } : {}),
    });
    this.end(code, message);
  }

  private cleanup(): void {
    if (this.phase === 'closed') return;
    const wasActive = this.phase === 'active';
    this.phase = 'closed';
    this.queued = [];
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.proto.close();
    if (this.counted) this.ctx.nodeCounter.remove(this.identity!.shortId);
    this.counted = false;
    this.ctx.connections.delete(this);
    this.ctx.streams.delete(this);
    this.ctx.registry.remove(this.streamId);
    if (wasActive) {
      this.ctx.counters.streamsActive--;
      this.ctx.events.emit('disconnect', {
        streamId: this.streamId,
        durationMs: Date.now() - this.connectedAt,
        ...(this.node ? { nodeId: this.node.id, group: this.group } : {}),
      });
    }
  }
}

function safePeer(call: AdsCall): string {
  try {
    return call.getPeer();
  } catch {
    return 'unknown';
  }
}
