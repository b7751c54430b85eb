import { InvalidArgumentError } from './errors.js';

/**
 * Resource keys are `<kind>/<namespace>/<name>`, e.g. `VirtualNode/mesh-test/vnode-1`.
 * `_` stands for "no namespace". Segments are escaped (`%` → `%25`, `/` → `%2F`, and a
 * literal `_` namespace → `%5F`) so any string round-trips and a key always has exactly
 * three segments; ordinary names stay readable.
 */
export const NO_NAMESPACE = '_';

export interface ResourceKeyParts {
  kind: string;
  /** undefined for cluster-scoped resources */
  namespace: string | undefined;
  name: string;
}

export function resourceKey(kind: string, namespace: string | undefined, name: string): string {
  return `${segment(kind, 'kind')}/${namespaceSegment(namespace)}/${segment(name, 'name')}`;
}

/**
 * Prefix for `list`/`watch` over one kind, or one kind in one namespace. Pass `null`
 * to select the cluster-scoped (no namespace) records of a kind.
 */
export function resourceKeyPrefix(kind: string, namespace?: string | null): string {
  const head = `${segment(kind, 'kind')}/`;
  if (namespace === undefined) return head;
  return `${head}${namespaceSegment(namespace === null ? undefined : namespace)}/`;
}

export function parseResourceKey(key: string): ResourceKeyParts {
  const parts = key.split('/');
  if (parts.length !== 3 || parts.some((p) => p === '')) {
    throw new InvalidArgumentError(`not a resource key (want kind/namespace/name): ${JSON.stringify(key)}`);
  }
  const [kind, ns, name] = parts as [string, string, string];
  return {
    kind: unescapeSegment(kind, key),
    namespace: ns === NO_NAMESPACE ? undefined : unescapeSegment(ns, key),
    name: unescapeSegment(name, key),
  };
}

function namespaceSegment(namespace: string | undefined): string {
  // '' is how Kubernetes spells "cluster-scoped", so it means no namespace too.
  if (namespace === undefined || namespace === '') return NO_NAMESPACE;
  return namespace === NO_NAMESPACE ? '%5F' : escapeSegment(namespace);
}

function segment(value: string, what: string): string {
  if (value === '') throw new InvalidArgumentError(`resource key ${what} must not be empty`);
  return escapeSegment(value);
}

function escapeSegment(value: string): string {
  return value.replace(/[%/]/g, (c) => (c === '%' ? '%25' : '%2F'));
}

function unescapeSegment(value: string, key: string): string {
  return value.replace(/%(25|2F|5F)|%/gi, (match, code: string | undefined) => {
    if (code === undefined)
      throw new InvalidArgumentError(`bad escape in resource key ${JSON.stringify(key)}`);
    return String.fromCharCode(parseInt(code, 16));
  });
}
