import type { ResolvedMesh } from '../mesh/index.js';

/** A resolved Mesh `m` carrying `annotations`: what the Mesh-level switches read. */
export const meshWithAnnotations = (annotations: Record<string, string>): ResolvedMesh =>
  ({
    awsName: 'm',
    mesh: 'm',
    egressFilter: 'ALLOW_ALL',
    id: { kind: 'Mesh', name: 'm' },
    resource: {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'Mesh',
      metadata: { name: 'm', annotations },
      spec: {},
    },
  }) as unknown as ResolvedMesh;
