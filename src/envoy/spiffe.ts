/**
 * SPIFFE IDs of workloads (SPIFFE-ID §2): `spiffe://<trust-domain>/mesh/<mesh>/<kind>/<name>`,
 * or `spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>` where the platform
 * knows the service account (Kubernetes). Path segments keep letters, digits, ".",
 * "-" and "_"; anything else is percent-encoded, so every name maps to one ID.
 */
export function spiffeSegment(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

export function meshSpiffeId(
  trustDomain: string,
  mesh: string,
  kind: 'virtualNode' | 'virtualGateway',
  name: string,
): string {
  return `${meshSpiffePrefix(trustDomain, mesh)}${kind}/${spiffeSegment(name)}`;
}

/** Every mesh-form ID of the mesh starts with this. */
export function meshSpiffePrefix(trustDomain: string, mesh: string): string {
  return `spiffe://${trustDomain}/mesh/${spiffeSegment(mesh)}/`;
}

export function kubernetesSpiffeId(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `${namespaceSpiffePrefix(trustDomain, namespace)}sa/${spiffeSegment(serviceAccount)}`;
}

/** Every Kubernetes-form ID of the namespace starts with this. */
export function namespaceSpiffePrefix(trustDomain: string, namespace: string): string {
  return `spiffe://${trustDomain}/ns/${spiffeSegment(namespace)}/`;
}
