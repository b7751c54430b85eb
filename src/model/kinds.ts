/** The seven `appmesh.k8s.aws/v1beta2` kinds, in the order App Mesh reconciles them. */
export const KINDS = [
  'Mesh',
  'VirtualNode',
  'VirtualService',
  'VirtualRouter',
  'VirtualGateway',
  'GatewayRoute',
  'BackendGroup',
] as const;

export type Kind = (typeof KINDS)[number];

export const API_GROUP = 'appmesh.k8s.aws';
export const API_VERSION = 'appmesh.k8s.aws/v1beta2';

export function isKind(value: unknown): value is Kind {
  return typeof value === 'string' && (KINDS as readonly string[]).includes(value);
}

/** Mesh is cluster-scoped; every other kind lives in a namespace. */
export function isNamespaced(kind: Kind): boolean {
  return kind !== 'Mesh';
}
