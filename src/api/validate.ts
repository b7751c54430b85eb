/**
 * Validation before write: the mesh as it is and the mesh with the change go through
 * one validator (the mesh graph's rules, injected); errors the change introduces are
 * the BadRequestException, quota errors it introduces the LimitExceededException.
 * Errors the mesh already had (e.g. from Kubernetes resources) do not block API writes.
 */
import type { AnyResource } from '../model/resources.js';
import { formatResourceId, type Diagnostic } from '../model/diagnostic.js';
import type { GraphInput, InputNamespace, MeshGraph, GraphOptions } from '../mesh/graph.js';
import { badRequest, limitExceeded, type ApiError } from './errors.js';

/** Every diagnostic for a set of resources; `buildMeshGraph(...).diagnostics` in production. */
export type MeshValidator = (input: GraphInput) => readonly Diagnostic[];

/** Adapts `buildMeshGraph` (src/mesh) into a validator. */
export function graphValidator(build: (input: GraphInput, options?: GraphOptions) => MeshGraph, options: GraphOptions = {}): MeshValidator {
  return (input) => build(input, options).diagnostics;
}

export function isQuotaDiagnostic(d: Diagnostic): boolean {
  return d.code.startsWith('quota.');
}

/** `Kind ns/name: spec.path: message`: what App Mesh users see in the exception message. */
export function formatForApi(d: Diagnostic): string {
  const what = d.resource ? `${formatResourceId(d.resource)}: ` : '';
  return `${what}${d.path ? `${d.path}: ` : ''}${d.message}`;
}

const fingerprint = (d: Diagnostic) => `${d.code}\u0000${d.resource ? formatResourceId(d.resource) : ''}\u0000${d.path}\u0000${d.message}`;

/** Errors in `after` that `before` did not have (as a multiset). */
export function introducedErrors(before: readonly Diagnostic[], after: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Map<string, number>();
  for (const d of before) if (d.severity === 'error') seen.set(fingerprint(d), (seen.get(fingerprint(d)) ?? 0) + 1);
  const out: Diagnostic[] = [];
  for (const d of after) {
    if (d.severity !== 'error') continue;
    const n = seen.get(fingerprint(d)) ?? 0;
    if (n > 0) seen.set(fingerprint(d), n - 1);
    else out.push(d);
  }
  return out;
}

/** The exception for a change, or undefined when the change is acceptable. */
export function rejectionFor(introduced: readonly Diagnostic[]): ApiError | undefined {
  if (introduced.length === 0) return undefined;
  const quota = introduced.filter(isQuotaDiagnostic);
  if (quota.length > 0) return limitExceeded(quota.map(formatForApi).join('; '));
  return badRequest(introduced.map(formatForApi).join('; '));
}

export interface ChangeCheck {
  mesh: string;
  /** Validation-cache key of the current state (the catalog's mesh generation). */
  generation: number;
  before: readonly AnyResource[];
  after: readonly AnyResource[];
  namespaces: readonly InputNamespace[];
}

/** Runs the validator, caching the "before" diagnostics of each mesh per generation. */
export class ChangeValidator {
  private readonly cache = new Map<string, { generation: number; diagnostics: readonly Diagnostic[] }>();

  constructor(private readonly validate: MeshValidator) {}

  check(change: ChangeCheck): void {
    const cached = this.cache.get(change.mesh);
    const before =
      cached && cached.generation === change.generation
        ? cached.diagnostics
        : this.validate({ resources: change.before.map((resource) => ({ resource })), namespaces: change.namespaces });
    this.cache.set(change.mesh, { generation: change.generation, diagnostics: before });
    const after = this.validate({ resources: change.after.map((resource) => ({ resource })), namespaces: change.namespaces });
    const rejection = rejectionFor(introducedErrors(before, after));
    if (rejection) throw rejection;
  }
}
