/** The resource types the API-server test double serves, with the facts its REST paths and discovery need. */
import { KINDS, KIND_INFO, API_GROUP } from '../../src/model/index.js';

export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  /** Plural, lower case (`virtualnodes`). */
  resource: string;
  kind: string;
  namespaced: boolean;
  /** Has a `/status` subresource: status is written only there, spec changes bump generation. */
  status: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

const CRUD = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

const core = (
  resource: string,
  kind: string,
  namespaced: boolean,
  status: boolean,
  shortNames?: string[],
): ResourceType => ({
  group: '',
  version: 'v1',
  resource,
  kind,
  namespaced,
  status,
  verbs: CRUD,
  ...(shortNames ? { shortNames } : {}),
});

export const RESOURCE_TYPES: ReadonlyArray<ResourceType> = [
  core('namespaces', 'Namespace', false, true, ['ns']),
  core('pods', 'Pod', true, true, ['po']),
  core('services', 'Service', true, true, ['svc']),
  core('serviceaccounts', 'ServiceAccount', true, false, ['sa']),
  core('configmaps', 'ConfigMap', true, false, ['cm']),
  core('secrets', 'Secret', true, false),
  core('events', 'Event', true, false, ['ev']),
  // Stored only: no controller turns them into pods (tests do that where they need pods).
  {
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    kind: 'Deployment',
    namespaced: true,
    status: true,
    verbs: CRUD,
    shortNames: ['deploy'],
    categories: ['all'],
  },
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    resource: 'endpointslices',
    kind: 'EndpointSlice',
    namespaced: true,
    status: false,
    verbs: CRUD,
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    resource: 'leases',
    kind: 'Lease',
    namespaced: true,
    status: false,
    verbs: CRUD,
  },
  {
    group: 'authentication.k8s.io',
    version: 'v1',
    resource: 'tokenreviews',
    kind: 'TokenReview',
    namespaced: false,
    status: false,
    verbs: ['create'],
  },
  // Stored, and what the admission chain calls (with the options' and configureWebhooks' static ones).
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    resource: 'mutatingwebhookconfigurations',
    kind: 'MutatingWebhookConfiguration',
    namespaced: false,
    status: false,
    verbs: CRUD,
  },
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    resource: 'validatingwebhookconfigurations',
    kind: 'ValidatingWebhookConfiguration',
    namespaced: false,
    status: false,
    verbs: CRUD,
  },
  // Stored only, so an install (CRDs, RBAC, PDB) applies as it would to a cluster.
  ...(
    [
      [
        'apiextensions.k8s.io',
        'customresourcedefinitions',
        'CustomResourceDefinition',
        false,
        ['crd', 'crds'],
      ],
      ['rbac.authorization.k8s.io', 'clusterroles', 'ClusterRole', false, []],
      ['rbac.authorization.k8s.io', 'clusterrolebindings', 'ClusterRoleBinding', false, []],
      ['rbac.authorization.k8s.io', 'roles', 'Role', true, []],
      ['rbac.authorization.k8s.io', 'rolebindings', 'RoleBinding', true, []],
      ['policy', 'poddisruptionbudgets', 'PodDisruptionBudget', true, ['pdb']],
    ] as const
  ).map(([group, resource, kind, namespaced, shortNames]): ResourceType => ({
    group,
    version: 'v1',
    resource,
    kind,
    namespaced,
    status: false,
    verbs: CRUD,
    ...(shortNames.length > 0 ? { shortNames: [...shortNames] } : {}),
  })),
  ...KINDS.map((kind): ResourceType => ({
    group: API_GROUP,
    version: 'v1beta2',
    resource: KIND_INFO[kind].plural,
    kind,
    namespaced: kind !== 'Mesh',
    status: true,
    verbs: CRUD,
    ...(kind !== 'Mesh' ? { categories: ['all'] } : {}),
  })),
];

export function apiVersionOf(t: ResourceType): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}

/** `virtualnodes.appmesh.k8s.aws`, or `pods` for the core group: how Kubernetes names a resource in messages. */
export function qualifiedResource(t: ResourceType): string {
  return t.group === '' ? t.resource : `${t.resource}.${t.group}`;
}

export function findType(group: string, version: string, resource: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.resource === resource);
}

export function typeOfKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
}
