/**
 * A virtual service's routing on one of its ports, in neutral form: for a router
 * provider its routes (in App Mesh's match order) for that port, for a node provider
 * one catch-all route to the node. Sidecar egress, proxyless clients and gateways all
 * read a service's behaviour from here, so weights, retries and timeouts are the same
 * wherever the service is called from.
 */
import type {
  ResolvedRoute,
  ResolvedVirtualNode,
  ResolvedVirtualService,
  RouteProtocol,
} from '../mesh/index.js';
import type {
  Duration as AppMeshDuration,
  GRPCRetryPolicy,
  HTTPRetryPolicy,
  VirtualNodeListener,
} from '../model/index.js';
import type { TranslateContext } from './context.js';
import { egressCluster, type EgressClusterOptions } from './cluster.js';
import { defaultRetrySetting } from './default-retry.js';
import { providerOf, readNode, type ServicePort } from './lookup.js';
import { compareSpecificity, grpcMatchIR, httpMatchIR, MATCH_ALL, type MatchIR } from './route-match.js';
import type { ActionSpec, ClusterWeight } from './route-action.js';

export interface ServiceRoute {
  /** Route name (App Mesh route name, or the service name for a node provider). */
  name: string;
  protocol: RouteProtocol;
  match: MatchIR;
  action: ActionSpec;
  /** tcp routes only. */
  tcpIdle?: AppMeshDuration;
}

const HTTP_FAMILY = new Set(['http', 'http2', 'grpc']);

export function sameFamily(a: string, b: string): boolean {
  return a === b || (HTTP_FAMILY.has(a) && HTTP_FAMILY.has(b));
}

/**
 * The listener of `node` a target reaches: the one on the target's `port`, else its
 * only listener, else the one on the router's port.
 */
export function targetListener(
  node: ResolvedVirtualNode,
  targetPort: number | undefined,
  servicePort: number,
): VirtualNodeListener | undefined {
  const listeners = node.resource.spec.listeners ?? [];
  if (targetPort !== undefined) return listeners.find((l) => l.portMapping.port === targetPort);
  if (listeners.length === 1) return listeners[0];
  return listeners.find((l) => l.portMapping.port === servicePort);
}

function routePort(r: ResolvedRoute): number | undefined {
  const s = r.spec;
  return (
    s.httpRoute?.match.port ?? s.http2Route?.match.port ?? s.grpcRoute?.match.port ?? s.tcpRoute?.match?.port
  );
}

function routeMatch(r: ResolvedRoute): MatchIR {
  const s = r.spec;
  const http = s.httpRoute ?? s.http2Route;
  if (http) return httpMatchIR(http.match);
  if (s.grpcRoute) return grpcMatchIR(s.grpcRoute.match);
  return MATCH_ALL;
}

/** App Mesh's order: priority (unset last), then the more specific match, then declaration. */
export function orderRoutes<T extends { priority?: number | undefined; match: MatchIR; index: number }>(
  routes: T[],
): T[] {
  return routes.sort((a, b) => {
    const pa = a.priority ?? Number.MAX_SAFE_INTEGER;
    const pb = b.priority ?? Number.MAX_SAFE_INTEGER;
    return pa - pb || compareSpecificity(a.match, b.match) || a.index - b.index;
  });
}

function clusterWeights(
  ctx: TranslateContext,
  targets: ReadonlyArray<{ node: ResolvedVirtualNode; weight: number; port?: number | undefined }>,
  sp: ServicePort,
  opts: EgressClusterOptions,
  where: string,
): ClusterWeight[] {
  const out: ClusterWeight[] = [];
  for (const t of targets) {
    const node = readNode(ctx, t.node);
    if (!node) continue;
    const listener = targetListener(node, t.port, sp.port);
    if (!listener) {
      ctx.warn(
        `${where}: target ${node.awsName} has no listener${t.port !== undefined ? ` on port ${t.port}` : ''}; target left out`,
      );
      continue;
    }
    const cluster = egressCluster(ctx, node, listener, opts);
    const same = out.find((c) => c.cluster === cluster);
    if (same) same.weight += t.weight;
    else out.push({ cluster, weight: t.weight });
  }
  return out;
}

export function serviceRoutes(
  ctx: TranslateContext,
  vs: ResolvedVirtualService,
  sp: ServicePort,
  opts: EgressClusterOptions = {},
): ServiceRoute[] {
  const provider = providerOf(ctx, vs);
  if (!provider) return [];
  const defaults = defaultRetrySetting(ctx.view.mesh).enabled;
  const retry = (policy: HTTPRetryPolicy | GRPCRetryPolicy | undefined) =>
    policy ? { retry: policy } : defaults ? { defaultRetry: true } : {};
  if (provider.kind === 'virtualNode') {
    const targets = clusterWeights(
      ctx,
      [{ node: provider.node, weight: 1, port: sp.port }],
      sp,
      opts,
      `VirtualService ${vs.awsName}`,
    );
    const action = { targets, ...(HTTP_FAMILY.has(sp.protocol) ? retry(undefined) : {}) };
    return [{ name: vs.awsName, protocol: sp.protocol, match: MATCH_ALL, action }];
  }
  const candidates = provider.router.routes
    .filter((r) => sameFamily(r.protocol, sp.protocol))
    .filter((r) => {
      const p = routePort(r);
      return p === undefined || p === sp.port;
    })
    .map((r) => ({ r, priority: r.priority, match: routeMatch(r), index: r.index }));
  return orderRoutes(candidates).map(({ r, match }) => {
    const where = `route ${provider.router.awsName}/${r.name}`;
    const targets = clusterWeights(ctx, r.targets, sp, opts, where);
    const s = r.spec;
    const http = s.httpRoute ?? s.http2Route;
    if (http)
      return {
        name: r.name,
        protocol: r.protocol,
        match,
        action: { targets, ...opt('timeout', http.timeout), ...retry(http.retryPolicy) },
      };
    if (s.grpcRoute)
      return {
        name: r.name,
        protocol: r.protocol,
        match,
        action: { targets, ...opt('timeout', s.grpcRoute.timeout), ...retry(s.grpcRoute.retryPolicy) },
      };
    return {
      name: r.name,
      protocol: r.protocol,
      match,
      action: { targets },
      ...opt('tcpIdle', s.tcpRoute?.timeout?.idle),
    };
  });
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
