/**
 * Resources in App Mesh API form → `appmesh.k8s.aws/v1beta2` manifests that pass
 * `amime validate` as they are: one Namespace per mesh (or `--namespace`), labelled
 * so the Mesh's namespaceSelector selects it; Kubernetes-valid names with the App
 * Mesh name in `spec.awsName`; references to imported resources as `*Ref`, to others
 * as ARNs; gateway routes labelled for their gateway's gatewayRouteSelector. The
 * field conversion itself is the model's (`src/model/api-form`). Whatever the
 * manifests cannot hold is a warning naming the source resource.
 */
import {
  API_ONLY_ANNOTATION,
  gatewayRouteToCrd,
  meshToCrd,
  routeToCrd,
  virtualGatewayToCrd,
  virtualNodeToCrd,
  virtualRouterToCrd,
  virtualServiceToCrd,
  type ToCrdContext,
} from '../model/api-form/index.js';
import {
  type Diagnostic,
  API_VERSION,
  DEFAULT_ARN_CONTEXT,
  parseArn,
  type ArnContext,
  type AnyResource,
} from '../model/index.js';
import { Scalar, stringify } from 'yaml';
import { APPLY_ORDER } from '../api/index.js';
import { importDiagnostic } from './diagnostics.js';
import { labelName, labelValue, NameAllocator } from './k8s-names.js';
import { describeImported, type ImportedResource } from './types.js';

export interface ManifestOptions {
  /** Put the (single) mesh in this namespace instead of one named after the mesh. */
  namespace?: string;
  /** Region and account of ARNs written for references to resources not imported. */
  arn?: ArnContext;
}

export interface Manifests {
  objects: Array<Record<string, unknown>>;
  diagnostics: Diagnostic[];
}

/** The label the Namespace carries and the Mesh selects; gateway routes carry `gateway`. */
export const MESH_LABEL = 'mesh';
export const GATEWAY_LABEL = 'gateway';

const REF_KINDS: Readonly<Record<string, 'VirtualNode' | 'VirtualService' | 'VirtualRouter'>> = {
  virtualNodeARN: 'VirtualNode',
  virtualServiceARN: 'VirtualService',
  virtualRouterARN: 'VirtualRouter',
};

type Obj = Record<string, unknown>;

export function toManifests(
  resources: readonly ImportedResource[],
  options: ManifestOptions = {},
): Manifests {
  const diagnostics: Diagnostic[] = [];
  const meshes = [...new Set(resources.map((r) => r.mesh))].sort(byCodePoint);
  if (options.namespace !== undefined && meshes.length > 1) {
    diagnostics.push(
      importDiagnostic(
        'error',
        'import.invalid',
        `--namespace ${options.namespace} would put the meshes ${meshes.join(', ')} in one namespace, which a Mesh's namespaceSelector cannot tell apart; leave --namespace out (each mesh gets a namespace named after it)`,
      ),
    );
    return { objects: [], diagnostics };
  }
  const names = new NameAllocator();
  const objects: Obj[] = [];
  for (const mesh of meshes) {
    const members = resources.filter((r) => r.mesh === mesh).sort(byKindAndName);
    objects.push(...meshManifests(mesh, members, options, names, diagnostics));
  }
  return { objects, diagnostics };
}

