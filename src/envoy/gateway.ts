/**
 * A virtual gateway: `lds_ingress_0.0.0.0_<port>` per listener, each with
 * `rds_ingress_<protocol>_<port>` holding one virtual host `self_redirect` (domains
 * `*`) whose routes are the attached gateway routes in App Mesh's order (priority,
 * then the more specific match), composed with the routes of each target service
 * (gateway-compose.ts) and sent straight to the target nodes' `cds_egress_…`
 * clusters, with the service's weights, retries and timeouts. The listener's
 * connection pool becomes those clusters' circuit breakers (the first listener's pool
 * wins for a cluster two listeners share), its TLS mode the listener's TLS.
 */
import type { ResolvedGatewayRoute, ResolvedVirtualGateway } from '../mesh/index.js';
import type { VirtualGatewayListener } from '../model/index.js';
import type { TranslateContext } from './context.js';
import { poolLimits } from './circuit-breakers.js';
import { accessLogs } from './access-log.js';
import { httpConnectionManagerFilter } from './hcm.js';
import { GATEWAY_VIRTUAL_HOST, listenerName, routeConfigName, statPrefix } from './names.js';
import { TLS_INSPECTOR_FILTER, tlsChains } from './listener-ingress.js';
import { activeService, servicePorts, type ServicePort } from './lookup.js';
import { serviceRoutes } from './service-routes.js';
import { compareSpecificity, envoyRouteMatch } from './route-match.js';
import { routeAction } from './route-action.js';
import { gatewayMatch, gatewayRoutePort } from './gateway-match.js';
import { compose } from './gateway-compose.js';
import type { Listener, Route } from './types.js';

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

function gatewayRoutes(
  ctx: TranslateContext,
  vg: ResolvedVirtualGateway,
  listener: VirtualGatewayListener,
): Route[] {
  const { port, protocol } = listener.portMapping;
  const limits = poolLimits(listener.connectionPool);
  const policy = vg.resource.spec.backendDefaults?.clientPolicy;
  const out: Route[] = [];
  for (const { gr, m } of orderGatewayRoutes(vg.routes)) {
    if (gr.inactive || gr.protocol !== protocol) continue;
    const grPort = gatewayRoutePort(gr);
    if (grPort !== undefined && grPort !== port) continue;
    const vs = activeService(ctx, gr.target.service.awsName);
    if (!vs) continue;
    const sp = targetPort(ctx, gr, servicePorts(ctx, vs));
    if (!sp || sp.protocol === 'tcp') continue;
    const service = serviceRoutes(ctx, vs, sp, { ...(policy ? { policy } : {}), limits });
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
        const match = envoyRouteMatch(c.ok.match);
        const action = routeAction(r.action, 'envoy');
        if (!action) {
          out.push({ name, match, direct_response: { status: 503 } });
          continue;
        }
        Object.assign(action, c.ok.rewrite);
        if (m.rewriteHost) action.host_rewrite_literal = vs.awsName;
        out.push({ name, match, route: action });
      }
    }
  }
  return out;
}

export function gatewayResources(ctx: TranslateContext, vg: ResolvedVirtualGateway): void {
  const listeners = vg.resource.spec.listeners ?? [];
  const multi = listeners.length > 1;
  const logs = accessLogs(vg.resource.spec.logging);
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
      virtual_hosts: [{ name: GATEWAY_VIRTUAL_HOST, domains: ['*'], routes: gatewayRoutes(ctx, vg, l) }],
    });
    const listener: Listener = {
      name: listenerName('ingress', port),
      address: { socket_address: { address: '0.0.0.0', port_value: port } },
      traffic_direction: 'INBOUND',
      filter_chains: chains,
    };
    if (l.tls?.mode === 'PERMISSIVE') listener.listener_filters = [TLS_INSPECTOR_FILTER];
    ctx.out.listeners.push(listener);
  }
}
