/**
 * Amime's switches are read from one place: an annotation on the resource (Kubernetes,
 * YAML), else the REST API tag with the same key (`aws appmesh tag-resource`).
 */
import type { ResolvedMesh } from '../mesh/index.js';
import type { AnyResource } from '../model/index.js';
import { apiTagOf } from '../model/api-form/index.js';

export function resourceSetting(resource: Pick<AnyResource, 'metadata'>, key: string): string | undefined {
  return resource.metadata.annotations?.[key] ?? apiTagOf(resource, key);
}

/** A Mesh-level switch. */
export function meshSetting(mesh: ResolvedMesh, key: string): string | undefined {
  return resourceSetting(mesh.resource, key);
}
