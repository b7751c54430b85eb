/**
 * The propagation bench's mesh: translate-mesh.ts's mesh at 10× App Mesh's per-mesh
 * quotas (2,000 virtual nodes, 2,000 services, 500 routers × 10 routes), plus one
 * service every node calls (`svc-all` → `rt-all`), so that one route change can reach
 * every proxy (`rt-all`) or only a handful (`rt-7`). Written straight into the SQLite
 * store `amime serve` then opens, as a mesh applied from manifests would be.
 */
import { createStore } from '../../src/store/index.js';
import { resourceKey } from '../../src/store/types.js';
import type { AnyResource, VirtualNode, VirtualService } from '../../src/model/index.js';
import { DEFAULT_QUOTAS } from '../../src/mesh/index.js';
import { FULL_SIZE, meshResources, router } from '../translate-mesh.js';

export const MESH = 'big';
const NS = 'bench';
export const SHARED_ROUTER = 'rt-all';
/** A router whose services only a few nodes call. */
export const FEW_ROUTER = 'rt-7';

/** `--quota` flags for 10× App Mesh's per-mesh defaults. */
export const TEN_X_QUOTAS: readonly string[] = (
  ['virtualNodesPerMesh', 'virtualServicesPerMesh', 'virtualRoutersPerMesh'] as const
).flatMap((q) => ['--quota', `${q}=${DEFAULT_QUOTAS[q] * 10}`]);

export function benchMesh(): AnyResource[] {
  // One service fewer than translate-mesh's, so that svc-all keeps the count at the quota.
  const out = meshResources({ ...FULL_SIZE, services: FULL_SIZE.services - 1 });
  const shared: VirtualService = {
    apiVersion: out[0]!.apiVersion,
    kind: 'VirtualService',
    metadata: { name: 'svc-all', namespace: NS },
    spec: { provider: { virtualRouter: { virtualRouterRef: { name: SHARED_ROUTER } } } },
  };
  const rtAll = router(0, 15);
  rtAll.metadata = { name: SHARED_ROUTER, namespace: NS };
  for (const r of out)
    if (r.kind === 'VirtualNode')
      (r as VirtualNode).spec.backends!.push({ virtualService: { virtualServiceRef: { name: 'svc-all' } } });
  return [...out, shared, rtAll];
}

/** The node ID a sidecar of virtual node `vn-<i>` presents (App Mesh's `mesh/<mesh>/virtualNode/<name>`). */
export function nodeId(i: number): string {
  return `mesh/${MESH}/virtualNode/vn-${i}_${NS}`;
}

export const NODES = FULL_SIZE.nodes;

/** The App Mesh (REST API) name of a router of this mesh. */
export function apiRouterName(name: string): string {
  return `${name}_${NS}`;
}

/** Node IDs whose configuration a change of `routerName`'s routes can change: the callers of its services. */
export function callersOf(mesh: readonly AnyResource[], routerName: string): Set<string> {
  const services = new Set(
    mesh
      .filter(
        (r): r is VirtualService =>
          r.kind === 'VirtualService' &&
          (r as VirtualService).spec.provider?.virtualRouter?.virtualRouterRef?.name === routerName,
      )
      .map((s) => s.metadata.name),
  );
  const out = new Set<string>();
  for (const r of mesh) {
    if (r.kind !== 'VirtualNode') continue;
    const vn = r as VirtualNode;
    if (vn.spec.backends?.some((b) => services.has(b.virtualService?.virtualServiceRef?.name ?? '')))
      out.add(nodeId(Number(vn.metadata.name.slice('vn-'.length))));
  }
  return out;
}

/** Writes the mesh into a fresh SQLite store in `dataDir`. */
export async function seedStore(dataDir: string, mesh: readonly AnyResource[]): Promise<void> {
  const store = createStore({ kind: 'sqlite', dataDir });
  try {
    for (const r of mesh) await store.put(resourceKey(r.kind, r.metadata.namespace, r.metadata.name), r);
  } finally {
    await store.close();
  }
}
