/**
 * A virtual gateway: `lds_ingress_0.0.0.0_<port>` per listener, each with
 * `rds_ingress_<protocol>_<port>` holding one virtual host `self_redirect` (domains
 * `*`) whose routes are the attached gateway routes in App Mesh's order (priority,
 * then the more specific match). By default, as App Mesh did, each rewrites the request
 * and sends it through the gateway's own egress listener, where the target service's
 * routes apply (gateway-self-redirect.ts). With `amime.io/gateway-routing: direct`
 * (gateway-routing.ts) each gateway route is instead composed with the routes of its
 * target service (gateway-compose.ts) and sent straight to the target nodes'
 * `cds_egress_…` clusters; the listener's connection pool then becomes those clusters'
 * circuit breakers (the first listener's pool wins for a cluster two listeners share).
 * The listener's TLS mode is the listener's TLS either way.
 */
import type { ResolvedGatewayRoute, ResolvedVirtualGateway, ResolvedVirtualService } from '../mesh/index.js';
import type { VirtualGatewayListener } from '../model/index.js';
import type { TranslateContext } from './context.js';
import { poolLimits } from './circuit-breakers.js';
import { accessLogs } from './access-log.js';
import { httpConnectionManagerFilter } from './hcm.js';
import {
  GATEWAY_VIRTUAL_HOST,
  VIRTUAL_SERVICE_HEADER,
  listenerName,
  routeConfigName,
  statPrefix,
} from './names.js';
import { tlsChains } from './listener-ingress.js';
import { activeService, servicePorts, type ServicePort } from './lookup.js';
import { serviceRoutes } from './service-routes.js';
import { compareSpecificity } from './route-match.js';
import { routeAction } from './route-action.js';
import { gatewayMatch, gatewayRoutePort, type GatewayMatch, type GatewayVariant } from './gateway-match.js';
import { gatewayRouting } from './gateway-routing.js';
import { GatewayEgress, noRoutesWarning } from './gateway-self-redirect.js';
import { compose } from './gateway-compose.js';
import type { RouteActionIR, RouteIR } from './ir/types.js';

function orderGatewayRoutes(
  routes: ReadonlyArray<ResolvedGatewayRoute>,
): Array<{ gr: ResolvedGatewayRoute; m: ReturnType<typeof gatewayMatch> }> {
  return routes
    .map((gr) => ({ gr, m: gatewayMatch(gr) }))
    .sort((a, b) => {
      const pa = a.gr.resource.spec.priority ?? 1000;
      const pb = b.gr.resource.spec.priority ?? 1000;
      return (
        pa - pb ||
        compareSpecificity(a.m.ir, b.m.ir) ||
        (a.gr.awsName < b.gr.awsName ? -1 : a.gr.awsName > b.gr.awsName ? 1 : 0)
      );
    });
}

function targetPort(
  ctx: TranslateContext,
  gr: ResolvedGatewayRoute,
  ports: ServicePort[],
): ServicePort | undefined {
  const wanted = gr.target.port;
  if (wanted !== undefined) {
    const p = ports.find((x) => x.port === wanted);
    if (!p)
      ctx.warn(
        `GatewayRoute ${gr.awsName}: target port ${wanted} is not a port of ${gr.target.service.awsName}`,
      );
    return p;
  }
  if (ports.length > 1)
    ctx.warn(
      `GatewayRoute ${gr.awsName}: ${gr.target.service.awsName} has several ports and the route names none; using ${ports[0]?.port}`,
    );
  return ports[0];
}

interface GatewayTarget {
  gr: ResolvedGatewayRoute;
  m: GatewayMatch;
  vs: ResolvedVirtualService;
  sp: ServicePort;
}

/** The gateway routes that apply to `listener`, in App Mesh's order, with their target service and port. */
function gatewayTargets(
  ctx: TranslateContext,
  vg: ResolvedVirtualGateway,
  listener: VirtualGatewayListener,
): GatewayTarget[] {
  const { port, protocol } = listener.portMapping;
  const out: GatewayTarget[] = [];
  for (const { gr, m } of orderGatewayRoutes(vg.routes)) {
    if (gr.inactive || gr.protocol !== protocol) continue;
    const grPort = gatewayRoutePort(gr);
    if (grPort !== undefined && grPort !== port) continue;
    const vs = activeService(ctx, gr.target.service.awsName);
    if (!vs) continue;
    const sp = targetPort(ctx, gr, servicePorts(ctx, vs));
    if (!sp || sp.protocol === 'tcp') continue;
    out.push({ gr, m, vs, sp });
  }
  return out;
}

/** The request rewrite of one path variant, as an Envoy route action does it. */
function variantRewrite(variant: GatewayVariant): Pick<RouteActionIR, 'prefixRewrite' | 'regexRewrite'> {
  const rw = variant.rewrite;
  if (rw.kind === 'prefix') return { prefixRewrite: rw.to };
  if (rw.kind !== 'const' || (variant.path.kind === 'exact' && variant.path.value === rw.value)) return {};
  return variant.path.kind === 'exact'
    ? { prefixRewrite: rw.value }
    : { regexRewrite: { pattern: '^.*$', substitution: rw.value } };
}

