/**
 * VirtualRouter and its routes (appmesh.md §1.2, §2.4, §5): unique route names,
 * listener ports, route ports and protocols that fit the listeners, weights,
 * gRPC method/service, retry events, header ranges; and the targets, which the
 * router waits for (§2.1).
 */
import type { Path, VirtualRouter, Route } from '../model/index.js';
import { MAX_AWS_NAME } from './aws-names.js';
import { type BuildContext, relatedAt, type ResourceEntry, type TargetLink } from './context.js';
import { checkListeners, portsOf } from './listeners.js';
import { checkPrefixSlash, checkRanges } from './matches.js';
import { resolveRef, waitFor } from './references.js';

export const ROUTE_TYPES = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'] as const;
export type RouteType = (typeof ROUTE_TYPES)[number];
export const PROTOCOL_OF: Readonly<Record<RouteType, 'http' | 'http2' | 'grpc' | 'tcp'>> = {
  httpRoute: 'http',
  http2Route: 'http2',
  grpcRoute: 'grpc',
  tcpRoute: 'tcp',
};

export function routeTypeOf(route: Route): RouteType | undefined {
  return ROUTE_TYPES.find((t) => route[t] !== undefined && route[t] !== null);
}

interface AnyRouteBody {
  match?: {
    port?: number;
    prefix?: string;
    headers?: Array<{ match?: { range?: { start?: number; end?: number } } }>;
    metadata?: Array<{ match?: { range?: { start?: number; end?: number } } }>;
    methodName?: string;
    serviceName?: string;
  };
  action?: {
    weightedTargets?: Array<{
      weight?: number;
      port?: number;
      virtualNodeRef?: { name: string; namespace?: string };
      virtualNodeARN?: string;
    }>;
  };
  retryPolicy?: { httpRetryEvents?: unknown[]; tcpRetryEvents?: unknown[]; grpcRetryEvents?: unknown[] };
}

export function checkVirtualRouter(ctx: BuildContext, e: ResourceEntry): void {
  const spec = (e.resource as VirtualRouter).spec;
  // App Mesh's CRD and API both leave listeners optional (API reference, VirtualRouterSpec).
  if (spec.listeners === undefined) {
    ctx.warning(
      e,
      ['spec'],
      'vr.no-listener',
      'the router has no listeners, so it serves no port and its routes match no traffic; add spec.listeners',
    );
  }
  checkListeners(ctx, e);
  const listeners = portsOf(e);
  const names = new Map<string, number>();
  (spec.routes ?? []).forEach((route, i) => {
    const at: Path = ['spec', 'routes', i];
    if (typeof route.name === 'string') {
      const first = names.get(route.name);
      if (first !== undefined) {
        ctx.error(
          e,
          [...at, 'name'],
          'route.duplicate-name',
          `VirtualRouter-${e.id.name} has duplicate route entries for ${route.name}: route names must be unique within a router`,
          [relatedAt(e, ['spec', 'routes', first, 'name'], 'first route with this name')],
        );
      } else names.set(route.name, i);
      if (route.name.length === 0 || route.name.length > MAX_AWS_NAME) {
        ctx.error(
          e,
          [...at, 'name'],
          'name.aws-name-length',
          `route name is ${route.name.length} characters long; App Mesh names are 1..${MAX_AWS_NAME} characters`,
        );
      }
    }
    const type = routeTypeOf(route);
    if (!type) return;
    const body = route[type] as AnyRouteBody;
    const bodyAt: Path = [...at, type];
    checkRoutePort(ctx, e, bodyAt, type, body, listeners);
    const match = body.match;
    if (type === 'httpRoute' || type === 'http2Route') {
      checkPrefixSlash(ctx, e, [...bodyAt, 'match', 'prefix'], match?.prefix);
      checkRanges(ctx, e, [...bodyAt, 'match', 'headers'], match?.headers);
    }
    if (type === 'grpcRoute') {
      if (match?.methodName !== undefined && match.serviceName === undefined) {
        ctx.error(
          e,
          [...bodyAt, 'match', 'methodName'],
          'route.grpc-method-without-service',
          'methodName requires serviceName: set match.serviceName too',
        );
      }
      checkRanges(ctx, e, [...bodyAt, 'match', 'metadata'], match?.metadata);
    }
    checkWeights(ctx, e, [...bodyAt, 'action', 'weightedTargets'], body.action?.weightedTargets);
    checkRetryEvents(ctx, e, [...bodyAt, 'retryPolicy'], type, body.retryPolicy);
  });
}

/** Which listener a route serves: its match.port, or the only listener. */
function checkRoutePort(
  ctx: BuildContext,
  e: ResourceEntry,
  bodyAt: Path,
  type: RouteType,
  body: AnyRouteBody,
  listeners: ReadonlyArray<{ port: number; protocol: string }>,
): void {
  const port = body.match?.port;
  const ports = listeners.map((l) => l.port).join(', ');
  let listener: { port: number; protocol: string } | undefined;
  if (port === undefined) {
    if (listeners.length > 1) {
      ctx.error(
        e,
        [...bodyAt, 'match', 'port'],
        'route.port-required',
        `the router has ${listeners.length} listeners (ports ${ports}): set match.port to the one this route serves`,
      );
      return;
    }
    listener = listeners[0];
  } else {
    listener = listeners.find((l) => l.port === port);
    if (!listener) {
      ctx.error(
        e,
        [...bodyAt, 'match', 'port'],
        'route.port-unknown',
        `match.port ${port} is not a listener port of the router (${ports || 'none'})`,
      );
      return;
    }
  }
  if (listener && listener.protocol !== PROTOCOL_OF[type]) {
    ctx.error(
      e,
      bodyAt,
      'route.protocol-mismatch',
      `a ${type} needs a ${PROTOCOL_OF[type]} listener, but the router's listener on port ${listener.port} is ${listener.protocol}`,
    );
  }
}

