/**
 * The sidecar's outbound listener `lds_egress_0.0.0.0_15001`: one filter chain per
 * backend port (matched on the original destination port, restored by original_dst;
 * tls_inspector reads SNI as App Mesh's did), HTTP ports through an HCM with
 * `rds_egress_<protocol>_<port>`, TCP ports through tcp_proxy over the service's TCP
 * route. The egress filter decides the rest: ALLOW_ALL adds a default chain to the
 * original destination (`cds_egress_<mesh>_mesh-allow-all`); DROP_ALL only lets TLS
 * to `*.amazonaws.com` out (`cds_egress_<mesh>_amazonaws`) and closes anything else.
 */
import type { ClientPolicy, Logging } from '../model/index.js';
import { jsonKey, shared, type TranslateContext } from './context.js';
import { allowAllCluster, amazonawsCluster } from './cluster.js';
import { egressPorts, type BackendRef, type EgressPort } from './egress-plan.js';
import { egressRouteConfig } from './route-egress.js';
import { serviceRoutes } from './service-routes.js';
import { httpConnectionManagerFilter } from './hcm.js';
import { tcpProxyFilter } from './tcp-proxy.js';
import { accessLogs } from './access-log.js';
import { AMAZONAWS_DOMAIN, EGRESS_PORT, listenerName, routeConfigName } from './names.js';
import type { AccessLogIR, FilterChainIR, NetworkFilterIR, SocketListenerIR } from './ir/types.js';

const STAT_PREFIX = 'egress';
const EGRESS_LISTENER_FILTERS: SocketListenerIR['listenerFilters'] = ['original_dst', 'tls_inspector'];

function tcpChainFilter(
  ctx: TranslateContext,
  ep: EgressPort,
  logs: AccessLogIR[],
): NetworkFilterIR | undefined {
  if (ep.backends.length > 1) {
    const names = ep.backends.map((b) => b.vs.awsName).join(', ');
    ctx.warn(
      `TCP port ${ep.port} is shared by ${names}; only ${ep.backends[0]?.vs.awsName} is reachable (App Mesh cannot tell TCP backends apart by name)`,
    );
  }
  const first = ep.backends[0];
  if (!first) return undefined;
  const route = serviceRoutes(ctx, first.vs, ep, { policy: first.policy }).find((r) => r.protocol === 'tcp');
  if (!route) return undefined;
  return tcpProxyFilter({
    statPrefix: STAT_PREFIX,
    targets: route.action.targets,
    idle: route.tcpIdle,
    accessLogs: logs,
  });
}

export interface EgressSpec {
  backends: ReadonlyArray<BackendRef>;
  backendDefaults?: ClientPolicy | undefined;
  logging?: Logging | undefined;
}

export function sidecarEgress(ctx: TranslateContext, spec: EgressSpec): void {
  const logKey = jsonKey(spec.logging);
  const logs = shared(ctx, `access-logs:${logKey}`, () => accessLogs(spec.logging));
  const chains: FilterChainIR[] = [];
  for (const ep of egressPorts(ctx, spec.backends, spec.backendDefaults)) {
    if (ep.protocol === 'tcp') {
      const filter = tcpChainFilter(ctx, ep, logs);
      if (filter)
        chains.push({
          name: `egress_${ep.protocol}_${ep.port}`,
          match: { destinationPort: ep.port },
          filters: [filter],
        });
      continue;
    }
    ctx.out.routes.push(egressRouteConfig(ctx, ep));
    const rds = routeConfigName('egress', ep.protocol, ep.port);
    // The same on every sidecar with this port and logging: one object, encoded once.
    chains.push(
      shared(ctx, `egress-chain:${rds}:${logKey}`, () => ({
        name: `egress_${ep.protocol}_${ep.port}`,
        match: { destinationPort: ep.port },
        filters: [
          httpConnectionManagerFilter({ statPrefix: STAT_PREFIX, routeConfigName: rds, accessLogs: logs }),
        ],
      })),
    );
  }
  const listener: SocketListenerIR = {
    name: listenerName('egress', EGRESS_PORT),
    address: '0.0.0.0',
    port: EGRESS_PORT,
    direction: 'OUTBOUND',
    statsTags: [],
    listenerFilters: EGRESS_LISTENER_FILTERS,
    filterChains: chains,
  };
  if (ctx.view.mesh.egressFilter === 'ALLOW_ALL') {
    listener.defaultFilterChain = shared(ctx, `allow-all-chain:${logKey}`, () => {
      const filter = tcpProxyFilter({
        statPrefix: STAT_PREFIX,
        targets: [{ cluster: allowAllCluster(ctx), weight: 1 }],
        accessLogs: logs,
      });
      return { name: 'mesh-allow-all', filters: filter ? [filter] : [] };
    });
  } else {
    chains.push(
      shared(ctx, `amazonaws-chain:${logKey}`, () => {
        const filter = tcpProxyFilter({
          statPrefix: STAT_PREFIX,
          targets: [{ cluster: amazonawsCluster(ctx), weight: 1 }],
          accessLogs: logs,
        });
        return {
          name: 'amazonaws',
          match: { serverNames: [AMAZONAWS_DOMAIN], transportProtocol: 'tls' },
          filters: filter ? [filter] : [],
        };
      }),
    );
  }
  ctx.out.listeners.push(listener);
}
