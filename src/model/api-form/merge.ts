/**
 * Updating a stored resource from an API spec: the API owns only the fields it can
 * express; everything else in the stored object (metadata, awsName, meshRef,
 * selectors, backendGroups, a router's routes, unknown fields) is kept, so a
 * Kubernetes-created resource updated through the API stays a Kubernetes resource.
 */
import type { AnyResource } from '../resources.js';
import type { Kind } from '../kinds.js';
import { apiOnlyFieldsOf, withApiOnlyFields } from './api-only.js';

/** CRD spec fields that the API form maps to, per kind. */
export const API_MANAGED_FIELDS: Readonly<Record<Exclude<Kind, 'BackendGroup'>, readonly string[]>> = {
  Mesh: ['egressFilter', 'meshServiceDiscovery'],
  VirtualNode: ['listeners', 'serviceDiscovery', 'backends', 'backendDefaults', 'logging'],
  VirtualService: ['provider'],
  VirtualRouter: ['listeners'],
  VirtualGateway: ['listeners', 'backendDefaults', 'logging'],
  GatewayRoute: ['priority', 'httpRoute', 'http2Route', 'grpcRoute'],
};

export function mergeCrdUpdate<R extends AnyResource>(stored: R, converted: R): R {
  const managed = stored.kind === 'BackendGroup' ? [] : API_MANAGED_FIELDS[stored.kind];
  const spec: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(stored.spec as object)) if (!managed.includes(k)) spec[k] = v;
  for (const k of managed) {
    const v = (converted.spec as Record<string, unknown>)[k];
    if (v !== undefined) spec[k] = v;
  }
  const annotations = withApiOnlyFields(stored.metadata.annotations, apiOnlyFieldsOf(converted));
  const metadata = { ...stored.metadata };
  if (annotations) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { ...stored, metadata, spec } as R;
}
