/**
 * Where the REST API keeps a resource's App Mesh metadata and tags: one annotation
 * holding JSON (`{uid, version, createdAt, lastUpdatedAt, tags: [{key, value}]}`,
 * written by src/api/metadata.ts). Readers outside the API (mesh-level switches set
 * with `aws appmesh tag-resource`) read a tag with `apiTagOf`.
 */
import type { AnyResource } from '../resources.js';

export const API_METADATA_ANNOTATION = 'appmesh.amime.dev/api-metadata';

export function apiTagOf(resource: Pick<AnyResource, 'metadata'>, key: string): string | undefined {
  const text = resource.metadata.annotations?.[API_METADATA_ANNOTATION];
  if (text === undefined) return undefined;
  try {
    const tags = (JSON.parse(text) as { tags?: Array<{ key?: unknown; value?: unknown }> }).tags;
    const tag = Array.isArray(tags) ? tags.find((t) => t.key === key) : undefined;
    return typeof tag?.value === 'string' ? tag.value : undefined;
  } catch {
    return undefined;
  }
}
