/**
 * How a virtual gateway reaches its targets. App Mesh's gateway rewrote the request and
 * sent it back through itself — `cds_ingress_<mesh>_<vg>_self_redirect_<proto>_15001` into
 * its own `lds_egress_0.0.0.0_15001` — where the target service's routes matched the
 * rewritten request (S1, S2, S12 of appmesh-observed.md): gateway dashboards read
 * `http.egress.*` and the self-redirect cluster, and the gateway listener's connection
 * pool limits that one cluster. That is the default (`self-redirect`).
 *
 * Beyond App Mesh, `direct` routes in one hop, composing each gateway route with the
 * target's routes (gateway-compose.ts): one Envoy hop less per request, no listener on
 * 15001, but no `http.egress.*` stats and the pool limit copied onto every target
 * cluster. Set it on the VirtualGateway, or on the Mesh for all its gateways, as an
 * annotation (Kubernetes, YAML) or a REST API tag of the same key:
 * `amime.io/gateway-routing: direct`.
 */
import type { ResolvedVirtualGateway } from '../mesh/index.js';
import type { TranslateContext } from './context.js';
import { meshSetting, resourceSetting } from './mesh-setting.js';

export const GATEWAY_ROUTING_ANNOTATION = 'amime.io/gateway-routing';

export type GatewayRouting = 'self-redirect' | 'direct';

export function gatewayRouting(ctx: TranslateContext, vg: ResolvedVirtualGateway): GatewayRouting {
  const own = resourceSetting(vg.resource, GATEWAY_ROUTING_ANNOTATION);
  const raw = own ?? meshSetting(ctx.view.mesh, GATEWAY_ROUTING_ANNOTATION);
  const value = raw?.trim().toLowerCase() ?? 'self-redirect';
  if (value === 'self-redirect' || value === 'direct') return value;
  ctx.warn(
    `${own !== undefined ? `VirtualGateway ${vg.awsName}` : `Mesh ${ctx.view.mesh.awsName}`}: ${GATEWAY_ROUTING_ANNOTATION} "${raw}" is not self-redirect or direct; using App Mesh's self-redirect`,
  );
  return 'self-redirect';
}