function meshManifests(
  mesh: string,
  members: ImportedResource[],
  options: ManifestOptions,
  names: NameAllocator,
  diagnostics: Diagnostic[],
): Obj[] {
  const namespace = options.namespace ?? names.take('Namespace', mesh, mesh, labelName);
  const selector = names.take('mesh-label', mesh, mesh, labelValue);
  const meshName = names.take('Mesh', mesh, mesh);
  const warn = (r: ImportedResource | undefined, message: string) =>
    diagnostics.push(
      importDiagnostic('warning', 'import.lossy', message, {
        ...(r ? { resource: r.origin.id } : {}),
        ...(r?.origin.source ? { source: r.origin.source } : {}),
      }),
    );

  // Kubernetes names of everything a reference may point at, before any reference is written.
  const k8sNames = new Map<string, string>();
  for (const r of members) {
    if (r.kind === 'Mesh' || r.kind === 'Route') continue;
    const key = refKey(r.kind, r.name, r.parent);
    k8sNames.set(key, names.take(`${r.kind}\u0000${namespace}`, key, r.name));
  }
  const refName = (kind: string, name: string, parent?: string) => k8sNames.get(refKey(kind, name, parent));
  const ctx: ToCrdContext = {
    mesh,
    meshRef: { name: meshName, uid: '' },
    arn: options.arn ?? DEFAULT_ARN_CONTEXT,
  };

  const out: Obj[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespace,
        labels: { [MESH_LABEL]: selector, 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' },
      },
    },
  ];
  const meshResource = members.find((r) => r.kind === 'Mesh');
  if (!meshResource)
    warn(
      members[0],
      `mesh ${mesh} is not in the input: a Mesh with an empty spec is written so its members have one; add the mesh's definition to keep its spec`,
    );
  else lossy(meshResource, warn);
  const meshObject = finish(meshToCrd(mesh, (meshResource?.spec ?? {}) as never), meshName, undefined);
  (meshObject.spec as Obj).namespaceSelector = { matchLabels: { [MESH_LABEL]: selector } };
  out.push(meshObject);

  for (const r of members) {
    if (r.kind === 'Mesh') continue;
    lossy(r, warn);
    const object = manifestOf(r, ctx, members, refName, warn);
    if (!object) continue;
    const o = finish(object, refName(r.kind, r.name, r.parent) as string, namespace);
    const spec = o.spec as Obj;
    if (r.kind === 'VirtualGateway') {
      spec.namespaceSelector = { matchLabels: { [MESH_LABEL]: selector } };
      spec.gatewayRouteSelector = {
        matchLabels: { [GATEWAY_LABEL]: labelValue((o.metadata as Obj).name as string) },
      };
    }
    if (r.kind === 'GatewayRoute') {
      (o.metadata as Obj).labels = {
        [GATEWAY_LABEL]: labelValue(refName('VirtualGateway', r.parent as string) as string),
      };
      delete spec.virtualGatewayRef;
    }
    replaceArnRefs(spec, refName, (target) =>
      warn(
        r,
        `${describeImported(r)} refers to ${target}, which is not in the input; the reference stays an ARN (amime validate reports it missing until you add it)`,
      ),
    );
    out.push(o);
  }
  return out;
}

/** The model's CRD form of one resource; routes go inside their router, so they give none. */
function manifestOf(
  r: ImportedResource,
  ctx: ToCrdContext,
  members: readonly ImportedResource[],
  refName: (kind: string, name: string, parent?: string) => string | undefined,
  warn: (r: ImportedResource, message: string) => void,
): AnyResource | undefined {
  switch (r.kind) {
    case 'VirtualNode':
      return virtualNodeToCrd(r.name, r.spec as never, ctx);
    case 'VirtualService':
      return virtualServiceToCrd(r.name, r.spec as never, ctx);
    case 'VirtualRouter': {
      const routes = members
        .filter((m) => m.kind === 'Route' && m.parent === r.name)
        .map((route) => routeToCrd(route.name, route.spec as never, ctx));
      return virtualRouterToCrd(r.name, r.spec as never, ctx, routes);
    }
    case 'VirtualGateway':
      return virtualGatewayToCrd(r.name, r.spec as never, ctx);
    case 'GatewayRoute': {
      const gateway = refName('VirtualGateway', r.parent as string);
      if (gateway !== undefined)
        return gatewayRouteToCrd(r.name, r.spec as never, {
          ...ctx,
          virtualGatewayRef: { name: gateway, uid: '' },
        });
      warn(
        r,
        `${describeImported(r)} is left out: its virtual gateway ${r.parent} is not in the input, and a v1beta2 GatewayRoute attaches to a VirtualGateway of the manifests; add the gateway`,
      );
      return undefined;
    }
    case 'Route':
      if (refName('VirtualRouter', r.parent as string) === undefined)
        warn(
          r,
          `${describeImported(r)} is left out: its virtual router ${r.parent} is not in the input, and a v1beta2 route lives inside its VirtualRouter; add the router`,
        );
      return undefined;
    default:
      return undefined;
  }
}

function refKey(kind: string, name: string, parent?: string): string {
  return `${kind}\u0000${name}${parent === undefined ? '' : `\u0000${parent}`}`;
}

/** Metadata as the manifests carry it; the webhook's `meshRef` is for the cluster to set. */
function finish(resource: AnyResource | Obj, name: string, namespace: string | undefined): Obj {
  const o = resource as Obj;
  const metadata = { ...(o.metadata as Obj), name, ...(namespace !== undefined ? { namespace } : {}) };
  const spec = { ...(o.spec as Obj) };
  delete spec.meshRef;
  return { apiVersion: API_VERSION, kind: o.kind, metadata, spec };
}

