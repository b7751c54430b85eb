/**
 * Count quotas across replicas. A replica counts a scope (the virtual nodes of a mesh,
 * the meshes of the account, …) in its own view of the store, so two replicas creating
 * at once could each see room for one more and together pass the limit. Every create
 * therefore also writes the scope's guard record, on the condition that it is unchanged
 * since the view that was counted: of two concurrent creates in one scope, one commits
 * and the other fails its condition, catches up, and counts again.
 */
import { resourceKey, type TxnPut } from '../store/index.js';

/** Store kind of the guard records; not an App Mesh kind, so the mesh graph and the catalog skip them. */
export const QUOTA_SCOPE_KIND = 'QuotaScope';

export function quotaScopeKey(kind: string, mesh?: string, gateway?: string): string {
  return resourceKey(
    QUOTA_SCOPE_KIND,
    undefined,
    [kind, mesh, gateway].filter((s) => s !== undefined).join('/'),
  );
}

export function isQuotaScopeKey(key: string): boolean {
  return key.startsWith(`${QUOTA_SCOPE_KIND}/`);
}

/** The guard write for a create in a scope whose guard the counting view saw at `seenVersion` (0: never written). */
export function quotaGuard(key: string, seenVersion: number): TxnPut {
  return { op: 'put', key, value: { scope: key }, expectedVersion: seenVersion };
}
