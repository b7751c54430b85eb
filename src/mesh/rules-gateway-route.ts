/**
 * GatewayRoute rules (appmesh.md §1.2, §2.2, §2.4): match and rewrite rules,
 * reserved paths and gRPC service names; attachment to exactly one
 * VirtualGateway by its namespaceSelector + gatewayRouteSelector, in the same mesh;
 * the target VirtualService, which the route waits for together with its gateway.
 */
import type { GatewayRoute, Path, VirtualGateway } from '../model/index.js';
import { MAX_AWS_NAME, awsNamePath } from './aws-names.js';
import type { BuildContext } from './context.js';
import { describeId, keyOf, refScope, relatedAt, type ResourceEntry } from './context.js';
import { portsOf } from './listeners.js';
import { checkPrefixSlash, checkRanges } from './matches.js';
import { resolveRef, waitFor } from './references.js';
import { checkTargetPort } from './rules-virtual-router.js';
import { gatewaysSelecting } from './placement.js';
import { describeSelector } from './selectors.js';

export const GATEWAY_ROUTE_TYPES = ['httpRoute', 'http2Route', 'grpcRoute'] as const;
export type GatewayRouteType = (typeof GATEWAY_ROUTE_TYPES)[number];
export const GATEWAY_PROTOCOL_OF: Readonly<Record<GatewayRouteType, 'http' | 'http2' | 'grpc'>> = {
  httpRoute: 'http',
  http2Route: 'http2',
  grpcRoute: 'grpc',
};

const RESERVED_PATHS = ['/aws-appmesh', '/aws-app-mesh'];

export function gatewayRouteTypeOf(gr: GatewayRoute): GatewayRouteType | undefined {
  return GATEWAY_ROUTE_TYPES.find((t) => gr.spec[t] !== undefined && gr.spec[t] !== null);
}

interface HttpBody {
  match?: {
    prefix?: string;
    path?: { exact?: string; regex?: string };
    port?: number;
    headers?: Array<{ match?: { range?: { start?: number; end?: number } } }>;
    queryParameters?: Array<{ match?: { exact?: string } }>;
  };
  action?: {
    rewrite?: { prefix?: { value?: string; defaultPrefix?: string }; path?: unknown; hostname?: unknown };
    target?: GrTarget;
  };
}
interface GrpcBody {
  match?: {
    serviceName?: string;
    port?: number;
    metadata?: Array<{ match?: { range?: { start?: number; end?: number } } }>;
  };
  action?: { target?: GrTarget };
}
interface GrTarget {
  virtualService?: { virtualServiceRef?: { name: string; namespace?: string }; virtualServiceARN?: string };
  port?: number;
}

export function checkGatewayRoute(ctx: BuildContext, e: ResourceEntry): void {
  const gr = e.resource as GatewayRoute;
  const type = gatewayRouteTypeOf(gr);
  if (!type) return;
  const at: Path = ['spec', type];
  if (type === 'grpcRoute') {
    const body = gr.spec.grpcRoute as GrpcBody;
    const service = body.match?.serviceName;
    if (typeof service === 'string' && isReservedService(service)) {
      ctx.error(
        e,
        [...at, 'match', 'serviceName'],
        'gr.reserved-name',
        `gRPC service name ${JSON.stringify(service)} is reserved by App Mesh (aws.app-mesh*, aws.appmesh)`,
      );
    }
    checkRanges(ctx, e, [...at, 'match', 'metadata'], body.match?.metadata);
    return;
  }
  const body = gr.spec[type] as HttpBody;
  const match = body.match;
  checkPrefixSlash(ctx, e, [...at, 'match', 'prefix'], match?.prefix);
  for (const [p, value] of [
    [['prefix'], match?.prefix],
    [['path', 'exact'], match?.path?.exact],
  ] as const) {
    if (typeof value === 'string' && RESERVED_PATHS.some((r) => value.startsWith(r))) {
      ctx.error(
        e,
        [...at, 'match', ...p],
        'gr.reserved-name',
        `${JSON.stringify(value)} is reserved by App Mesh: paths starting with /aws-appmesh or /aws-app-mesh cannot be routed`,
      );
    }
  }
  checkRanges(ctx, e, [...at, 'match', 'headers'], match?.headers);
  (match?.queryParameters ?? []).forEach((q, k) => {
    if (q?.match && q.match.exact === undefined) {
      ctx.error(
        e,
        [...at, 'match', 'queryParameters', k, 'match'],
        'gr.query-match-exact',
        "a query parameter's match block needs match.exact; leave out match to require only that the parameter is present",
      );
    }
  });
  const value = body.action?.rewrite?.prefix?.value;
  if (typeof value === 'string' && (!value.startsWith('/') || !value.endsWith('/'))) {
    ctx.error(
      e,
      [...at, 'action', 'rewrite', 'prefix', 'value'],
      'gr.rewrite-prefix',
      `the new prefix ${JSON.stringify(value)} must start and end with "/"`,
    );
  }
}

function isReservedService(name: string): boolean {
  return name.startsWith('aws.app-mesh') || name === 'aws.appmesh' || name.startsWith('aws.appmesh.');
}