/** Every `virtualNodeARN` / `virtualServiceARN` / `virtualRouterARN` naming an imported resource becomes a `*Ref`. */
function replaceArnRefs(
  value: unknown,
  refName: (kind: string, name: string) => string | undefined,
  missing: (target: string) => void,
): void {
  if (Array.isArray(value)) {
    for (const v of value) replaceArnRefs(v, refName, missing);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const obj = value as Obj;
  for (const [key, v] of Object.entries(obj)) {
    const kind = REF_KINDS[key];
    if (kind && typeof v === 'string') {
      const target = parseArn(v)?.name ?? v;
      const name = refName(kind, target);
      if (name === undefined) {
        missing(`${kind} ${target}`);
        continue;
      }
      const entries = Object.entries(obj).map(([k, x]): [string, unknown] =>
        k === key ? [`${key.slice(0, -3)}Ref`, { name }] : [k, x],
      );
      for (const k of Object.keys(obj)) delete obj[k];
      Object.assign(obj, Object.fromEntries(entries));
    } else replaceArnRefs(v, refName, missing);
  }
}

/** Fields of the API form that v1beta2 objects cannot carry. */
function lossy(r: ImportedResource, warn: (r: ImportedResource, message: string) => void): void {
  if (r.tags && r.tags.length > 0)
    warn(
      r,
      `${subject(r)}tags (${r.tags.map((t) => t.key).join(', ')}) have no v1beta2 field and are left out; -o api and --server keep them`,
    );
  if (r.meshOwner !== undefined)
    warn(
      r,
      `${subject(r)}the mesh is shared from account ${r.meshOwner}; Amime serves one account's meshes, so the owner is left out`,
    );
  const apiOnly = apiOnlyPaths(r);
  if (apiOnly.length > 0)
    warn(
      r,
      `${subject(r)}${apiOnly.join(', ')} has no v1beta2 field; it is kept in the annotation ${API_ONLY_ANNOTATION}, which only Amime reads`,
    );
}

/** `VirtualNode x in mesh m: ` when the source names the resource otherwise (a logical ID, an address). */
function subject(r: ImportedResource): string {
  return r.origin.id.kind === r.kind && r.origin.id.name === r.name ? '' : `${describeImported(r)}: `;
}

function apiOnlyPaths(r: ImportedResource): string[] {
  const spec = r.spec as {
    serviceDiscovery?: Record<string, { ipPreference?: string } | undefined> & { ipPreference?: string };
  };
  const sd = spec.serviceDiscovery;
  if (!sd) return [];
  if (r.kind === 'Mesh')
    return sd.ipPreference !== undefined && /_PREFERRED$/.test(sd.ipPreference)
      ? ['spec.serviceDiscovery.ipPreference']
      : [];
  if (r.kind !== 'VirtualNode') return [];
  return Object.entries(sd)
    .filter(([, v]) => typeof v === 'object' && v?.ipPreference !== undefined)
    .map(([member]) => `spec.serviceDiscovery.${member}.ipPreference`);
}

function byKindAndName(a: ImportedResource, b: ImportedResource): number {
  return (
    APPLY_ORDER.indexOf(a.kind) - APPLY_ORDER.indexOf(b.kind) ||
    byCodePoint(a.parent ?? '', b.parent ?? '') ||
    byCodePoint(a.name, b.name)
  );
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The manifests as one multi-document YAML text. Strings that a YAML 1.1 reader
 * (kubectl's) or a YAML 1.2 one would take for something else (`yes`, `on`, `0o17`,
 * `2024-01-01`) are quoted.
 */
export function renderManifests(objects: ReadonlyArray<Record<string, unknown>>): string {
  return objects
    .map((o) => stringify(quoted(o), { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false }))
    .join('---\n');
}

/** A copy with the strings the 1.1 schema would leave bare but 1.2 reads as numbers marked for quoting. */
function quoted(value: unknown): unknown {
  if (typeof value === 'string') {
    if (!YAML_12_ONLY.test(value)) return value;
    const node = new Scalar(value);
    node.type = 'QUOTE_DOUBLE';
    return node;
  }
  if (Array.isArray(value)) return value.map(quoted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, quoted(v)]));
}

/** Numbers in YAML 1.2 that 1.1 reads as strings (the 1.1 schema quotes the rest). */
const YAML_12_ONLY = /^[-+]?(0o[0-7]+|0x[0-9a-fA-F]+|\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;