/** App Mesh's shape: each path variant rewritten and sent through the self-redirect cluster. */
function selfRedirectRoutes(
  ctx: TranslateContext,
  vg: ResolvedVirtualGateway,
  listener: VirtualGatewayListener,
  multi: boolean,
  egress: GatewayEgress,
): RouteIR[] {
  const out: RouteIR[] = [];
  for (const { gr, m, vs, sp } of gatewayTargets(ctx, vg, listener)) {
    const cluster = egress.selfRedirectCluster(listener, multi);
    const timeout = egress.add(vs, sp, !m.rewriteHost, gr.awsName);
    for (const variant of m.variants) {
      const match = { path: variant.path, headers: m.headers, query: m.query };
      const action: RouteActionIR = { cluster, ...variantRewrite(variant), timeout };
      if (m.rewriteHost) action.hostRewriteLiteral = vs.awsName;
      out.push({
        name: gr.awsName,
        match,
        route: action,
        ...(m.rewriteHost
          ? {}
          : { requestHeadersToSet: [{ name: VIRTUAL_SERVICE_HEADER, value: vs.awsName }] }),
      });
    }
  }
  return out;
}

/** The one-hop opt-in: each gateway route composed with its target's routes. */
function directRoutes(
  ctx: TranslateContext,
  vg: ResolvedVirtualGateway,
  listener: VirtualGatewayListener,
): RouteIR[] {
  const limits = poolLimits(listener.connectionPool);
  const policy = vg.resource.spec.backendDefaults?.clientPolicy;
  const out: RouteIR[] = [];
  for (const { gr, m, vs, sp } of gatewayTargets(ctx, vg, listener)) {
    const service = serviceRoutes(ctx, vs, sp, { ...(policy ? { policy } : {}), limits });
    const tag = { targetService: vs.awsName };
    if (service.every((r) => r.protocol === 'tcp')) {
      // App Mesh answered 404 for a target with no routes; never fall through to another gateway route.
      ctx.warn(noRoutesWarning(gr.awsName, vs.awsName, sp.port));
      for (const variant of m.variants)
        out.push({
          name: gr.awsName,
          match: { path: variant.path, headers: m.headers, query: m.query },
          directResponse: { status: 404 },
        });
      continue;
    }
    for (const variant of m.variants) {
      for (const r of service) {
        if (r.protocol === 'tcp') continue;
        const c = compose(variant, m, r.match);
        if ('unsupported' in c) {
          ctx.warn(`GatewayRoute ${gr.awsName} × route ${r.name}: ${c.unsupported}; left out`);
          continue;
        }
        if ('never' in c) continue;
        const name = `${gr.awsName}:${r.name}`;
        const match = c.ok.match;
        const action = routeAction(r.action, 'envoy');
        if (!action) {
          out.push({ name, match, directResponse: { status: 503 }, ...tag });
          continue;
        }
        Object.assign(action, c.ok.rewrite);
        if (m.rewriteHost) action.hostRewriteLiteral = vs.awsName;
        out.push({ name, match, route: action, ...tag });
      }
    }
  }
  return out;
}

export function gatewayResources(ctx: TranslateContext, vg: ResolvedVirtualGateway): void {
  const listeners = vg.resource.spec.listeners ?? [];
  const multi = listeners.length > 1;
  const logs = accessLogs(vg.resource.spec.logging);
  const egress = gatewayRouting(ctx, vg) === 'self-redirect' ? new GatewayEgress(ctx, vg) : undefined;
  for (const l of listeners) {
    const { port, protocol } = l.portMapping;
    const rds = routeConfigName('ingress', protocol, port);
    const hcm = httpConnectionManagerFilter({
      statPrefix: statPrefix('ingress', protocol, port, multi),
      routeConfigName: rds,
      accessLogs: logs,
    });
    const chains = tlsChains(ctx, `ingress_${protocol}_${port}`, undefined, [hcm], l.tls);
    if (chains.length === 0) continue;
    ctx.out.routes.push({
      name: rds,
      virtualHosts: [
        {
          name: GATEWAY_VIRTUAL_HOST,
          domains: ['*'],
          routes: egress ? selfRedirectRoutes(ctx, vg, l, multi, egress) : directRoutes(ctx, vg, l),
        },
      ],
    });
    ctx.out.listeners.push({
      name: listenerName('ingress', port),
      address: '0.0.0.0',
      port,
      direction: 'INBOUND',
      statsTags: [],
      ...(l.tls?.mode === 'PERMISSIVE' ? { listenerFilters: ['tls_inspector' as const] } : {}),
      filterChains: chains,
    });
  }
  egress?.finish(logs);
}
