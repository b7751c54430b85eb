/**
 * Validation before write: the mesh as it is and the mesh with the change go through
 * one validator (the mesh graph's rules, injected); errors the change introduces are
 * the BadRequestException, quota errors it introduces the LimitExceededException.
 * Errors the mesh already had (e.g. from Kubernetes resources) do not block API writes.
 */
import { type AnyResource, formatResourceId, type Diagnostic } from '../model/index.js';
import { createHash } from 'node:crypto';
import type { GraphInput, InputNamespace, MeshGraph, GraphOptions } from '../mesh/index.js';
import type { StoredRecord } from '../store/index.js';
import { badRequest, limitExceeded, type ApiError } from './errors.js';
import {
  sameFingerprint,
  withoutRecord,
  withRecord,
  type MeshRecordSet,
  type RecordSetFingerprint,
} from './record-set.js';

/** Every diagnostic for a set of resources; `buildMeshGraph(...).diagnostics` in production. */
export type MeshValidator = (input: GraphInput) => readonly Diagnostic[];

/**
 * A mesh's diagnostics that can follow the update of one of its resources, possibly
 * without validating the whole mesh again (`MeshDiagnostics`, src/mesh/incremental.ts).
 */
export interface DiagnosticsState {
  readonly diagnostics: readonly Diagnostic[];
  /** The state with `resource` in place of the resource of the same kind, namespace and name, or added (a create). */
  update(resource: AnyResource): DiagnosticsState;
}

/** Validates a mesh into a state that later updates start from. */
export type StatefulValidator = (input: GraphInput) => DiagnosticsState;

/** A plain validator as states whose updates validate the whole mesh again. */
export function fullValidation(validate: MeshValidator): StatefulValidator {
  const state = (input: GraphInput): DiagnosticsState => ({
    diagnostics: validate(input),
    update: (resource) =>
      state({
        ...input,
        resources: [...input.resources.filter((r) => !sameId(r.resource, resource)), { resource }],
      }),
  });
  return state;
}

function sameId(a: AnyResource, b: AnyResource): boolean {
  return (
    a.kind === b.kind && a.metadata.name === b.metadata.name && a.metadata.namespace === b.metadata.namespace
  );
}

