/**
 * API-only values: fields the REST API accepts that the `v1beta2` CRDs cannot hold
 * (VirtualNode `serviceDiscovery.{dns,awsCloudMap}.ipPreference`, and the Mesh
 * `IPv4_PREFERRED`/`IPv6_PREFERRED` preferences outside the CRD enum). They travel in
 * one annotation, a JSON object keyed by the API field path, so the CRD spec stays
 * schema-valid and API → CRD → API loses nothing. Readers that care (e.g. Envoy DNS
 * lookup family) use `apiOnlyFieldsOf`.
 */
import type { AnyResource } from '../resources.js';

export const API_ONLY_ANNOTATION = 'appmesh.amime.dev/api-only-fields';

export type ApiOnlyFields = Record<string, string>;

export function apiOnlyFieldsOf(resource: Pick<AnyResource, 'metadata'>): ApiOnlyFields {
  const text = resource.metadata.annotations?.[API_ONLY_ANNOTATION];
  if (text === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  } catch {
    return {};
  }
}

/** Annotations with the API-only entry replaced by `fields` (removed when empty). */
export function withApiOnlyFields(
  annotations: Readonly<Record<string, string>> | undefined,
  fields: ApiOnlyFields,
): Record<string, string> | undefined {
  const out: Record<string, string> = { ...(annotations ?? {}) };
  delete out[API_ONLY_ANNOTATION];
  if (Object.keys(fields).length > 0) out[API_ONLY_ANNOTATION] = JSON.stringify(fields);
  return Object.keys(out).length > 0 ? out : undefined;
}
