/** The 38 App Mesh operations (appmesh.md §6.2): name, verb and path under `/v20190125`. */
import { API_KIND_INFO, API_KINDS, type ApiKind } from '../model/api-form/index.js';

export const API_PREFIX = '/v20190125';

export type OperationAction =
  'create' | 'describe' | 'update' | 'delete' | 'list' | 'tag' | 'untag' | 'listTags';

export interface OperationSpec {
  name: string;
  method: 'GET' | 'PUT' | 'DELETE';
  /** Fastify route path relative to API_PREFIX, with `:param` segments. */
  path: string;
  action: OperationAction;
  kind?: ApiKind;
}

/** `/meshes/:meshName/virtualNodes`, `/meshes/:meshName/virtualRouter/:virtualRouterName/routes`. */
export function collectionPath(kind: ApiKind): string {
  const info = API_KIND_INFO[kind];
  if (kind === 'Mesh') return '/meshes';
  const parent = info.parent ? `/${info.parent.segment}/:${info.parent.nameField}` : '';
  return `/meshes/:meshName${parent}/${info.collection}`;
}

export function itemPath(kind: ApiKind): string {
  return kind === 'Mesh' ? '/meshes/:meshName' : `${collectionPath(kind)}/:${API_KIND_INFO[kind].nameField}`;
}

/** Where one resource (`item`) or its collection is: `{kind, mesh, name, parent}` filled into the path. */
export function locationPath(
  loc: { kind: ApiKind; mesh: string; name: string; parent?: string },
  item: boolean,
): string {
  const info = API_KIND_INFO[loc.kind];
  const template = item ? itemPath(loc.kind) : collectionPath(loc.kind);
  const values: Record<string, string> = { meshName: loc.mesh, [info.nameField]: loc.name };
  if (info.parent && loc.parent !== undefined) values[info.parent.nameField] = loc.parent;
  // A name may hold anything but `/` (a VirtualService's is a hostname): one encoded path segment.
  return template.replace(/:([A-Za-z]+)/g, (_, p: string) => encodeURIComponent(values[p] ?? ''));
}

export const OPERATIONS: readonly OperationSpec[] = [
  ...API_KINDS.flatMap((kind): OperationSpec[] => [
    { name: `Create${kind}`, method: 'PUT', path: collectionPath(kind), action: 'create', kind },
    { name: `Describe${kind}`, method: 'GET', path: itemPath(kind), action: 'describe', kind },
    { name: `Update${kind}`, method: 'PUT', path: itemPath(kind), action: 'update', kind },
    { name: `Delete${kind}`, method: 'DELETE', path: itemPath(kind), action: 'delete', kind },
    { name: API_KIND_INFO[kind].listOpName, method: 'GET', path: collectionPath(kind), action: 'list', kind },
  ]),
  { name: 'TagResource', method: 'PUT', path: '/tag', action: 'tag' },
  { name: 'UntagResource', method: 'PUT', path: '/untag', action: 'untag' },
  { name: 'ListTagsForResource', method: 'GET', path: '/tags', action: 'listTags' },
];