/** Adapts `buildMeshGraph` (src/mesh) into a validator. */
export function graphValidator(
  build: (input: GraphInput, options?: GraphOptions) => MeshGraph,
  options: GraphOptions = {},
): MeshValidator {
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

const fingerprint = (d: Diagnostic) =>
  `${d.code}\u0000${d.resource ? formatResourceId(d.resource) : ''}\u0000${d.path}\u0000${d.message}`;

/** Errors in `after` that `before` did not have (as a multiset). */
export function introducedErrors(before: readonly Diagnostic[], after: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Map<string, number>();
  for (const d of before)
    if (d.severity === 'error') seen.set(fingerprint(d), (seen.get(fingerprint(d)) ?? 0) + 1);
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
  /** The mesh's records as they are. */
  current: MeshRecordSet;
  /** The record key the change writes, and what it writes there. */
  key: string;
  resource: AnyResource;
  namespaces: readonly InputNamespace[];
}

/** A passed check, waiting for its write to land so its diagnostics can be reused. */
export interface PassedCheck {
  mesh: string;
  /** Namespace labels are input too: part of the state. */
  namespaceState: string;
  /** The mesh's records as they were checked. */
  before: RecordSetFingerprint;
  /** The record the change writes, and the revision it replaces (none for a create). */
  key: string;
  replacedRevision: number | undefined;
  diagnostics: DiagnosticsState;
}

function graphInput(resources: readonly AnyResource[], namespaces: ChangeCheck['namespaces']): GraphInput {
  return { resources: resources.map((resource) => ({ resource })), namespaces };
}

/** How many meshes' states `ChangeValidator` keeps (the most recently used). */
export const CACHED_MESHES = 1000;

/**
 * Runs the validator on the mesh with the change. The diagnostics of the mesh as it is
 * are cached per mesh state: after a write lands (`remember`), the "after" of one
 * change is the "before" of the next, so a write costs one validation, not two — and
 * an update of a resource is validated from the state before (`DiagnosticsState.update`:
 * incremental where the validator can be). A state is recognised by its records'
 * fingerprint (record-set.ts), which the catalog keeps current: nothing per write walks
 * the mesh's records unless the whole mesh must be validated.
 */
export class ChangeValidator {
  private readonly cache = new Map<
    string,
    { fingerprint: RecordSetFingerprint; namespaceState: string; diagnostics: DiagnosticsState }
  >();

  constructor(private readonly validate: StatefulValidator) {}

  check(change: ChangeCheck): PassedCheck {
    const { namespaceState, fingerprint, diagnostics: before } = this.stateOf(change);
    const old = change.current.get(change.key);
    // An update, or a create (no record at the key): incremental where the validator can be.
    const after =
      !old || sameId(old.value, change.resource)
        ? before.update(change.resource)
        : this.validate(
            graphInput(
              [
                ...change.current
                  .all()
                  .filter((r) => r.key !== change.key)
                  .map((r) => r.value),
                change.resource,
              ],
              change.namespaces,
            ),
          );
    const rejection = rejectionFor(introducedErrors(before.diagnostics, after.diagnostics));
    if (rejection) throw rejection;
    return {
      mesh: change.mesh,
      namespaceState,
      before: fingerprint,
      key: change.key,
      replacedRevision: old?.modRevision,
      diagnostics: after,
    };
  }

  /**
   * Validates a mesh as it is, unless its state is known, so that the next write to it
   * starts from there: the first write after a start validated the whole mesh (a full
   * build, 250–400 ms at 10× App Mesh's quotas, the p99 of bench:propagation's writes).
   */
  prepare(mesh: Pick<ChangeCheck, 'mesh' | 'current' | 'namespaces'>): void {
    this.stateOf(mesh);
  }

  /** The mesh's diagnostics as it is: the cached state when it is this one, else validated (and remembered). */
  private stateOf(change: Pick<ChangeCheck, 'mesh' | 'current' | 'namespaces'>): {
    namespaceState: string;
    fingerprint: RecordSetFingerprint;
    diagnostics: DiagnosticsState;
  } {
    const namespaceState = this.namespaceStateOf(change.namespaces);
    const cached = this.cache.get(change.mesh);
    const fingerprint = change.current.fingerprint;
    const known =
      cached && cached.namespaceState === namespaceState && sameFingerprint(cached.fingerprint, fingerprint);
    const diagnostics = known
      ? cached.diagnostics
      : this.validate(
          graphInput(
            change.current.all().map((r) => r.value),
            change.namespaces,
          ),
        );
    this.remember(change.mesh, fingerprint, namespaceState, diagnostics);
    return { namespaceState, fingerprint, diagnostics };
  }

  private lastNamespaces: { json: string; state: string } | undefined;

  /** Names the namespaces' labels; they rarely change between writes, so the last answer is kept by its JSON. */
  private namespaceStateOf(namespaces: readonly InputNamespace[]): string {
    const json = JSON.stringify(namespaces);
    if (this.lastNamespaces?.json !== json)
      this.lastNamespaces = { json, state: createHash('sha1').update(json).digest('base64') };
    return this.lastNamespaces.state;
  }

  /** Records the diagnostics of the state a passed check's write produced. */
  landed(check: PassedCheck, written: Pick<StoredRecord, 'key' | 'modRevision'>): void {
    let fingerprint = check.before;
    if (check.replacedRevision !== undefined)
      fingerprint = withoutRecord(fingerprint, check.key, check.replacedRevision);
    fingerprint = withRecord(fingerprint, written.key, written.modRevision);
    this.remember(check.mesh, fingerprint, check.namespaceState, check.diagnostics);
  }

  private remember(
    mesh: string,
    fingerprint: RecordSetFingerprint,
    namespaceState: string,
    diagnostics: DiagnosticsState,
  ): void {
    this.cache.delete(mesh);
    this.cache.set(mesh, { fingerprint, namespaceState, diagnostics });
    if (this.cache.size > CACHED_MESHES) this.cache.delete(this.cache.keys().next().value as string);
  }
}
