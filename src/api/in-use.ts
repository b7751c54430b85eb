/**
 * ResourceInUseException checks for Delete (appmesh.md §6.4): a mesh with members, a
 * node that a route targets or a service names as provider, a router with routes or
 * that a service names as provider, a service that a gateway route targets, a gateway
 * with gateway routes. References are read through the API form, so Kubernetes
 * resources (`*Ref`) and API resources (`*ARN`) are treated alike.
 */
import type { Kind, GatewayRoute, VirtualRouter, VirtualService } from '../model/index.js';
import {
  gatewayRouteFromCrd,
  routeFromCrd,
  virtualServiceFromCrd,
  type AwsNameResolver,
} from '../model/api-form/index.js';
import type { Catalog } from './catalog.js';
import { resourceInUse } from './errors.js';

const MEMBER_KINDS: readonly Kind[] = ['VirtualNode', 'VirtualService', 'VirtualRouter', 'VirtualGateway'];

export function assertDeletable(catalog: Catalog, kind: Kind, mesh: string, name: string): void {
  const resolve: AwsNameResolver = catalog.resolveAwsName;
  if (kind === 'Mesh') {
    const members = MEMBER_KINDS.map((k) => [k, catalog.count(k, name)] as const).filter(([, n]) => n > 0);
    if (members.length > 0) {
      const what = members.map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`).join(', ');
      throw resourceInUse(
        `Mesh ${name} still has resources (${what}); delete them before deleting the mesh.`,
      );
    }
    return;
  }
  if (kind === 'VirtualGateway') {
    const routes = catalog.count('GatewayRoute', mesh, name);
    if (routes > 0)
      throw resourceInUse(
        `VirtualGateway ${name} in mesh ${mesh} has ${routes} gateway route${routes === 1 ? '' : 's'}; delete them first.`,
      );
    return;
  }
  const users: string[] = [];
  if (kind === 'VirtualRouter') {
    const router = catalog.find('VirtualRouter', mesh, name)?.record.value as VirtualRouter | undefined;
    const routes = router?.spec.routes?.length ?? 0;
    if (routes > 0)
      throw resourceInUse(
        `VirtualRouter ${name} in mesh ${mesh} has ${routes} route${routes === 1 ? '' : 's'}; delete them first.`,
      );
  }
  if (kind === 'VirtualNode' || kind === 'VirtualRouter') {
    for (const e of catalog.list('VirtualService', mesh)) {
      const provider = virtualServiceFromCrd(e.record.value as VirtualService, resolve).provider;
      const named =
        kind === 'VirtualNode'
          ? provider?.virtualNode?.virtualNodeName
          : provider?.virtualRouter?.virtualRouterName;
      if (named === name) users.push(`VirtualService ${e.awsName} (provider)`);
    }
  }
  if (kind === 'VirtualNode') {
    for (const e of catalog.list('VirtualRouter', mesh)) {
      const router = e.record.value as VirtualRouter;
      for (const route of router.spec.routes ?? []) {
        const spec = routeFromCrd(route, router, resolve);
        const targets = [spec.httpRoute, spec.http2Route, spec.grpcRoute, spec.tcpRoute].flatMap(
          (r) => r?.action.weightedTargets ?? [],
        );
        if (targets.some((t) => t.virtualNode === name))
          users.push(`Route ${route.name} of VirtualRouter ${e.awsName}`);
      }
    }
  }
  if (kind === 'VirtualService') {
    for (const gateway of catalog.list('VirtualGateway', mesh)) {
      for (const e of catalog.list('GatewayRoute', mesh, gateway.awsName)) {
        const spec = gatewayRouteFromCrd(e.record.value as GatewayRoute, resolve);
        const target = (spec.httpRoute ?? spec.http2Route ?? spec.grpcRoute)?.action.target.virtualService
          .virtualServiceName;
        if (target === name) users.push(`GatewayRoute ${e.awsName} of VirtualGateway ${gateway.awsName}`);
      }
    }
  }
  if (users.length > 0) {
    const shown = users.slice(0, 5).join(', ') + (users.length > 5 ? ` and ${users.length - 5} more` : '');
    throw resourceInUse(`${kind} ${name} in mesh ${mesh} is in use by ${shown}.`);
  }
}
