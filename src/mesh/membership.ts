/**
 * Which Mesh each resource belongs to (appmesh.md §2.2): the Mesh whose
 * namespaceSelector selects the resource's namespace labels, exactly one. A failure is
 * reported once per namespace, at the most useful place, with the resources it leaves
 * without a mesh listed as related — never as errors of their own.
 *
 * `spec.meshRef` is the system's: App Mesh's webhook sets it on create from that same
 * selection (issue 16 item 4). Where it was set by the system (a store, a cluster; and
 * always for REST API resources, which have no namespace) it decides, as it did for App
 * Mesh's controller. In manifests from files (GraphOptions.refsFromFiles) the selectors
 * decide and a meshRef is only compared with them: one that disagrees is refused, one
 * that agrees (`kubectl get -o yaml` exports carry it) is ignored with a warning.
 */
import type { Mesh, Path, RelatedInfo } from '../model/index.js';
import type { BuildContext } from './context.js';
import { relatedAt, type ResourceEntry } from './context.js';
import type { InputNamespace } from './graph.js';
import { meshesSelecting, usableMeshes } from './placement.js';
import { describeLabels, describeSelector, selectorKeys } from './selectors.js';

interface MeshRef {
  name: string;
  uid?: unknown;
}

function meshRefOf(e: ResourceEntry): MeshRef | undefined {
  const ref = (e.resource.spec as { meshRef?: unknown } | undefined)?.meshRef;
  return ref !== null && typeof ref === 'object' && typeof (ref as { name?: unknown }).name === 'string'
    ? (ref as MeshRef)
    : undefined;
}

const SELECTOR: Path = ['spec', 'namespaceSelector'];
const meshOf = (m: ResourceEntry) => m.resource as Mesh;

export function assignMeshes(ctx: BuildContext): void {
  const meshes = ctx.ofKind('Mesh');
  for (const m of meshes) m.mesh = m;
  const meshByName = new Map<string, ResourceEntry>();
  for (const m of meshes) if (!meshByName.has(m.id.name)) meshByName.set(m.id.name, m);
  // A Mesh whose selector Kubernetes cannot parse selects nothing; its own error explains why.
  const usable = usableMeshes(meshes, meshOf);
  const brokenMeshExists =
    usable.length < meshes.length || [...ctx.invalidInputs.values()].some((i) => i.id.kind === 'Mesh');

  // Namespace → members the selectors place.
  const pending = new Map<string, ResourceEntry[]>();
  for (const e of [...ctx.entries, ...ctx.probes]) {
    if (e.kind === 'Mesh') continue;
    const ref = meshRefOf(e);
    const ns = e.id.namespace;
    if (ref && (ns === undefined || !ctx.refsFromFiles)) {
      placeByRef(ctx, e, ref, meshByName);
      continue;
    }
    if (ns === undefined) {
      ctx.error(
        e,
        ['spec', 'meshRef'],
        'mesh.no-membership',
        'a resource without a namespace must name its mesh in spec.meshRef',
      );
      e.noMesh = { reason: 'MeshNotFound', message: 'no namespace and no spec.meshRef' };
      continue;
    }
    let list = pending.get(ns);
    if (!list) pending.set(ns, (list = []));
    list.push(e);
  }

  for (const [ns, members] of pending) {
    const known = ctx.namespaces.get(ns);
    if (known) assignKnown(ctx, ns, known, members, meshes, usable, brokenMeshExists);
    else assignUnknown(ctx, ns, members, meshes, usable, brokenMeshExists);
    for (const e of members) compareMeshRef(ctx, e, meshByName);
  }
}

/** Where the meshRef decides (REST API resources, a store's or a cluster's objects). */
function placeByRef(
  ctx: BuildContext,
  e: ResourceEntry,
  ref: MeshRef,
  meshByName: Map<string, ResourceEntry>,
): void {
  const target = meshByName.get(ref.name);
  if (!target) {
    ctx.error(
      e,
      ['spec', 'meshRef', 'name'],
      'mesh.ref-not-found',
      `spec.meshRef names Mesh ${JSON.stringify(ref.name)}, which does not exist`,
    );
    e.noMesh = { reason: 'MeshNotFound', message: `Mesh ${ref.name} does not exist` };
    return;
  }
  checkRefUid(ctx, e, ref, target);
  e.mesh = target;
}

function checkRefUid(ctx: BuildContext, e: ResourceEntry, ref: MeshRef, target: ResourceEntry): void {
  const uid = target.resource.metadata.uid;
  if (typeof ref.uid === 'string' && ref.uid !== '' && uid && uid !== ref.uid) {
    ctx.error(
      e,
      ['spec', 'meshRef', 'uid'],
      'mesh.ref-uid',
      `spec.meshRef.uid ${ref.uid} is not the uid of Mesh ${target.id.name} (${uid}): the Mesh was recreated; recreate this resource`,
    );
  }
}