/**
 * Attaches the route to its gateway: the one VirtualGateway whose namespaceSelector and
 * gatewayRouteSelector select it. `spec.virtualGatewayRef` is the system's, set from that
 * selection on create (issue 16 item 4): where the system set it (a store, a cluster, a
 * REST API route) it decides; in manifests from files (GraphOptions.refsFromFiles) the
 * selectors decide and the ref is refused when it disagrees, ignored when it agrees.
 */
export function attachGatewayRoute(
  ctx: BuildContext,
  e: ResourceEntry,
  gateways: ResourceEntry[],
  brokenGatewayExists: boolean,
): void {
  const gr = e.resource as GatewayRoute;
  const ns = e.id.namespace;
  const ref = gr.spec.virtualGatewayRef;
  const named =
    ref && typeof ref.name === 'string' ? { name: ref.name, namespace: ref.namespace || ns } : undefined;
  const gateway =
    named && (ns === undefined || !ctx.refsFromFiles)
      ? gatewayByRef(ctx, e, named)
      : gatewayBySelectors(ctx, e, gateways, brokenGatewayExists, named);
  if (!gateway) return;
  if (e.mesh && gateway.mesh && e.mesh !== gateway.mesh) {
    ctx.error(
      e,
      ['metadata', 'namespace'],
      'gr.gateway-cross-mesh',
      `${describeId(gateway.id)} didn't belong to mesh ${e.mesh.awsName} (it is in mesh ${gateway.mesh.awsName}); a gateway route must be in its gateway's mesh`,
      [relatedAt(gateway, [], `in mesh ${gateway.mesh.awsName}`)],
    );
    return;
  }
  ctx.gatewayOf.set(e, gateway);
  e.waitsFor.push({ entry: gateway });
  checkGatewayPort(ctx, e, gateway);
}

/** The gateway a system-set virtualGatewayRef names. */
function gatewayByRef(
  ctx: BuildContext,
  e: ResourceEntry,
  ref: { name: string; namespace: string | undefined },
): ResourceEntry | undefined {
  const gateway = ctx.byKey.get(keyOf('VirtualGateway', ref.namespace, ref.name, refScope(e, ref.namespace)));
  if (gateway) return gateway;
  if (!ctx.findInvalid('VirtualGateway', ref.namespace, ref.name)) {
    ctx.error(
      e,
      ['spec', 'virtualGatewayRef', 'name'],
      'gr.gateway-not-found',
      `spec.virtualGatewayRef names VirtualGateway ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}, which does not exist`,
    );
  } else
    e.waitsFor.push({
      invalidInput: {
        kind: 'VirtualGateway',
        name: ref.name,
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
      },
    });
  return undefined;
}

/** The one gateway whose selectors select the route; a virtualGatewayRef beside them is only compared. */
function gatewayBySelectors(
  ctx: BuildContext,
  e: ResourceEntry,
  gateways: ResourceEntry[],
  brokenGatewayExists: boolean,
  ref: { name: string; namespace: string | undefined } | undefined,
): ResourceEntry | undefined {
  const gr = e.resource as GatewayRoute;
  const ns = e.id.namespace;
  const nsLabels = ns !== undefined ? ctx.namespaces.get(ns)?.labels : undefined;
  const labels = gr.metadata.labels ?? {};
  const candidates = gatewaysSelecting(gateways, (g) => g.resource as VirtualGateway, gr, nsLabels);
  const refPath: Path = ['spec', 'virtualGatewayRef', 'name'];
  const refNamed = ref
    ? `spec.virtualGatewayRef names VirtualGateway ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`
    : '';
  if (candidates.length === 1) {
    const gateway = candidates[0]!;
    if (!ref) return gateway;
    if (gateway.id.name === ref.name && gateway.id.namespace === ref.namespace) {
      ctx.warning(
        e,
        ['spec', 'virtualGatewayRef'],
        'gr.gateway-ref-ignored',
        `spec.virtualGatewayRef is set by the system from the VirtualGateway whose selectors select the route, so it is ignored here (it agrees: ${describeId(gateway.id)})`,
      );
    } else {
      ctx.error(
        e,
        refPath,
        'gr.gateway-ref-mismatch',
        `${refNamed}, but the route is selected by ${describeId(gateway.id)}; virtualGatewayRef is set by the system from that selection: remove it`,
        [relatedAt(gateway, ['spec', 'gatewayRouteSelector'], 'this gateway selects the route')],
      );
    }
    return gateway;
  }
  if (candidates.length === 0) {
    if (brokenGatewayExists) return undefined; // that gateway's own error is the root cause
    const related = gateways.slice(0, 5).map((g) => {
      const spec = (g.resource as VirtualGateway).spec;
      return relatedAt(
        g,
        ['spec', 'namespaceSelector'],
        `${describeId(g.id)} selects namespaces ${describeSelector(spec.namespaceSelector, 'none')} and gateway routes ${describeSelector(spec.gatewayRouteSelector, 'all')}`,
      );
    });
    const hint =
      gateways.length === 0
        ? 'there is no VirtualGateway'
        : `no VirtualGateway selects namespace ${ns ?? '(none)'} with route labels ${
            Object.entries(labels)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ') || '(none)'
          }`;
    const appMesh = `failed to find matching virtualGateway for gatewayRoute: ${e.id.name}, expecting 1 but found 0 (${hint})`;
    if (ref)
      ctx.error(
        e,
        refPath,
        'gr.gateway-ref-mismatch',
        `${refNamed}, which does not select the route: ${appMesh}`,
        related,
      );
    else ctx.error(e, ['metadata', 'labels'], 'gr.no-matching-gateway', appMesh, related);
    return undefined;
  }
  ctx.error(
    e,
    ['metadata', 'labels'],
    'gr.multiple-matching-gateways',
    `failed to find matching virtualGateway for gatewayRoute: ${e.id.name}, expecting 1 but found ${candidates.length}: ${candidates.map((g) => `${g.id.namespace}/${g.id.name}`).join(',')}; narrow the gateways' namespaceSelector or gatewayRouteSelector`,
    candidates.map((g) =>
      relatedAt(g, ['spec', 'gatewayRouteSelector'], `${describeId(g.id)} selects this route`),
    ),
  );
  return undefined;
}

