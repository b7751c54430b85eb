/**
 * The sidecar's inbound listener `lds_ingress_0.0.0.0_15000`: iptables sends the app
 * ports here, and one filter chain per virtual node listener (matched on the original
 * destination port) passes the traffic to the local app through
 * `cds_ingress_<mesh>_<vn>_<protocol>_<port>`, with the listener's timeouts, pool,
 * health check and TLS mode (STRICT: TLS only; PERMISSIVE: TLS or plaintext, told
 * apart by tls_inspector; DISABLED: plaintext).
 */
import type { ResolvedVirtualNode } from '../mesh/index.js';
import type { VirtualNodeListener } from '../model/index.js';
import { jsonKey, shared, type TranslateContext } from './context.js';
import { INGRESS_PORT, listenerName, routeConfigName, statPrefix } from './names.js';
import { ingressCluster } from './cluster.js';
import { httpConnectionManagerFilter } from './hcm.js';
import { tcpProxyFilter } from './tcp-proxy.js';
import { accessLogs } from './access-log.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, toMillis } from './duration.js';
import { MATCH_ALL } from './route-match.js';
import type {
  FilterChainIR,
  FilterChainMatchIR,
  NetworkFilterIR,
  RouteActionIR,
  RouteConfigIR,
  SocketListenerIR,
} from './ir/types.js';
import { downstreamTls, effectiveListenerTls, usesGroupCertificate, type ListenerTls } from './tls.js';

const PLAIN_FILTERS: SocketListenerIR['listenerFilters'] = ['original_dst'];
const PERMISSIVE_FILTERS: SocketListenerIR['listenerFilters'] = ['original_dst', 'tls_inspector'];

function listenerTimeout(
  l: VirtualNodeListener,
):
  | { perRequest?: { unit: 's' | 'ms'; value: number }; idle?: { unit: 's' | 'ms'; value: number } }
  | undefined {
  const t = l.timeout;
  if (!t) return undefined;
  return t[l.portMapping.protocol] ?? t.http ?? t.http2 ?? t.grpc ?? t.tcp;
}

/**
 * Filter chains for one TLS mode: STRICT one TLS chain; PERMISSIVE a TLS chain and a
 * plaintext chain told apart by transport protocol; DISABLED or none one plain chain.
 */
export function tlsChains(
  ctx: TranslateContext,
  name: string,
  match: FilterChainMatchIR | undefined,
  filters: NetworkFilterIR[],
  tls: ListenerTls | undefined,
): FilterChainIR[] {
  const base: FilterChainIR = match ? { name, match, filters } : { name, filters };
  if (!tls || tls.mode === 'DISABLED') return [base];
  const context = downstreamTls(ctx, tls);
  if (!context) {
    ctx.warn(`${name}: TLS certificate or trust unavailable; the port is refused`);
    return [];
  }
  if (tls.mode === 'STRICT') return [{ ...base, tls: context }];
  return [
    { name: `${name}_tls`, match: { ...match, transportProtocol: 'tls' }, filters, tls: context },
    { name: `${name}_plaintext`, match: { ...match, transportProtocol: 'raw_buffer' }, filters },
  ];
}

export function ingressRouteConfig(
  name: string,
  virtualHost: string,
  cluster: string,
  l: VirtualNodeListener,
): RouteConfigIR {
  const t = listenerTimeout(l);
  const action: RouteActionIR = {
    cluster,
    timeout: t?.perRequest ? toMillis(t.perRequest) : DEFAULT_REQUEST_TIMEOUT_MS,
  };
  if (t?.idle) action.idleTimeout = toMillis(t.idle);
  return {
    name,
    virtualHosts: [
      {
        name: virtualHost,
        domains: ['*'],
        routes: [{ name: 'ingress', match: MATCH_ALL, route: action }],
      },
    ],
  };
}

export function sidecarIngress(ctx: TranslateContext, node: ResolvedVirtualNode): void {
  const listeners = node.resource.spec.listeners ?? [];
  if (listeners.length === 0) return;
  const multi = listeners.length > 1;
  const logging = node.resource.spec.logging;
  const logKey = jsonKey(logging);
  const logs = shared(ctx, `access-logs:${logKey}`, () => accessLogs(logging));
  const chains: FilterChainIR[] = [];
  let permissive = false;
  for (const l of listeners) {
    const { port, protocol } = l.portMapping;
    const tls = effectiveListenerTls(ctx, l.tls);
    if (tls?.mode === 'PERMISSIVE') permissive = true;
    const stat = statPrefix('ingress', protocol, port, multi);
    const cluster = ingressCluster(ctx, node, l);
    const rds = routeConfigName('ingress', protocol, port);
    const match = { destinationPort: port };
    const name = `ingress_${protocol}_${port}`;
    let portChains: FilterChainIR[];
    if (protocol === 'tcp') {
      const filter = tcpProxyFilter({
        statPrefix: stat,
        targets: [{ cluster, weight: 1 }],
        idle: listenerTimeout(l)?.idle,
        accessLogs: logs,
      });
      portChains = filter ? tlsChains(ctx, name, match, [filter], tls) : [];
    } else {
      // Nothing node-specific in an HTTP chain (nodes with the same listener share it),
      // unless it serves the group's own certificate from Amime's CA.
      const own = usesGroupCertificate(ctx, tls) ? `:${ctx.groupKey}` : '';
      const key = `ingress-chains:${rds}:${stat}:${logKey}:${tls === l.tls ? jsonKey(l.tls) : 'mesh-mtls'}${own}`;
      portChains = shared(ctx, key, () =>
        tlsChains(
          ctx,
          name,
          match,
          [httpConnectionManagerFilter({ statPrefix: stat, routeConfigName: rds, accessLogs: logs })],
          tls,
        ),
      );
    }
    if (portChains.length > 0 && protocol !== 'tcp')
      ctx.out.routes.push(ingressRouteConfig(rds, node.awsName, cluster, l));
    chains.push(...portChains);
  }
  if (chains.length === 0) return; // Envoy rejects a listener without filter chains
  ctx.out.listeners.push({
    name: listenerName('ingress', INGRESS_PORT),
    address: '0.0.0.0',
    port: INGRESS_PORT,
    direction: 'INBOUND',
    statsTags: [],
    listenerFilters: permissive ? PERMISSIVE_FILTERS : PLAIN_FILTERS,
    filterChains: chains,
  });
}