/** Where the selectors decide, a meshRef is refused when it disagrees with them and ignored when it agrees. */
function compareMeshRef(ctx: BuildContext, e: ResourceEntry, meshByName: Map<string, ResourceEntry>): void {
  const ref = meshRefOf(e);
  const selected = e.mesh;
  if (!ref || !selected) return; // no ref; or no mesh, whose own error says why
  if (ref.name !== selected.id.name) {
    const exists = meshByName.has(ref.name);
    ctx.error(
      e,
      ['spec', 'meshRef', 'name'],
      exists ? 'mesh.ref-mismatch' : 'mesh.ref-not-found',
      `spec.meshRef names Mesh ${JSON.stringify(ref.name)}${exists ? '' : ', which does not exist'}, but namespace ${e.id.namespace} is selected by Mesh ${selected.id.name}; meshRef is set by the system from that selection: remove it`,
      [
        relatedAt(
          selected,
          SELECTOR,
          `Mesh ${selected.id.name} selects ${describeSelector(meshOf(selected).spec.namespaceSelector, 'none')}`,
        ),
      ],
    );
    return;
  }
  checkRefUid(ctx, e, ref, selected);
  ctx.warning(
    e,
    ['spec', 'meshRef'],
    'mesh.ref-ignored',
    `spec.meshRef is set by the system from the Mesh that selects the namespace, so it is ignored here (it agrees: Mesh ${selected.id.name})`,
  );
}

function assignKnown(
  ctx: BuildContext,
  ns: string,
  known: InputNamespace,
  members: ResourceEntry[],
  meshes: ResourceEntry[],
  usable: ResourceEntry[],
  brokenMeshExists: boolean,
): void {
  const selected = meshesSelecting(usable, meshOf, known.labels);
  if (selected.length === 1) {
    for (const e of members) e.mesh = selected[0];
    return;
  }
  const nsEntry = { id: { kind: 'Namespace', name: ns }, ...(known.locate ? { locate: known.locate } : {}) };
  const nsRelated = relatedAt(
    nsEntry,
    ['metadata', 'labels'],
    `namespace ${ns} has ${describeLabels(known.labels)}`,
  );
  const left = leftWithoutMesh(members);
  if (selected.length === 0) {
    const reason = { reason: 'MeshNotFound', message: `no Mesh selects namespace ${ns}` };
    for (const e of members) e.noMesh = reason;
    if (brokenMeshExists) return; // the broken Mesh's own error is the root cause
    const appMesh = `failed to find matching mesh for namespace: ${ns}, expecting 1 but found 0`;
    const count = `${members.length} resource${members.length === 1 ? '' : 's'} in ${ns} ${members.length === 1 ? 'is' : 'are'} left without a mesh`;
    if (meshes.length === 1) {
      const mesh = meshes[0]!;
      const sel = (mesh.resource as Mesh).spec.namespaceSelector;
      const what = sel
        ? `Mesh ${mesh.id.name} selects ${describeSelector(sel, 'none')}, but the namespace has ${relevantLabels(known.labels, selectorKeys(sel))}`
        : `Mesh ${mesh.id.name} has no namespaceSelector, so it selects no namespace (an empty selector {} selects all)`;
      ctx.errorAt(
        mesh,
        SELECTOR,
        'mesh.no-matching-mesh',
        `no Mesh selects namespace ${ns}: ${what} (${appMesh}); ${count}`,
        [nsRelated, ...left],
      );
      return;
    }
    const what =
      meshes.length === 0
        ? 'there is no Mesh'
        : meshes
            .map(
              (m) =>
                `Mesh ${m.id.name} selects ${describeSelector((m.resource as Mesh).spec.namespaceSelector, 'none')}`,
            )
            .join('; ');
    const meshRelated = meshes.map((m) =>
      relatedAt(
        m,
        SELECTOR,
        `Mesh ${m.id.name} selects ${describeSelector((m.resource as Mesh).spec.namespaceSelector, 'none')}`,
      ),
    );
    ctx.errorAt(
      nsEntry,
      ['metadata', 'labels'],
      'mesh.no-matching-mesh',
      `no Mesh selects namespace ${ns} (labels: ${describeLabels(known.labels)}): ${what} (${appMesh}); ${count}`,
      [...meshRelated, ...left],
    );
    return;
  }
  const names = selected.map((m) => m.id.name);
  const reason = {
    reason: 'MeshNotFound',
    message: `several Meshes select namespace ${ns}: ${names.join(', ')}`,
  };
  for (const e of members) e.noMesh = reason;
  ctx.errorAt(
    nsEntry,
    ['metadata', 'labels'],
    'mesh.multiple-matching-meshes',
    `found multiple matching meshes for namespace: ${ns}, expecting 1 but found ${selected.length}: ${names.join(',')}; narrow the Meshes' namespaceSelectors so exactly one selects ${describeLabels(known.labels)}`,
    [
      ...selected.map((m) =>
        relatedAt(
          m,
          SELECTOR,
          `Mesh ${m.id.name} selects ${describeSelector((m.resource as Mesh).spec.namespaceSelector, 'none')}`,
        ),
      ),
      ...leftWithoutMesh(members),
    ],
  );
}

