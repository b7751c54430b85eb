/**
 * Egress route configurations `rds_egress_<protocol>_<port>`: one virtual host per
 * backend virtual service (named after it, domains = its hostnames with and without
 * the port), carrying the service's routes; plus what the egress filter allows for
 * names that match no backend (ALLOW_ALL: everything to the original destination;
 * DROP_ALL: only `*.amazonaws.com`). A domain that is a backend's awsName belongs to that
 * backend; any other domain claimed by an earlier backend is not repeated (Envoy rejects
 * duplicate domains).
 */
import { jsonKey, shared, type TranslateContext } from './context.js';
import { allowAllCluster, amazonawsCluster } from './cluster.js';
import { domainOwners, domainsOf, type EgressPort } from './egress-plan.js';
import { depKey } from './lookup.js';
import { MATCH_ALL } from './route-match.js';
import { routeAction } from './route-action.js';
import { serviceRoutes, type ServiceRoute } from './service-routes.js';
import {
  ALLOW_ALL_VIRTUAL_HOST,
  AMAZONAWS_DOMAIN,
  AMAZONAWS_VIRTUAL_HOST,
  routeConfigName,
} from './names.js';
import type { RouteConfigIR, RouteIR, VirtualHostIR } from './ir/types.js';

/** The route for a service route; undefined when the client cannot express it. */
export function clientRoute(ctx: TranslateContext, r: ServiceRoute): RouteIR | undefined {
  if (ctx.flavour === 'grpc' && r.match.query.length > 0) return undefined; // gRPC requests have no query string
  const action = routeAction(r.action, ctx.flavour);
  if (action) return { name: r.name, match: r.match, route: action };
  // No target carries weight: App Mesh answers 503. gRPC clients reject direct responses, so they get no route.
  if (ctx.flavour === 'grpc') return undefined;
  return { name: r.name, match: r.match, directResponse: { status: 503 } };
}

/**
 * A backend's virtual host. Every caller of the service on this port with the same
 * client policy gets the same object (and so the same encoded bytes).
 */
function serviceVirtualHost(
  ctx: TranslateContext,
  b: EgressPort['backends'][number],
  ep: EgressPort,
  domains: string[],
  domainsKey: string,
): VirtualHostIR {
  const policy = jsonKey(b.policy);
  return shared(ctx, `vhost:${b.vs.awsName}:${ep.port}:${ep.protocol}:${policy}:${domainsKey}`, () => {
    ctx.deps.add(depKey.service(b.vs.awsName));
    // Services behind the same router share its routes: one Route list per router, port and policy.
    const p = b.vs.provider;
    const owner = p?.kind === 'virtualRouter' ? `router:${p.router.awsName}` : `service:${b.vs.awsName}`;
    const routes = shared(ctx, `routes:${owner}:${ep.port}:${ep.protocol}:${policy}`, () => {
      const out: RouteIR[] = [];
      for (const r of serviceRoutes(ctx, b.vs, ep, { policy: b.policy })) {
        const route = clientRoute(ctx, r);
        if (route) out.push(route);
      }
      return out;
    });
    return {
      name: b.vs.awsName,
      domains,
      routes,
      ...(ctx.flavour === 'envoy' ? { targetService: b.vs.awsName } : {}),
    };
  });
}

/** `owners`: `domainOwners(ctx, ep)`, when the caller needs it too (proxyless.ts). */
export function egressRouteConfig(
  ctx: TranslateContext,
  ep: EgressPort,
  owners: ReadonlyMap<string, string | undefined> | null = domainOwners(ctx, ep),
): RouteConfigIR {
  const claimed = new Set<string>();
  const virtualHosts: VirtualHostIR[] = [];
  for (const b of ep.backends) {
    const all = domainsOf(ctx, b.vs, ep.port);
    // No name shared between backends (null owners): each backend's names are all its own.
    const domains = owners ? all.filter((d) => !claimed.has(d) && owners.get(d) === b.vs.awsName) : all;
    // The full list follows from the service and port (already in the key); only a list cut
    // short by other backends needs spelling out.
    const key = domains.length === all.length ? '' : domains.join(',');
    if (domains.length === 0) continue;
    if (owners) for (const d of domains) claimed.add(d);
    virtualHosts.push(serviceVirtualHost(ctx, b, ep, domains, key));
  }
  if (ctx.flavour === 'envoy') {
    if (ctx.view.mesh.egressFilter === 'ALLOW_ALL') {
      const cluster = allowAllCluster(ctx);
      virtualHosts.push({
        name: ALLOW_ALL_VIRTUAL_HOST,
        domains: ['*'],
        routes: [{ name: ALLOW_ALL_VIRTUAL_HOST, match: MATCH_ALL, route: { cluster } }],
      });
    } else {
      const cluster = amazonawsCluster(ctx);
      virtualHosts.push({
        name: AMAZONAWS_VIRTUAL_HOST,
        domains: [AMAZONAWS_DOMAIN, `${AMAZONAWS_DOMAIN}:${ep.port}`],
        routes: [{ name: AMAZONAWS_VIRTUAL_HOST, match: MATCH_ALL, route: { cluster } }],
      });
    }
  }
  return { name: routeConfigName('egress', ep.protocol, ep.port), virtualHosts };
}
