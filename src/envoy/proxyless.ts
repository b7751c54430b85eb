/**
 * Proxyless gRPC clients of a virtual node (`@grpc/grpc-js-xds` and friends): they dial
 * `xds:///<name>` and ask for a Listener of that name. Each backend service gets one
 * `api_listener` per hostname, with and without the port (a bare name goes to the
 * service's lowest port), whose HCM reads `rds_egress_<protocol>_<port>` over ADS. Routes,
 * weights, retries (gRPC status events) and deadlines (max_stream_duration) are the
 * service's; clusters are EDS over ADS, also for DNS-discovered targets, whose
 * assignments come from the EndpointSource (or its resolved DNS answers).
 *
 * Left out because gRPC clients reject or ignore them: TCP ports, direct responses,
 * routes matching query parameters, TLS, consecutive-5xx outlier detection.
 */
import type { ResolvedVirtualNode } from '../mesh/index.js';
import { type TranslateContext, shared } from './context.js';
import { domainOwners, domainsOf, egressPorts } from './egress-plan.js';
import { egressRouteConfig } from './route-egress.js';
import { httpConnectionManager } from './hcm.js';
import { routeConfigName } from './names.js';
import { depKey } from './lookup.js';
import type { ApiListenerIR, HcmIR } from './ir/types.js';

/** The HCM of every api_listener that reads `rds`: one shared object. */
function apiHcm(ctx: TranslateContext, rds: string): HcmIR {
  return shared(ctx, `api-hcm:${rds}`, () =>
    httpConnectionManager({ statPrefix: 'egress', routeConfigName: rds, flavour: 'grpc' }),
  );
}

export function proxylessEgress(ctx: TranslateContext, node: ResolvedVirtualNode): void {
  const ports = egressPorts(ctx, node.backends, node.resource.spec.backendDefaults?.clientPolicy).filter(
    (p) => p.protocol !== 'tcp',
  );
  const named = new Set<string>();
  const bareDone = new Set<string>();
  for (const ep of ports) {
    const owners = domainOwners(ctx, ep);
    ctx.out.routes.push(egressRouteConfig(ctx, ep, owners));
    const rds = routeConfigName('egress', ep.protocol, ep.port);
    for (const b of ep.backends) {
      const names: string[] = [];
      const all = domainsOf(ctx, b.vs, ep.port);
      for (const domain of all) {
        if (owners && owners.get(domain) !== b.vs.awsName) continue;
        const bare = !domain.endsWith(`:${ep.port}`);
        // Ports are visited in ascending order, so a bare name lands on the lowest port.
        if ((bare && bareDone.has(domain)) || named.has(domain)) continue;
        named.add(domain);
        if (bare) bareDone.add(domain);
        names.push(domain);
      }
      if (names.length === 0) continue;
      // Every client of this service gets the same listeners: one shared list.
      const which = names.length === all.length ? '' : names.join(',');
      const listeners = shared(ctx, `api-listeners:${rds}:${b.vs.awsName}:${which}`, () => {
        ctx.deps.add(depKey.service(b.vs.awsName));
        // Looked up once per list, not per name: the same object, whose unit adds nothing to replay.
        const hcm = apiHcm(ctx, rds);
        return names.map((n): ApiListenerIR => ({ name: n, apiListener: hcm }));
      });
      for (const l of listeners) ctx.out.listeners.push(l);
    }
  }
}
