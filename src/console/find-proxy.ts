/**
 * A proxy as an operator names it: its exact node id, or any unique part of it
 * (`vnode-x` for `mesh/mesh-1/virtualNode/vnode-x_mesh-test`).
 */
import type { ClientStatus } from '../xds/index.js';

export type FoundProxy = { client: ClientStatus } | { error: string; candidates: string[] };

export function findProxy(clients: readonly ClientStatus[], wanted: string): FoundProxy {
  const exact = clients.find((c) => c.nodeId === wanted);
  if (exact) return { client: exact };
  const ids = [...new Set(clients.map((c) => c.nodeId))].sort();
  const partial = ids.filter((id) => id.includes(wanted));
  if (partial.length === 1) return { client: clients.find((c) => c.nodeId === partial[0])! };
  if (partial.length > 1)
    return {
      error: `"${wanted}" names ${partial.length} connected proxies: give one node id`,
      candidates: partial,
    };
  return {
    error: ids.length
      ? `no connected proxy has the node id "${wanted}"`
      : `no proxy is connected to this replica, so there is no "${wanted}"`,
    candidates: ids,
  };
}
