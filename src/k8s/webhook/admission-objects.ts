/**
 * What admission decisions read: the informer cache, with the few objects a decision
 * hinges on read live from the API server — the namespace, every Mesh, and the
 * namespace's VirtualNodes and VirtualGateways — so that `kubectl apply` of a
 * Namespace, a Mesh and its members in one go is judged on what was just written,
 * not on a cache that may be a few milliseconds behind.
 */
import type { Kind } from '../../model/index.js';
import { crdCollectionPath, crdCreatePath, namespacePath } from '../api-paths.js';
import type { ClusterCache } from '../cluster-cache.js';
import { idKey, type InputObjects } from '../graph-input.js';
import type { KubeObject, Namespace } from '../objects.js';
import type { KubeClient } from '../rest-client.js';

interface List<T> {
  items?: T[];
}

export function admissionObjects(
  cache: ClusterCache,
  client: KubeClient,
): (namespace: string | undefined) => Promise<InputObjects> {
  return async (namespace) => {
    const live = new Map<string, KubeObject>();
    const fresh = new Set<Kind>();
    const fetchKind = async (kind: Kind, path: string) => {
      try {
        for (const o of (await client.get<List<KubeObject>>(path)).items ?? [])
          live.set(idKey(kind, o.metadata.namespace, o.metadata.name), { ...o, kind });
        fresh.add(kind);
      } catch {
        // The cache answers when the API server does not.
      }
    };
    const reads: Array<Promise<unknown>> = [fetchKind('Mesh', crdCollectionPath('Mesh'))];
    let ns: Namespace | undefined;
    if (namespace) {
      reads.push(
        fetchKind('VirtualNode', crdCreatePath('VirtualNode', namespace)),
        fetchKind('VirtualGateway', crdCreatePath('VirtualGateway', namespace)),
      );
      reads.push(
        client.get<Namespace>(namespacePath(namespace)).then(
          (n) => (ns = n),
          () => undefined,
        ),
      );
    }
    await Promise.all(reads);
    const appMesh = cache.appMeshObjects().filter((o) => {
      const key = idKey(String(o.kind), o.metadata.namespace, o.metadata.name);
      const kind = o.kind as Kind;
      const refreshed =
        fresh.has(kind) &&
        (kind === 'Mesh' || (namespace !== undefined && o.metadata.namespace === namespace));
      return !refreshed && !live.has(key);
    });
    appMesh.push(...live.values());
    const namespaces = cache.namespaces.list().filter((n) => n.metadata.name !== namespace);
    const fromCache = namespace ? cache.namespaces.get(undefined, namespace) : undefined;
    if (ns ?? fromCache) namespaces.push((ns ?? fromCache)!);
    return { appMesh, namespaces };
  };
}
