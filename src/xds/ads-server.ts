/**
 * The xDS server: ADS (SotW and delta) and CSDS over @grpc/grpc-js, serving the
 * snapshots its owner puts in a {@link SnapshotCache}. It never translates App
 * Mesh resources; it only moves already-encoded bytes to proxies and keeps track
 * of what each proxy holds.
 */
import * as grpc from '@grpc/grpc-js';
import { isIP } from 'node:net';
import type { Authenticator } from './auth/authenticator.js';
import { ClientStatusRegistry, type ClientStatus, type GroupStatus } from './client-status.js';
import { ADS_SERVICE } from './codec.js';
import {
  Connection,
  FlushScheduler,
  type AdsCall,
  type ResourceOwner,
  type ServerContext,
} from './connection.js';
import { CSDS_SERVICE, encodeClientStatusResponse, type ClientStatusQuery, type CsdsClient } from './csds.js';
import { consoleLogger, XdsEvents, type XdsCounters, type XdsLogger } from './events.js';
import { DEFAULT_ARN_CONTEXT, type ArnContext } from '../model/index.js';
import { defaultGroupKeyFor, type GroupKeyFor, type MeshOwnerOf } from './identity.js';
import { GroupCounter, resolveLimits, TokenBucket, type ResolvedLimits, type XdsLimits } from './limits.js';
import type { SnapshotCache } from './snapshot-cache.js';
import { SubscriptionTable } from './subscription.js';

/** Action a principal needs on a node's ARN to read its status over CSDS. */
export const CSDS_ACTION = 'amime:ReadClientStatus';

export interface XdsServerOptions {
  readonly cache: SnapshotCache;
  /** Without one, streams are not authenticated (allowed only on loopback, or with `insecure`). */
  readonly authenticator?: Authenticator;
  /**
   * Partition, region and account of the resources served: short node ids are
   * completed with them and ARNs elsewhere are refused. Required with an
   * authenticator; default us-west-2 and 000000000000 (as `amime serve`).
   */
  readonly arn?: ArnContext;
  /** Owner account of a served mesh that another account shares (its `meshOwner`); default: all are `arn.account`'s. */
  readonly meshOwnerOf?: MeshOwnerOf;
  readonly limits?: XdsLimits;
  /** Maps a proxy to its snapshot group. Default: short node id, `#grpc` for proxyless gRPC. */
  readonly groupKeyFor?: GroupKeyFor;
  readonly logger?: XdsLogger;
  /** Allow unauthenticated streams on a non-loopback address. */
  readonly insecure?: boolean;
  /**
   * The proxy group a resource name belongs to, for names bound to one group (its own
   * certificate and private key): a stream of another group that asks for one is
   * logged and the name dropped from its request, so it can never be served.
   */
  readonly resourceOwner?: ResourceOwner;
  /** Serve CSDS on the same port. Default true. */
  readonly csds?: boolean;
  /**
   * Runs before a new stream is served. Resolves to why it is refused (answered
   * UNAVAILABLE, so the proxy tries another replica: e.g. this replica's view of the
   * store is stale), or to undefined once it may be served (e.g. once this replica has
   * caught up with its store, so a proxy moving here from another replica is not served
   * older configuration than it had). Requests wait meanwhile; open streams are not affected.
   */
  readonly admitStream?: () => Promise<string | undefined>;
  /**
   * Extra @grpc/grpc-js server options (keepalive, max_connection_age_ms, ...), over
   * {@link XDS_GRPC_SERVER_DEFAULTS}.
   */
  readonly grpcOptions?: grpc.ServerOptions;
}

/**
 * The @grpc/grpc-js server options an xDS server starts from. Channelz is off: this server
 * serves no channelz service, and with it on grpc-js keeps per connection a registry entry,
 * trace lines, counters and closures for each call, ~1 KiB of heap per connected proxy
 * (bench/README, 2026-12-06).
 */
const XDS_GRPC_SERVER_DEFAULTS: grpc.ServerOptions = { 'grpc.enable_channelz': 0 };

