/**
 * An in-process Kubernetes API-server TEST DOUBLE over HTTP on 127.0.0.1.
 *
 * No kube-apiserver can be installed on the development machines, so Amime's
 * Kubernetes code is tested against this double. It implements what the controller,
 * the webhooks and the tests use, with kube-apiserver's wire formats:
 *  - REST paths for core/v1 (namespaces, pods, services, serviceaccounts, configmaps,
 *    secrets, events), apps/v1 deployments (stored, never rolled out),
 *    discovery.k8s.io/v1 endpointslices, coordination.k8s.io/v1
 *    leases, authentication.k8s.io/v1 tokenreviews and the seven appmesh.k8s.aws/v1beta2
 *    kinds (meshes cluster-scoped);
 *  - list (with resourceVersion), watch (`?watch=true&resourceVersion=N`, newline-
 *    delimited ADDED/MODIFIED/DELETED events, resume, 410 Expired once compacted),
 *    get, create (409 AlreadyExists), update with resourceVersion (409 Conflict),
 *    merge and JSON patch, the `/status` subresource, generation, finalizers and
 *    deletionTimestamp (see object-ops.ts);
 *  - admissionregistration.k8s.io/v1 Mutating/ValidatingWebhookConfigurations, stored
 *    like any object and called (with those given to `configureWebhooks`) over HTTPS
 *    with real admission.k8s.io/v1 AdmissionReview bodies, verified against their
 *    `caBundle` (admission-chain.ts);
 *  - Secret and webhook-configuration validation (builtin-validation.ts);
 *  - TokenReview over a configurable token table;
 *  - enough discovery for `kubectl --server http://127.0.0.1:<port> get ...`.
 * It does not authenticate or authorize its own callers, run controllers, or
 * garbage-collect.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { AdmissionChain, type UserInfo, type WebhookConfiguration } from './admission-chain.js';
import { discoveryDocument } from './discovery.js';
import { ObjectTable, type KObject } from './object-table.js';
import { ObjectOps, type DeleteOptions, type RequestContext } from './object-ops.js';
import { parsePath, type ParsedPath } from './paths.js';
import { objectFilter, type ObjectFilter } from './query-selectors.js';
import { apiVersionOf, RESOURCE_TYPES, type ResourceType } from './resource-types.js';
import { ApiError, badRequest, methodNotAllowed, notFound } from './status-errors.js';

/** Who a bearer token stands for, as TokenReview reports it. */
export interface TokenIdentity {
  user: UserInfo;
  /** Audiences the token was issued for; absent = the API server's own (`https://kubernetes.default.svc`). */
  audiences?: string[];
}

export interface ApiServerTestDoubleOptions {
  /** Watch events kept for resuming; older resourceVersions get 410 Expired. Default 1000. */
  historyLimit?: number;
  tokens?: Record<string, TokenIdentity>;
  webhookConfigurations?: WebhookConfiguration[];
  /** `namespace/name` of a Service → URL base for webhooks that use `clientConfig.service`. */
  serviceEndpoints?: Record<string, string>;
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
}

const DEFAULT_AUDIENCE = 'https://kubernetes.default.svc';
const WEBHOOK_TYPES: ReadonlyArray<ResourceType> = RESOURCE_TYPES.filter(
  (t) => t.group === 'admissionregistration.k8s.io',
);
const ADMIN: UserInfo = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

/** A service account's identity, as a bound token reviews (pod-bound when `pod` is given). */
export function serviceAccountIdentity(
  namespace: string,
  serviceAccount: string,
  opts: { pod?: { name: string; uid: string }; audiences?: string[] } = {},
): TokenIdentity {
  return {
    user: {
      username: `system:serviceaccount:${namespace}:${serviceAccount}`,
      uid: randomUUID(),
      groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
      ...(opts.pod
        ? {
            extra: {
              'authentication.kubernetes.io/pod-name': [opts.pod.name],
              'authentication.kubernetes.io/pod-uid': [opts.pod.uid],
            },
          }
        : {}),
    },
    ...(opts.audiences ? { audiences: opts.audiences } : {}),
  };
}

export class ApiServerTestDouble {
  readonly table: ObjectTable;
  private readonly ops: ObjectOps;
  private readonly admission: AdmissionChain;
  private staticWebhooks: WebhookConfiguration[] = [];
  private readonly tokens = new Map<string, TokenIdentity>();
  private readonly serviceEndpoints = new Map<string, string>();
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<ServerResponse>();
  /** Every request served, in order (for assertions such as "no status write happened"). */
  readonly requests: RequestRecord[] = [];
  private server?: Server;
  private port = 0;
  private watchGate?: { promise: Promise<void>; release: () => void };

