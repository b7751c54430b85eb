/**
 * What `amime apply` of some manifests would make a server hold, without writing:
 * the server's resources (read-api.ts) with the plan's (api/apply-plan.ts) laid over
 * them by identity, each marked added, changed or unchanged, and, with `prune`, the
 * server's resources of the same meshes that the manifests leave out marked removed.
 * Both sides then become one mesh graph each through the same manifests, so what
 * differs between the graphs is only what the plan changes.
 */
import { stringify } from 'yaml';
import type { ApplyStep } from '../api/index.js';
import { loadText } from '../load/index.js';
import { validateLoaded, type MeshGraph } from '../mesh/index.js';
import type { Diagnostic } from '../model/index.js';
import {
  canonicalSpec,
  describeImported,
  identityOf,
  renderManifests,
  toManifests,
  type ImportedResource,
} from '../import/index.js';

export type ChangeAction = 'added' | 'changed' | 'removed' | 'unchanged';

export interface ResourceChange {
  action: ChangeAction;
  /** `Route route-1 of VirtualRouter vrouter-1_mesh-test in mesh mesh-1`. */
  label: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

export interface ApplyPreview {
  desired: ImportedResource[];
  changes: ResourceChange[];
}

/** The plan's steps as resources (API form, canonical key order). */
export function resourcesOfSteps(steps: readonly ApplyStep[]): ImportedResource[] {
  return steps.map((s) => ({
    kind: s.kind,
    mesh: s.mesh,
    name: s.name,
    ...(s.parent !== undefined ? { parent: s.parent } : {}),
    spec: canonicalSpec(s.kind, (s.spec ?? {}) as Record<string, unknown>),
    ...(s.tags ? { tags: s.tags } : {}),
    origin: { id: { kind: s.kind, name: s.name } },
  }));
}

const same = (a: unknown, b: unknown): boolean => stringify(a) === stringify(b);

export function previewApply(
  current: readonly ImportedResource[],
  planned: readonly ImportedResource[],
  options: { prune?: boolean } = {},
): ApplyPreview {
  const byId = new Map(current.map((r) => [identityOf(r), r]));
  const plannedIds = new Set(planned.map(identityOf));
  const changes: ResourceChange[] = [];
  const desired: ImportedResource[] = [];
  const meshes = new Set(planned.map((r) => r.mesh));
  for (const r of current) {
    if (plannedIds.has(identityOf(r))) continue;
    if (options.prune && meshes.has(r.mesh))
      changes.push({ action: 'removed', label: describeImported(r), before: r.spec });
    else desired.push(r);
  }
  for (const r of planned) {
    const before = byId.get(identityOf(r));
    // Like apply: tags are sent on create only, so an existing resource keeps its own.
    desired.push(before ? { ...r, ...(before.tags ? { tags: before.tags } : {}) } : r);
    const action: ChangeAction = !before ? 'added' : same(before.spec, r.spec) ? 'unchanged' : 'changed';
    changes.push({
      action,
      label: describeImported(r),
      ...(before ? { before: before.spec } : {}),
      after: r.spec,
    });
  }
  return { desired, changes };
}

/** The mesh graph of API-form resources, built from the manifests `amime export` would write for them. */
export function graphOfResources(
  resources: readonly ImportedResource[],
  what: string,
): { graph: MeshGraph; diagnostics: Diagnostic[] } {
  const manifests = toManifests(resources);
  const load = loadText(renderManifests(manifests.objects), what);
  const { graph, diagnostics } = validateLoaded(load);
  return { graph, diagnostics: [...manifests.diagnostics, ...diagnostics] };
}