/** match.port picks the gateway listener (required with several); the route type must fit its protocol. */
function checkGatewayPort(ctx: BuildContext, e: ResourceEntry, gateway: ResourceEntry): void {
  const gr = e.resource as GatewayRoute;
  const type = gatewayRouteTypeOf(gr);
  if (!type) return;
  const port = (gr.spec[type] as { match?: { port?: number } }).match?.port;
  const listeners = portsOf(gateway);
  const at: Path = ['spec', type];
  let listener: { port: number; protocol: string } | undefined;
  if (port === undefined) {
    if (listeners.length > 1) {
      ctx.error(
        e,
        [...at, 'match', 'port'],
        'gr.port-required',
        `${describeId(gateway.id)} has ${listeners.length} listeners (ports ${listeners.map((l) => l.port).join(', ')}): set match.port`,
      );
      return;
    }
    listener = listeners[0];
  } else {
    listener = listeners.find((l) => l.port === port);
    if (!listener) {
      ctx.error(
        e,
        [...at, 'match', 'port'],
        'gr.port-unknown',
        `match.port ${port} is not a listener port of ${describeId(gateway.id)} (${listeners.map((l) => l.port).join(', ') || 'none'})`,
      );
      return;
    }
  }
  // A warning, not an error: App Mesh accepted such a route (issue 16 item 7); it matches no traffic.
  if (listener && listener.protocol !== GATEWAY_PROTOCOL_OF[type]) {
    ctx.warning(
      e,
      at,
      'gr.protocol-mismatch',
      `a ${type} needs a ${GATEWAY_PROTOCOL_OF[type]} listener, but ${describeId(gateway.id)} listens with ${listener.protocol} on port ${listener.port}, so this route matches no traffic`,
    );
  }
}

export function resolveGatewayRouteTarget(ctx: BuildContext, e: ResourceEntry): void {
  const gr = e.resource as GatewayRoute;
  const type = gatewayRouteTypeOf(gr);
  if (!type) return;
  const target = (gr.spec[type] as { action?: { target?: GrTarget } }).action?.target;
  const vs = target?.virtualService;
  if (!vs) return;
  const at: Path = ['spec', type, 'action', 'target'];
  const r = resolveRef(ctx, e, {
    kind: 'VirtualService',
    at: [...at, 'virtualService'],
    ref: vs.virtualServiceRef,
    arn: vs.virtualServiceARN,
    refField: 'virtualServiceRef',
    arnField: 'virtualServiceARN',
    what: 'the target is',
    missing: 'error',
  });
  waitFor(e, r);
  if (r.status !== 'found') return;
  ctx.gatewayRouteTarget.set(e, {
    entry: r.entry,
    ...(typeof target?.port === 'number' ? { port: target.port } : {}),
  });
  const provider = ctx.providers.get(r.entry);
  if (provider) checkTargetPort(ctx, e, at, target?.port, provider);
}

/** Gateway route names are unique per gateway (App Mesh scopes them to the virtual gateway). */
export function checkGatewayRouteNames(ctx: BuildContext, routes: ResourceEntry[]): void {
  const seen = new Map<string, ResourceEntry>();
  for (const e of routes) {
    const gw = ctx.gatewayOf.get(e);
    if (!gw) continue;
    if (e.awsName.length > MAX_AWS_NAME) continue;
    const key = `${gw.key}\u0000${e.awsName}`;
    const first = seen.get(key);
    if (first) {
      ctx.error(
        e,
        awsNamePath(e),
        'name.duplicate',
        `GatewayRoute name ${JSON.stringify(e.awsName)} is already used on ${describeId(gw.id)} by ${describeId(first.id)}`,
        [relatedAt(first, awsNamePath(first), 'the first gateway route with this name')],
      );
    } else seen.set(key, e);
  }
}
