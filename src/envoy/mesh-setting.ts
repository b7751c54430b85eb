/**
 * Amime's Mesh-level switches are read from one place: an annotation on the Mesh
 * (Kubernetes, YAML), else the REST API tag with the same key (`aws appmesh tag-resource`).
 */
import type { ResolvedMesh } from '../mesh/index.js';
import { apiTagOf } from '../model/api-form/index.js';

export function meshSetting(mesh: ResolvedMesh, key: string): string | undefined {
  return mesh.resource.metadata.annotations?.[key] ?? apiTagOf(mesh.resource, key);
}
