/**
 * A proxy as an operator names it: its exact node id, or any unique part of it
 * (`vnode-x` for `mesh/mesh-1/virtualNode/vnode-x_mesh-test`).
 */
export type FoundProxy<T> = { client: T } | { error: string; candidates: string[] };

/** `clients`: this replica's client status, or the other replicas' rows. */
export function findProxy<T extends { readonly nodeId: string }>(
  clients: readonly T[],
  wanted: string,
): FoundProxy<T> {
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
