/** REST paths of the objects Amime reads and writes. */
import { API_GROUP, KIND_INFO, type Kind } from '../model/index.js';

const CRD_BASE = `/apis/${API_GROUP}/v1beta2`;

/** All objects of a kind, cluster-wide. */
export function crdCollectionPath(kind: Kind): string {
  return `${CRD_BASE}/${KIND_INFO[kind].plural}`;
}

/** The collection a new object of `kind` is created in. */
export function crdCreatePath(kind: Kind, namespace: string | undefined): string {
  return kind === 'Mesh' || !namespace
    ? crdCollectionPath(kind)
    : `${CRD_BASE}/namespaces/${encodeURIComponent(namespace)}/${KIND_INFO[kind].plural}`;
}

export function crdObjectPath(kind: Kind, namespace: string | undefined, name: string): string {
  return `${crdCreatePath(kind, namespace)}/${encodeURIComponent(name)}`;
}

export const NAMESPACES_PATH = '/api/v1/namespaces';
export const PODS_PATH = '/api/v1/pods';
export const ENDPOINT_SLICES_PATH = '/apis/discovery.k8s.io/v1/endpointslices';
export const TOKEN_REVIEWS_PATH = '/apis/authentication.k8s.io/v1/tokenreviews';

export function namespacePath(name: string): string {
  return `${NAMESPACES_PATH}/${encodeURIComponent(name)}`;
}

export function leasePath(namespace: string, name?: string): string {
  const base = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}