export interface TlsOptions {
  readonly cert: Buffer | string;
  readonly key: Buffer | string;
  /** CA bundle that client certificates must chain to. */
  readonly ca?: Buffer | string;
  /** Demand and verify client certificates (mTLS). Needs `ca`. */
  readonly requireClientCert?: boolean;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

const toBuf = (v: Buffer | string): Buffer => (typeof v === 'string' ? Buffer.from(v) : v);

export class XdsServer {
  readonly events = new XdsEvents();
  private readonly server: grpc.Server;
  private readonly ctx: ServerContext;
  private readonly limits: ResolvedLimits;
  private readonly options: XdsServerOptions;
  private sweep: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(options: XdsServerOptions) {
    if (options.authenticator && !options.arn) {
      throw new Error(
        'XdsServer: an authenticator needs `arn: { region, account }` to build proxy ARNs for authorization',
      );
    }
    this.options = options;
    this.limits = resolveLimits(options.limits);
    const counters: XdsCounters = {
      streamsOpened: 0,
      streamsActive: 0,
      rejected: {},
      pushes: 0,
      bytesPushed: 0,
      acks: 0,
      nacks: 0,
    };
    this.ctx = {
      cache: options.cache,
      limits: this.limits,
      subscriptions: new SubscriptionTable(),
      registry: new ClientStatusRegistry(),
      events: this.events,
      counters,
      logger: options.logger ?? consoleLogger,
      authenticator: options.authenticator,
      arnContext: options.arn ?? DEFAULT_ARN_CONTEXT,
      meshOwnerOf: options.meshOwnerOf ?? (() => undefined),
      groupKeyFor: options.groupKeyFor ?? defaultGroupKeyFor,
      resourceOwner: options.resourceOwner,
      nodeCounter: new GroupCounter(this.limits.maxProxiesPerNode),
      streamBucket: new TokenBucket(this.limits.newStreamsPerSecond, this.limits.newStreamBurst),
      scheduler: new FlushScheduler(),
      writeFramesAtOnce: (options.grpcOptions?.interceptors ?? []).length === 0,
      connections: new Set(),
      streams: new Set(),
    };
    this.server = new grpc.Server({ ...XDS_GRPC_SERVER_DEFAULTS, ...options.grpcOptions });
    const open = (protocol: 'sotw' | 'delta') => (call: AdsCall) => {
      if (this.closed) {
        call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'xDS server is shutting down' });
        return;
      }
      const admit = options.admitStream;
      if (!admit) {
        new Connection(this.ctx, call, protocol).start();
        return;
      }
      // Until a Connection listens, the call buffers what the proxy sends.
      admit().then(
        (refused) => {
          if (this.closed) refused = 'xDS server is shutting down';
          if (refused === undefined) new Connection(this.ctx, call, protocol).start();
          else call.emit('error', { code: grpc.status.UNAVAILABLE, details: refused });
        },
        (err: unknown) => call.emit('error', { code: grpc.status.UNAVAILABLE, details: String(err) }),
      );
    };
    this.server.addService(ADS_SERVICE, {
      StreamAggregatedResources: open('sotw'),
      DeltaAggregatedResources: open('delta'),
    });
    if (options.csds ?? true) {
      this.server.addService(CSDS_SERVICE, {
        FetchClientStatus: (
          call: grpc.ServerUnaryCall<ClientStatusQuery, Buffer>,
          cb: grpc.sendUnaryData<Buffer>,
        ) => {
          void this.answerCsds(call, call.request).then(
            (buf) => cb(null, buf),
            (e: grpc.ServiceError) => cb(e),
          );
        },
        StreamClientStatus: (call: grpc.ServerDuplexStream<ClientStatusQuery, Buffer>) => {
          call.on('data', (q: ClientStatusQuery) => {
            this.answerCsds(call, q).then(
              (buf) => call.write(buf),
              (e: grpc.ServiceError) => call.emit('error', e),
            );
          });
          call.on('end', () => call.end());
        },
      });
    }
  }

  /**
   * Binds and starts serving. Refuses a non-loopback address without an
   * authenticator unless `insecure` was set. Resolves to the bound port (useful
   * with port 0).
   */
  async listen(host: string, port: number, tls?: TlsOptions): Promise<number> {
    if (!this.options.authenticator) {
      if (!isLoopback(host) && !this.options.insecure) {
        throw new Error(
          `refusing to serve xDS without authentication on ${host}: configure an authenticator, ` +
            'listen on a loopback address, or set insecure: true explicitly',
        );
      }
      this.ctx.logger.warn({ host, port }, 'xDS server is running WITHOUT authentication');
    }
    let creds: grpc.ServerCredentials;
    if (tls) {
      if (tls.requireClientCert && !tls.ca)
        throw new Error('TlsOptions.requireClientCert needs a ca to verify client certificates');
      creds = grpc.ServerCredentials.createSsl(
        tls.ca ? toBuf(tls.ca) : null,
        [{ private_key: toBuf(tls.key), cert_chain: toBuf(tls.cert) }],
        tls.requireClientCert ?? false,
      );
    } else creds = grpc.ServerCredentials.createInsecure();
    const address = isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
    const bound = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(address, creds, (err, p) => (err ? reject(err) : resolve(p))),
    );
    if (!this.sweep) {
      const every = Math.max(50, Math.min(5000, Math.floor(this.limits.ackTimeoutMs / 2)));
      this.sweep = setInterval(() => {
        const now = Date.now();
        for (const c of this.ctx.connections) c.expireAcks(now);
      }, every);
      this.sweep.unref();
    }
    return bound;
  }

  /** Ends every stream with UNAVAILABLE (proxies reconnect elsewhere or later) and stops. */
  async close(graceMs = 2000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweep) clearInterval(this.sweep);
    for (const c of [...this.ctx.streams]) c.end(grpc.status.UNAVAILABLE, 'xDS server is shutting down');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      timer.unref();
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Responses sent to connected proxies and not yet ACKed or NACKed, all streams together
   * (a walk over the streams). The pipeline reads it every 10 ms while it waits after a
   * push to many proxies (src/server/pipeline.ts).
   */
  responsesInFlight(): number {
    let n = 0;
    for (const c of this.ctx.streams) n += c.responsesInFlight();
    return n;
  }

  /** Every connected proxy: node, group, flavour, what it holds, sent, ACKed and rejected. */
  clientStatus(): ClientStatus[] {
    return this.ctx.registry.list();
  }

  /** Connected proxies whose group has no snapshot yet. */
  waiting(): ClientStatus[] {
    return this.clientStatus().filter((c) => c.waiting);
  }

  /** Per group: snapshot version, connected proxies, last NACK per type. */
  groupStatus(): GroupStatus[] {
    const cache = this.options.cache;
    return this.ctx.registry.groups((g) => cache.getSnapshot(g)?.version ?? null, cache.groups());
  }

  /**
   * Connected proxies per group that has a snapshot; those of groups without one
   * (node ids nothing is translated for) are counted together under `null`.
   */
  connectedByGroup(): Map<string | null, number> {
    const out = new Map<string | null, number>();
    for (const c of this.ctx.connections) {
      const group = c.groupKey;
      const key = this.options.cache.state(group) ? group : null;
      out.set(key, (out.get(key) ?? 0) + 1);
    }
    return out;
  }

  /** A copy of the running totals. */
  counters(): XdsCounters {
    const c = this.ctx.counters;
    return { ...c, rejected: { ...c.rejected } };
  }

  private async answerCsds(
    call:
      grpc.ServerUnaryCall<ClientStatusQuery, Buffer> | grpc.ServerDuplexStream<ClientStatusQuery, Buffer>,
    query: ClientStatusQuery,
  ): Promise<Buffer> {
    let allowed: (c: Connection) => boolean = () => true;
    const auth = this.options.authenticator;
    if (auth) {
      const r = await auth.authenticate({
        metadata: call.metadata,
        peerCertificate: call.getAuthContext()?.sslPeerCertificate,
        peer: call.getPeer(),
        authority: call.getHost(),
        path: call.getPath(),
      });
      if (!r.ok)
        throw Object.assign(new Error(r.message), { code: grpc.status.UNAUTHENTICATED, details: r.message });
      allowed = (c) => {
        const id = c.identityInfo;
        return id !== null && r.principal.authorize(CSDS_ACTION, id.arn).decision === 'Allow';
      };
    }
    const clients: CsdsClient[] = [];
    for (const c of this.ctx.connections) {
      const status = c.status();
      const node = c.nodeInfo();
      if (status && node && allowed(c)) clients.push({ status, node });
    }
    return encodeClientStatusResponse(clients, query, (g) => this.options.cache.state(g));
  }
}
