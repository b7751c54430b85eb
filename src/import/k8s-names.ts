/**
 * Kubernetes-valid names from App Mesh names, which may hold capitals, `_` and up to
 * 255 characters. A name that had to change keeps its original in `spec.awsName`;
 * two originals that would get the same name are told apart by a short hash of the
 * original, so the result does not depend on the order of the input.
 */
import { createHash } from 'node:crypto';

/** RFC 1123 subdomain (object names): lower-case alphanumerics, `-` and `.`, at most 253. */
export function subdomainName(original: string): string {
  return shape(
    original
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/\.{2,}/g, '.'),
    253,
    original,
  );
}

/** RFC 1123 label (namespace names): lower-case alphanumerics and `-`, at most 63. */
export function labelName(original: string): string {
  return shape(original.toLowerCase().replace(/[^a-z0-9-]+/g, '-'), 63, original);
}

/** Label value: alphanumerics, `-`, `_` and `.`, at most 63. */
export function labelValue(original: string): string {
  return shape(original.replace(/[^A-Za-z0-9._-]+/g, '-'), 63, original);
}

function shape(candidate: string, max: number, original: string): string {
  let out = candidate.replace(/-{2,}/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  if (out === '') return `x-${hashOf(original)}`;
  if (out.length > max) out = `${out.slice(0, max - 7).replace(/[^A-Za-z0-9]+$/, '')}-${hashOf(original)}`;
  return out;
}

export function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 6);
}

/** Hands out names unique within a scope (a kind in a namespace). */
export class NameAllocator {
  private readonly scopes = new Map<string, { names: Set<string>; given: Map<string, string> }>();

  /**
   * A name for `identity` in `scope`: `make(original)`, or, when another identity has
   * it already, `make` of the original with a short hash of the identity appended.
   * The same identity always gets the same name.
   */
  take(
    scope: string,
    identity: string,
    original: string,
    make: (s: string) => string = subdomainName,
  ): string {
    let s = this.scopes.get(scope);
    if (!s) this.scopes.set(scope, (s = { names: new Set(), given: new Map() }));
    const known = s.given.get(identity);
    if (known !== undefined) return known;
    let name = make(original);
    if (s.names.has(name)) name = make(`${name.slice(0, 40)}-${hashOf(identity)}`);
    s.names.add(name);
    s.given.set(identity, name);
    return name;
  }
}
