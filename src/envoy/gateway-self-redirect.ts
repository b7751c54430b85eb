/**
 * App Mesh's gateway data path (S1, S2, S3, S12 of appmesh-observed.md): the ingress
 * route rewrites the request (path, host) and sends it to
 * `cds_ingress_<mesh>_<vg>_self_redirect_<proto>_15001` (STATIC 127.0.0.1:15001, 0.25 s
 * connect, the gateway listener's connection pool as its circuit breakers), which enters
 * the gateway's own `lds_egress_0.0.0.0_15001` (stat prefix `egress`, OUTBOUND) and
 * `rds_egress_http_15001`: one virtual host per target service (domains its awsName with
 * and without `:15001`) carrying the service's routes as a sidecar would get them. A
 * target whose service has no routes keeps its virtual host with none, so Envoy answers
 * 404 as App Mesh's did. Gateway routes that keep the request's host add
 * `x-app-mesh-virtual-service: <vs>`; the catch-all `default_backend` virtual host routes
 * on it and removes it from the response.
 */
import type { ResolvedVirtualGateway, ResolvedVirtualService } from '../mesh/index.js';
import type { VirtualGatewayListener } from '../model/index.js';
import type { TranslateContext } from './context.js';
import { poolLimits } from './circuit-breakers.js';
import { http2 } from './cluster.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, toMillis, type Millis } from './duration.js';
import { httpConnectionManagerFilter } from './hcm.js';
import {
  EGRESS_PORT,
  GATEWAY_DEFAULT_BACKEND,
  VIRTUAL_SERVICE_HEADER,
  listenerName,
  routeConfigName,
  selfRedirectClusterName,
} from './names.js';
import { clientRoute } from './route-egress.js';
import { serviceRoutes, type ServiceRoute } from './service-routes.js';
import type { ServicePort } from './lookup.js';
import type { AccessLogIR, ClusterIR, RouteIR, VirtualHostIR } from './ir/types.js';

const SELF_REDIRECT_CONNECT_TIMEOUT_MS = 250;
const EGRESS_ROUTE_CONFIG = routeConfigName('egress', 'http', EGRESS_PORT);

interface Target {
  vs: ResolvedVirtualService;
  port: number;
  routes: ServiceRoute[];
  byHeader: boolean;
}

/** The egress hop of one gateway: what its ingress routes send into 127.0.0.1:15001. */
export class GatewayEgress {
  private readonly targets = new Map<string, Target>();

  constructor(
    private readonly ctx: TranslateContext,
    private readonly vg: ResolvedVirtualGateway,
  ) {}

  /** The self-redirect cluster of `listener` (added once). */
  selfRedirectCluster(listener: VirtualGatewayListener, multiListener: boolean): string {
    const { port, protocol } = listener.portMapping;
    const name = selfRedirectClusterName(this.ctx.mesh, this.vg.awsName, protocol, port, multiListener);
    if (this.ctx.out.hasCluster(name)) return name;
    const cluster: ClusterIR = {
      name,
      discovery: { type: 'STATIC', endpoints: [{ address: '127.0.0.1', port: EGRESS_PORT }] },
      connectTimeout: SELF_REDIRECT_CONNECT_TIMEOUT_MS,
      limits: poolLimits(listener.connectionPool),
      ...http2(protocol),
    };
    this.ctx.out.addCluster(cluster);
    return name;
  }

  /**
   * Registers `vs` on `sp` as a target; returns the timeout of the ingress hop: the
   * longest per-request timeout of the service's routes (15 s unless set, 0 = none),
   * so the first hop never cuts a request the service's own route allows.
   */
  add(vs: ResolvedVirtualService, sp: ServicePort, byHeader: boolean, gatewayRoute: string): Millis {
    let t = this.targets.get(vs.awsName);
    if (!t) {
      const policy = this.vg.resource.spec.backendDefaults?.clientPolicy;
      const routes = serviceRoutes(this.ctx, vs, sp, policy ? { policy } : {}).filter(
        (r) => r.protocol !== 'tcp',
      );
      t = { vs, port: sp.port, routes, byHeader };
      this.targets.set(vs.awsName, t);
      if (routes.length === 0) this.ctx.warn(noRoutesWarning(gatewayRoute, vs.awsName, sp.port));
    } else if (t.port !== sp.port) {
      this.ctx.warn(
        `GatewayRoute ${gatewayRoute}: the gateway already reaches ${vs.awsName} on port ${t.port}; its requests go there, not to port ${sp.port}`,
      );
    }
    t.byHeader ||= byHeader;
    return ingressTimeout(t.routes);
  }

  /** The egress listener and route configuration, when any ingress route leads here. */
  finish(logs: AccessLogIR[]): void {
    if (this.targets.size === 0) return;
    const hcm = httpConnectionManagerFilter({
      statPrefix: 'egress',
      routeConfigName: EGRESS_ROUTE_CONFIG,
      accessLogs: logs,
    });
    this.ctx.out.listeners.push({
      name: listenerName('egress', EGRESS_PORT),
      address: '0.0.0.0',
      port: EGRESS_PORT,
      direction: 'OUTBOUND',
      statsTags: [],
      filterChains: [{ filters: [hcm] }],
    });
    const virtualHosts: VirtualHostIR[] = [];
    const byHeader: RouteIR[] = [];
    for (const t of this.targets.values()) {
      const routes = t.routes.flatMap((r) => clientRoute(this.ctx, r) ?? []);
      const lower = t.vs.awsName.toLowerCase();
      virtualHosts.push({
        name: t.vs.awsName,
        domains: [lower, `${lower}:${EGRESS_PORT}`],
        routes,
        targetService: t.vs.awsName,
      });
      if (!t.byHeader) continue;
      for (const r of t.routes) {
        const header = { name: VIRTUAL_SERVICE_HEADER, match: { exact: t.vs.awsName } };
        const route = clientRoute(this.ctx, {
          ...r,
          match: { ...r.match, headers: [header, ...r.match.headers] },
        });
        if (route) byHeader.push({ ...route, targetService: t.vs.awsName });
      }
    }
    if (byHeader.length > 0)
      virtualHosts.push({
        name: GATEWAY_DEFAULT_BACKEND,
        domains: ['*'],
        routes: byHeader,
        responseHeadersToRemove: [VIRTUAL_SERVICE_HEADER],
      });
    this.ctx.out.routes.push({ name: EGRESS_ROUTE_CONFIG, virtualHosts });
  }
}

function ingressTimeout(routes: ServiceRoute[]): Millis {
  let longest = routes.length === 0 ? DEFAULT_REQUEST_TIMEOUT_MS : 0;
  for (const r of routes) {
    const perRequest = r.action.timeout?.perRequest;
    const ms = perRequest ? toMillis(perRequest) : DEFAULT_REQUEST_TIMEOUT_MS;
    if (ms === 0) return 0;
    longest = Math.max(longest, ms);
  }
  return longest;
}

/** A gateway route whose target has no routes: App Mesh answered 404, it never fell through. */
export function noRoutesWarning(gatewayRoute: string, service: string, port: number): string {
  return `GatewayRoute ${gatewayRoute}: VirtualService ${service} has no routes on port ${port}; requests it matches get 404, as App Mesh answered`;
}