/** The input has no Namespace object: its labels are unknown, so only the Meshes' selectors can decide. */
function assignUnknown(
  ctx: BuildContext,
  ns: string,
  members: ResourceEntry[],
  meshes: ResourceEntry[],
  usable: ResourceEntry[],
  brokenMeshExists: boolean,
): void {
  const selectsAll = usable.filter((m) => isEmptySelector((m.resource as Mesh).spec.namespaceSelector));
  const couldSelect = meshesSelecting(usable, meshOf, undefined);
  const first = members[0]!;
  const nsPath: Path = ['metadata', 'namespace'];
  if (selectsAll.length === 1 && couldSelect.length === 1) {
    for (const e of members) e.mesh = selectsAll[0];
    return;
  }
  if (couldSelect.length === 1) {
    const mesh = couldSelect[0]!;
    for (const e of members) e.mesh = mesh;
    ctx.warning(
      first,
      nsPath,
      'mesh.namespace-unknown',
      `namespace ${ns} is not defined in the input, so its labels are unknown; assuming Mesh ${mesh.id.name} (which selects ${describeSelector((mesh.resource as Mesh).spec.namespaceSelector, 'none')}) for its ${members.length} resource${members.length === 1 ? '' : 's'}; add the Namespace to check membership`,
      [
        relatedAt(
          mesh,
          SELECTOR,
          `Mesh ${mesh.id.name} selects ${describeSelector((mesh.resource as Mesh).spec.namespaceSelector, 'none')}`,
        ),
      ],
    );
    return;
  }
  const reason = { reason: 'MeshNotFound', message: `no Mesh can be determined for namespace ${ns}` };
  for (const e of members) e.noMesh = reason;
  if (brokenMeshExists && couldSelect.length === 0) return;
  const left = leftWithoutMesh(members.slice(1));
  if (selectsAll.length > 1) {
    const names = selectsAll.map((m) => m.id.name);
    ctx.errorAt(
      first,
      nsPath,
      'mesh.multiple-matching-meshes',
      `found multiple matching meshes for namespace: ${ns}, expecting 1 but found ${names.length}: ${names.join(',')} (their namespaceSelectors are empty and select every namespace)`,
      [
        ...selectsAll.map((m) => relatedAt(m, SELECTOR, `Mesh ${m.id.name} selects every namespace`)),
        ...left,
      ],
    );
    return;
  }
  if (meshes.length === 0) {
    ctx.errorAt(
      first,
      nsPath,
      'mesh.no-mesh',
      `there is no Mesh for namespace ${ns}: define a Mesh whose namespaceSelector selects it`,
      left,
    );
    return;
  }
  if (couldSelect.length === 0) {
    ctx.errorAt(
      first,
      nsPath,
      'mesh.no-matching-mesh',
      `no Mesh selects namespace ${ns}: no Mesh has a namespaceSelector (absent selects nothing; {} selects all)`,
      [...meshes.map((m) => relatedAt(m, ['spec'], `Mesh ${m.id.name} has no namespaceSelector`)), ...left],
    );
    return;
  }
  ctx.errorAt(
    first,
    nsPath,
    'mesh.namespace-unknown',
    `namespace ${ns} is not defined in the input, so its labels are unknown and ${couldSelect.length} Meshes could select it; add the Namespace with its labels`,
    [
      ...couldSelect.map((m) =>
        relatedAt(
          m,
          SELECTOR,
          `Mesh ${m.id.name} selects ${describeSelector((m.resource as Mesh).spec.namespaceSelector, 'none')}`,
        ),
      ),
      ...left,
    ],
  );
}

function isEmptySelector(sel: Mesh['spec']['namespaceSelector']): boolean {
  return (
    sel !== undefined &&
    Object.keys(sel.matchLabels ?? {}).length === 0 &&
    (sel.matchExpressions ?? []).length === 0
  );
}

function relevantLabels(labels: Readonly<Record<string, string>>, keys: string[]): string {
  if (keys.length === 0) return describeLabels(labels);
  return keys.map((k) => (Object.hasOwn(labels, k) ? `${k}=${labels[k]}` : `no label ${k}`)).join(', ');
}

function leftWithoutMesh(members: ResourceEntry[]): RelatedInfo[] {
  return members.map((e) => relatedAt(e, ['metadata', 'namespace'], 'left without a mesh'));
}
