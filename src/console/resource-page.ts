/**
 * One resource as the console's resource page shows it: its manifest as `kubectl get
 * -o yaml` would (status apart), its diagnostics (with file:line when the server reads
 * files, `--from`), and for a virtual node or gateway the Envoy configuration its
 * proxies receive and their state.
 */
import { stringify } from 'yaml';
import { nodeIdOf } from '../envoy/index.js';
import type { MeshView } from '../mesh/index.js';
import { formatSource, type Diagnostic, type ResourceId } from '../model/index.js';
import type { Snapshot } from '../xds/index.js';
import { snapshotView } from './proxy-config.js';
import { sameResource } from './topology.js';
import type { ProxySummary, ResourcePage, TopologyKind } from './wire.js';

export interface ResourceQuery {
  kind: TopologyKind;
  name: string;
  /** Routes: their router; gateway routes: their gateway. */
  parent?: string;
}

interface Found {
  id: ResourceId;
  manifest: unknown;
  status: unknown;
  proxyKind?: 'virtualNode' | 'virtualGateway';
}

function find(view: MeshView, q: ResourceQuery): Found | undefined {
  const plain = (r: { id: ResourceId; resource: { status?: unknown } } | undefined): Found | undefined => {
    if (!r) return undefined;
    const { status, ...manifest } = r.resource;
    return { id: r.id, manifest, status: status ?? null };
  };
  switch (q.kind) {
    case 'VirtualNode': {
      const f = plain(view.virtualNodes.get(q.name));
      return f && { ...f, proxyKind: 'virtualNode' };
    }
    case 'VirtualGateway': {
      const f = plain(view.virtualGateways.get(q.name));
      return f && { ...f, proxyKind: 'virtualGateway' };
    }
    case 'VirtualService':
      return plain(view.virtualServices.get(q.name));
    case 'VirtualRouter':
      return plain(view.virtualRouters.get(q.name));
    case 'GatewayRoute':
      return plain(view.virtualGateways.get(q.parent ?? '')?.routes.find((r) => r.awsName === q.name));
    case 'Route': {
      const router = view.virtualRouters.get(q.parent ?? '');
      const route = router?.routes.find((r) => r.name === q.name);
      return route && router ? { id: router.id, manifest: route.spec, status: null } : undefined;
    }
  }
}

export function resourcePage(
  mesh: string,
  view: MeshView,
  q: ResourceQuery,
  diagnostics: readonly Diagnostic[],
  snapshot: (group: string) => Snapshot | undefined,
  proxies: (group: string) => ProxySummary,
): ResourcePage | undefined {
  const found = find(view, q);
  if (!found) return undefined;
  const group = found.proxyKind ? nodeIdOf(mesh, found.proxyKind, q.name) : undefined;
  return {
    mesh,
    kind: q.kind,
    name: q.name,
    yaml: stringify(found.manifest, { lineWidth: 0 }),
    status: found.status,
    diagnostics: diagnostics
      .filter((d) => sameResource(d.resource, found.id))
      .map((d) => ({
        severity: d.severity,
        code: d.code,
        message: d.message,
        ...(d.source ? { where: formatSource(d.source) } : {}),
      })),
    ...(group ? { envoy: snapshotView(snapshot(group)), proxies: proxies(group) } : {}),
  };
}
