/**
 * The API spells ARN fields `*Arn`, the CRDs `*ARN` (appmesh.md §6.3). These keys only
 * occur in TLS settings, so a deep rename of exactly these keys converts both ways.
 */
const API_TO_CRD: Readonly<Record<string, string>> = {
  certificateArn: 'certificateARN',
  certificateAuthorityArns: 'certificateAuthorityARNs',
};
const CRD_TO_API: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(API_TO_CRD).map(([a, c]) => [c, a]),
);

export function renameArnKeysToCrd<T>(value: T): T {
  return renameKeys(value, API_TO_CRD) as T;
}

export function renameArnKeysToApi<T>(value: T): T {
  return renameKeys(value, CRD_TO_API) as T;
}

/** Deep copy with renamed keys; also the module's way of copying user data so the input is never aliased. */
function renameKeys(value: unknown, map: Readonly<Record<string, string>>): unknown {
  if (Array.isArray(value)) return value.map((v) => renameKeys(v, map));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[map[k] ?? k] = renameKeys(v, map);
  return out;
}

export function deepCopy<T>(value: T): T {
  return renameKeys(value, {}) as T;
}