  private constructor(options: ApiServerTestDoubleOptions) {
    this.table = new ObjectTable(options.historyLimit ?? 1000);
    this.admission = new AdmissionChain((ns, name) => this.serviceEndpoints.get(`${ns}/${name}`));
    this.ops = new ObjectOps(this.table, this.admission);
    for (const [t, id] of Object.entries(options.tokens ?? {})) this.tokens.set(t, id);
    for (const [k, v] of Object.entries(options.serviceEndpoints ?? {})) this.serviceEndpoints.set(k, v);
    this.staticWebhooks = [...(options.webhookConfigurations ?? [])];
    this.table.subscribe((e) => {
      if (WEBHOOK_TYPES.includes(e.resource)) this.refreshWebhooks();
    });
    this.refreshWebhooks();
  }

  static async start(options: ApiServerTestDoubleOptions = {}): Promise<ApiServerTestDouble> {
    const d = new ApiServerTestDouble(options);
    await d.listen();
    return d;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The current resourceVersion (etcd revision). */
  get revision(): number {
    return this.table.revision;
  }

  setToken(token: string, identity: TokenIdentity): void {
    this.tokens.set(token, identity);
  }

  /**
   * Webhook configurations that are not API objects (replacing earlier ones given
   * here); stored Mutating/ValidatingWebhookConfigurations are called as well.
   */
  configureWebhooks(configs: ReadonlyArray<WebhookConfiguration>): void {
    this.staticWebhooks = [...configs];
    this.refreshWebhooks();
  }

  /** The static configurations, then the stored ones by name (kube-apiserver's order). */
  private refreshWebhooks(): void {
    const stored = WEBHOOK_TYPES.flatMap((t) => this.table.list(t) as unknown as WebhookConfiguration[]);
    this.admission.configure([...this.staticWebhooks, ...stored]);
  }

  setServiceEndpoint(namespace: string, name: string, urlBase: string): void {
    this.serviceEndpoints.set(`${namespace}/${name}`, urlBase);
  }

  /** Forgets watch history up to `rv` (default: all), so watches resuming before it get 410. */
  compact(rv?: number): void {
    this.table.compact(rv);
  }

  /** Ends every open watch, as an API server does on restart or timeout; clients must resume. */
  closeWatches(): void {
    for (const w of this.watches) w.end();
    this.watches.clear();
  }

  /**
   * While held, new watch requests wait (existing ones keep streaming): lets a test
   * make changes, compact, and then let a client resume from a revision that is gone.
   */
  holdWatches(hold: boolean): void {
    if (hold && !this.watchGate) {
      let release = () => {};
      const promise = new Promise<void>((r) => (release = r));
      this.watchGate = { promise, release };
    } else if (!hold && this.watchGate) {
      this.watchGate.release();
      this.watchGate = undefined;
    }
  }

  /** A client-node KubeConfig pointed at the double. */
  kubeConfig(token = 'test-double-admin'): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'test-double', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'test-user', token }],
      contexts: [{ name: 'test-double', cluster: 'test-double', user: 'test-user' }],
      currentContext: 'test-double',
    });
    return kc;
  }

  async close(): Promise<void> {
    this.holdWatches(false);
    this.closeWatches();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  private listen(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const addr = server.address();
        this.port = typeof addr === 'object' && addr ? addr.port : 0;
        resolve();
      });
    });
  }

  private userOf(req: IncomingMessage): UserInfo {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    return (m && this.tokens.get(m[1]!)?.user) || ADMIN;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const record: RequestRecord = { method, path: `${url.pathname}${url.search}`, status: 0 };
    this.requests.push(record);
    const ctx: RequestContext = { user: this.userOf(req), warnings: [] };
    const send = (status: number, body: unknown): void => {
      record.status = status;
      const headers: Record<string, string | string[]> = { 'content-type': 'application/json' };
      if (ctx.warnings.length > 0) headers.warning = ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`);
      res.writeHead(status, headers);
      res.end(JSON.stringify(body));
    };
    try {
      const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
      const parsed = parsePath(url.pathname);
      if (!parsed.ok) {
        const doc = method === 'GET' ? discoveryDocument(url.pathname, `127.0.0.1:${this.port}`) : undefined;
        if (doc) return send(200, doc);
        throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      }
      const p = parsed.path;
      if (p.type.resource === 'tokenreviews') {
        if (method !== 'POST' || p.name) throw methodNotAllowed();
        return send(201, this.tokenReview(body));
      }
      if (method === 'GET' && !p.name) {
        if (
          p.watchPrefix ||
          url.searchParams.get('watch') === 'true' ||
          url.searchParams.get('watch') === '1'
        ) {
          record.status = 200;
          if (this.watchGate) await this.watchGate.promise;
          return this.watch(p, url.searchParams, req, res);
        }
        return send(200, this.list(p, url.searchParams));
      }
      if (!p.name) {
        if (method !== 'POST' || p.subresource) throw methodNotAllowed();
        return send(201, await this.ops.create(p.type, p.namespace, body, ctx));
      }
      switch (method) {
        case 'GET': {
          if (p.subresource && !(p.subresource === 'status' && p.type.status)) throw notFound(p.type, p.name);
          const obj = this.table.get(p.type, p.namespace, p.name);
          if (!obj) throw notFound(p.type, p.name);
          return send(200, obj);
        }
        case 'PUT':
          return send(200, await this.ops.update(p.type, p.namespace, p.name, p.subresource, body, ctx));
        case 'PATCH':
          return send(
            200,
            await this.ops.patch(
              p.type,
              p.namespace,
              p.name,
              p.subresource,
              req.headers['content-type'] ?? '',
              body,
              ctx,
            ),
          );
        case 'DELETE':
          return send(
            200,
            await this.ops.delete(p.type, p.namespace, p.name, body as DeleteOptions | undefined, ctx),
          );
        default:
          throw methodNotAllowed();
      }
    } catch (e) {
      const err =
        e instanceof ApiError
          ? e
          : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
      send(err.code, err.body());
    }
  }

  private filter(p: ParsedPath, q: URLSearchParams): ObjectFilter {
    try {
      return objectFilter(q.get('labelSelector'), q.get('fieldSelector'));
    } catch (e) {
      throw badRequest((e as Error).message);
    }
  }

  private list(p: ParsedPath, q: URLSearchParams): object {
    const filter = this.filter(p, q);
    const items = this.table.list(p.type, p.namespace).filter(filter);
    return {
      apiVersion: apiVersionOf(p.type),
      kind: `${p.type.kind}List`,
      metadata: { resourceVersion: String(this.table.revision) },
      items,
    };
  }

  private watch(p: ParsedPath, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    const filter = this.filter(p, q);
    const inScope = (t: ResourceType, o: KObject) =>
      t === p.type && (p.namespace === undefined || o.metadata.namespace === p.namespace) && filter(o);
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const write = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
    const rvParam = q.get('resourceVersion');
    const from = rvParam === null || rvParam === '' ? 0 : Number(rvParam);
    if (!Number.isInteger(from) || from < 0) {
      write('ERROR', new ApiError(400, 'BadRequest', `invalid resource version: ${rvParam}`).body());
      res.end();
      return;
    }
    // Replay and subscription happen in one synchronous step, so no event falls between them.
    if (from === 0) {
      for (const o of this.table.list(p.type, p.namespace)) if (filter(o)) write('ADDED', o);
    } else {
      const since = this.table.since(from);
      if (!since.ok) {
        write(
          'ERROR',
          new ApiError(410, 'Expired', `too old resource version: ${from} (${since.oldest})`).body(),
        );
        res.end();
        return;
      }
      for (const e of since.events) if (inScope(e.resource, e.object)) write(e.type, e.object);
    }
    const unsubscribe = this.table.subscribe((e) => {
      if (inScope(e.resource, e.object)) write(e.type, e.object);
    });
    this.watches.add(res);
    const timeout = Number(q.get('timeoutSeconds') ?? '0');
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    const done = () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
      this.watches.delete(res);
    };
    res.on('close', done);
    req.on('close', done);
  }

  private tokenReview(body: unknown): object {
    const spec = (body as { spec?: { token?: unknown; audiences?: unknown } } | undefined)?.spec;
    if (!spec || typeof spec.token !== 'string') throw badRequest('TokenReview spec.token is required');
    const wanted = Array.isArray(spec.audiences)
      ? spec.audiences.filter((a): a is string => typeof a === 'string')
      : [];
    const base = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      metadata: { creationTimestamp: null },
      spec: { token: spec.token, ...(wanted.length ? { audiences: wanted } : {}) },
    };
    const id = this.tokens.get(spec.token);
    if (!id)
      return {
        ...base,
        status: { authenticated: false, error: '[invalid bearer token, token lookup failed]' },
      };
    const has = id.audiences ?? [DEFAULT_AUDIENCE];
    const audiences = wanted.length > 0 ? wanted.filter((a) => has.includes(a)) : has;
    if (wanted.length > 0 && audiences.length === 0) {
      return {
        ...base,
        status: {
          authenticated: false,
          error: `[invalid bearer token, token audiences ${JSON.stringify(has)} is invalid for the target audiences ${JSON.stringify(wanted)}]`,
        },
      };
    }
    return { ...base, status: { authenticated: true, user: id.user, audiences } };
  }
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(badRequest('the request body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}
