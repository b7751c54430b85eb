/**
 * What every importer produces: App Mesh resources in their REST API form, each with
 * where it came from, and diagnostics in the one shape the rest of Amime prints.
 */
import type { ApiKind, TagRef } from '../model/api-form/index.js';
import type { Diagnostic, ResourceId, SourcePosition } from '../model/index.js';

export interface ImportedResource {
  kind: ApiKind;
  /** Mesh name (App Mesh's, not Kubernetes'). */
  mesh: string;
  name: string;
  /** Routes: their virtual router; gateway routes: their virtual gateway. */
  parent?: string;
  spec: Record<string, unknown>;
  tags?: TagRef[];
  /** The account that owns the mesh, when the source names one (shared meshes). */
  meshOwner?: string;
  origin: Origin;
}

/** The source resource, as diagnostics name it: `AWS::AppMesh::Route ApiRoute`, `aws_appmesh_route.api`. */
export interface Origin {
  id: ResourceId;
  source?: SourcePosition;
}

export interface ImportResult {
  resources: ImportedResource[];
  diagnostics: Diagnostic[];
}

/** One resource per kind, mesh, router or gateway, and name. */
export function identityOf(r: Pick<ImportedResource, 'kind' | 'mesh' | 'name' | 'parent'>): string {
  return `${r.kind}\u0000${r.mesh}\u0000${r.parent ?? ''}\u0000${r.name}`;
}

/** `VirtualNode serviceb in mesh shop`, `Route api of VirtualRouter r in mesh shop`. */
export function describeImported(r: Pick<ImportedResource, 'kind' | 'mesh' | 'name' | 'parent'>): string {
  if (r.kind === 'Mesh') return `Mesh ${r.name}`;
  const of =
    r.parent === undefined
      ? ''
      : ` of ${r.kind === 'Route' ? 'VirtualRouter' : 'VirtualGateway'} ${r.parent}`;
  return `${r.kind} ${r.name}${of} in mesh ${r.mesh}`;
}