function checkWeights(
  ctx: BuildContext,
  e: ResourceEntry,
  at: Path,
  targets: ReadonlyArray<{ weight?: number }> | undefined,
): void {
  if (!Array.isArray(targets) || targets.length === 0) return;
  const sum = targets.reduce((s, t) => s + (typeof t?.weight === 'number' ? t.weight : 0), 0);
  if (sum > 100)
    ctx.error(e, at, 'route.weight-sum', `weights add up to ${sum}; App Mesh allows at most 100 per route`);
  else if (sum === 0)
    ctx.warning(e, at, 'route.zero-weight', 'every weight is 0, so this route sends traffic nowhere');
}

const RETRY_FIELDS: Record<RouteType, readonly string[]> = {
  httpRoute: ['httpRetryEvents', 'tcpRetryEvents'],
  http2Route: ['httpRetryEvents', 'tcpRetryEvents'],
  grpcRoute: ['grpcRetryEvents', 'httpRetryEvents', 'tcpRetryEvents'],
  tcpRoute: [],
};

/** App Mesh: "Specify at least one value for at least one of the types of retry events" valid for the route type. */
function checkRetryEvents(
  ctx: BuildContext,
  e: ResourceEntry,
  at: Path,
  type: RouteType,
  policy: AnyRouteBody['retryPolicy'],
): void {
  if (!policy || typeof policy !== 'object' || type === 'tcpRoute') return;
  const valid = RETRY_FIELDS[type];
  const has = valid.some(
    (f) =>
      Array.isArray((policy as Record<string, unknown>)[f]) &&
      ((policy as Record<string, unknown[]>)[f] ?? []).length > 0,
  );
  if (has) return;
  const misplaced =
    type !== 'grpcRoute' && policy.grpcRetryEvents !== undefined
      ? ' (grpcRetryEvents only apply to a grpcRoute)'
      : '';
  ctx.error(
    e,
    at,
    'route.retry-no-events',
    `a retry policy needs at least one retry event in ${valid.join(' or ')}${misplaced}`,
  );
}

/** Targets must exist; the router waits for them. Target ports must name a listener of the target node. */
export function resolveRouteTargets(ctx: BuildContext, e: ResourceEntry): void {
  const spec = (e.resource as VirtualRouter).spec;
  const byRoute = new Map<number, TargetLink[]>();
  (spec.routes ?? []).forEach((route, i) => {
    const type = routeTypeOf(route);
    if (!type) return;
    const body = route[type] as AnyRouteBody;
    const links: TargetLink[] = [];
    (body.action?.weightedTargets ?? []).forEach((t, j) => {
      const at: Path = ['spec', 'routes', i, type, 'action', 'weightedTargets', j];
      const r = resolveRef(ctx, e, {
        kind: 'VirtualNode',
        at,
        ref: t.virtualNodeRef,
        arn: t.virtualNodeARN,
        refField: 'virtualNodeRef',
        arnField: 'virtualNodeARN',
        what: `route ${route.name} targets`,
        missing: 'error',
      });
      waitFor(e, r);
      if (r.status !== 'found') return;
      checkTargetPort(ctx, e, at, t.port, r.entry);
      links.push({
        entry: r.entry,
        weight: typeof t.weight === 'number' ? t.weight : 0,
        ...(typeof t.port === 'number' ? { port: t.port } : {}),
      });
    });
    byRoute.set(i, links);
  });
  ctx.routeTargets.set(e, byRoute);
}

/** UG routes.md: a target port is required when the target has several listeners, and must be one of them. */
export function checkTargetPort(
  ctx: BuildContext,
  e: ResourceEntry,
  at: Path,
  port: number | undefined,
  target: ResourceEntry,
): void {
  const listeners = portsOf(target);
  if (listeners.length === 1 && (port === undefined || port === listeners[0]!.port)) return; // the common case, without building messages
  const name = `${target.kind} ${target.id.namespace ? `${target.id.namespace}/` : ''}${target.id.name}`;
  if (listeners.length === 0) {
    ctx.warning(e, at, 'target.no-listener', `${name} has no listeners, so it cannot receive traffic`, [
      relatedAt(target, ['spec'], 'its spec'),
    ]);
    return;
  }
  if (port === undefined) {
    if (listeners.length > 1) {
      ctx.error(
        e,
        [...at, 'port'],
        'target.port-required',
        `${name} has ${listeners.length} listeners (ports ${listeners.map((l) => l.port).join(', ')}): set port to the one to send to`,
        [relatedAt(target, ['spec', 'listeners'], 'its listeners')],
      );
    }
    return;
  }
  if (!listeners.some((l) => l.port === port)) {
    ctx.error(
      e,
      [...at, 'port'],
      'target.port-unknown',
      `port ${port} is not a listener port of ${name} (${listeners.map((l) => l.port).join(', ')})`,
      [relatedAt(target, ['spec', 'listeners'], 'its listeners')],
    );
  }
}
