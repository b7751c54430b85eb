/**
 * App Mesh's CRD webhooks (appmesh.md §2.4), every rule taken from src/mesh:
 *  - mutating, on CREATE: refuse user-set meshRef/virtualGatewayRef; set meshRef from
 *    the one Mesh that selects the namespace, a GatewayRoute's virtualGatewayRef from
 *    the one VirtualGateway that selects it, and the default awsName; a Mesh's
 *    ipPreference, when absent or empty, from the cluster's IP family (CREATE and UPDATE);
 *  - validating, on CREATE and UPDATE: immutable fields, then every error the mesh
 *    graph reports against the object when it is added to the cluster's objects —
 *    except references to objects that do not exist yet, which App Mesh accepts and
 *    waits for (the status condition says so).
 */
import {
  buildMeshGraph,
  checkUpdate,
  checkUserSetSystemFields,
  isReconcileTime,
  type GraphOptions,
  type MeshGraph,
} from '../../mesh/index.js';
import {
  checkObject,
  defaultAwsName,
  type AnyResource,
  type Diagnostic,
  type Kind,
  type ResourceId,
} from '../../model/index.js';
import { idKey, toGraphInput, type InputObjects } from '../graph-input.js';
import type { KubeObject } from '../objects.js';
import { errorsOf, placements, rootCausesOf, type Placement } from '../placement.js';
import type { AdmissionRequest, AdmissionVerdict } from './admission-review.js';
import { diffAtPaths } from './patch-ops.js';

export interface CrdAdmissionDeps {
  /** The cluster's App Mesh objects and Namespaces, as fresh as possible for `namespace`. */
  objects(namespace: string | undefined): Promise<InputObjects>;
  graphOptions?: GraphOptions;
  /** The cluster's IP family, for a Mesh's ipPreference; default IPv4. */
  ipFamily?: 'IPv4' | 'IPv6';
}

function describe(d: Diagnostic): string {
  return d.path ? `${d.path}: ${d.message}` : d.message;
}

function denyWith(diagnostics: ReadonlyArray<Diagnostic>): AdmissionVerdict {
  return { allowed: false, message: diagnostics.map(describe).join('; ') };
}

function withIdentity(req: AdmissionRequest, kind: Kind): KubeObject {
  const obj = structuredClone(req.object) as KubeObject;
  obj.kind = kind;
  obj.apiVersion ??= 'appmesh.k8s.aws/v1beta2';
  obj.metadata ??= { name: '' };
  obj.metadata.name ||= req.name ?? '';
  if (kind !== 'Mesh' && req.namespace) obj.metadata.namespace = req.namespace;
  return obj;
}

interface Evaluated {
  graph: MeshGraph;
  placement?: Placement;
  id: ResourceId;
  schema: Diagnostic[];
}

/** The graph of the cluster with `obj` in place of its stored version, and where `obj` landed. */
async function evaluate(deps: CrdAdmissionDeps, obj: KubeObject): Promise<Evaluated> {
  const base = await deps.objects(obj.metadata.namespace);
  const key = idKey(String(obj.kind), obj.metadata.namespace, obj.metadata.name);
  // The incoming object goes last so that conflicts (duplicate names, quotas) are blamed on it.
  const appMesh = [
    ...base.appMesh.filter((o) => idKey(String(o.kind), o.metadata.namespace, o.metadata.name) !== key),
    obj,
  ];
  const converted = toGraphInput({ appMesh, namespaces: base.namespaces });
  const graph = buildMeshGraph(converted.input, deps.graphOptions);
  const id: ResourceId = {
    kind: String(obj.kind),
    name: obj.metadata.name,
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
  };
  const placement = placements(graph).get(key);
  return {
    graph,
    id,
    schema: [...(converted.schemaProblems.get(key) ?? [])],
    ...(placement ? { placement } : {}),
  };
}

/**
 * App Mesh's controller forced ipPreference to the cluster's family, overwriting what the
 * user set (an IPv6_ONLY mesh became IPv4_ONLY wherever the family was not read). Amime
 * fills only an absent or empty value (issue 16 item 3, walkthrough howto-ipv6).
 */
function meshIpPreference(obj: KubeObject, family: 'IPv4' | 'IPv6'): void {
  const spec = ((obj as { spec?: Record<string, unknown> }).spec ??= {});
  const sd = spec.meshServiceDiscovery as { ipPreference?: string } | undefined;
  const fill = family === 'IPv6' ? 'IPv6_ONLY' : 'IPv4_ONLY';
  if (sd) {
    if (!sd.ipPreference) sd.ipPreference = fill;
  } else if (family === 'IPv6') spec.meshServiceDiscovery = { ipPreference: fill };
}

const MUTATED_PATHS = [
  ['spec'],
  ['spec', 'awsName'],
  ['spec', 'meshRef'],
  ['spec', 'virtualGatewayRef'],
  ['spec', 'meshServiceDiscovery'],
];

export async function mutateCrd(
  kind: Kind,
  req: AdmissionRequest,
  deps: CrdAdmissionDeps,
): Promise<AdmissionVerdict> {
  if (req.operation !== 'CREATE' && !(req.operation === 'UPDATE' && kind === 'Mesh'))
    return { allowed: true };
  const before = withIdentity(req, kind);
  const after = structuredClone(before) as KubeObject & { spec?: Record<string, unknown> };
  if (kind === 'Mesh') {
    meshIpPreference(after, deps.ipFamily ?? 'IPv4');
    if (req.operation === 'UPDATE')
      return { allowed: true, patch: diffAtPaths(req.object, after, MUTATED_PATHS.slice(1)) };
  }
  const checked = checkObject(before);
  if (!checked.resource) return denyWith(checked.diagnostics.filter((d) => d.severity === 'error'));
  const system = checkUserSetSystemFields(checked.resource);
  if (system.length > 0) return denyWith(system);
  const spec = (after.spec ??= {});
  if (spec.awsName === undefined || spec.awsName === '')
    spec.awsName = defaultAwsName(kind, before.metadata.name, before.metadata.namespace);

  if (kind !== 'Mesh') {
    const { graph, placement, id } = await evaluate(deps, before);
    if (!placement?.mesh) {
      const why = [
        ...rootCausesOf(graph, id),
        ...errorsOf(graph, id).filter((d) => d.code.startsWith('mesh.')),
      ];
      return why.length > 0
        ? denyWith(why.slice(0, 1))
        : {
            allowed: false,
            message: placement?.inactive?.message ?? `no Mesh selects namespace ${id.namespace ?? ''}`,
          };
    }
    const meshView = graph.meshes.get(placement.mesh);
    const mesh = meshView?.mesh.resource;
    spec.meshRef = { name: mesh?.metadata.name ?? placement.mesh, uid: mesh?.metadata.uid ?? '' };
    if (kind === 'GatewayRoute') {
      const gw = placement.gateway ? meshView?.virtualGateways.get(placement.gateway)?.resource : undefined;
      if (gw)
        spec.virtualGatewayRef = {
          name: gw.metadata.name,
          namespace: gw.metadata.namespace ?? '',
          uid: gw.metadata.uid ?? '',
        };
      else {
        const gatewayErrors = errorsOf(graph, id).filter(
          (d) => d.code.startsWith('gr.') && d.code.includes('gateway'),
        );
        if (gatewayErrors.length > 0) return denyWith(gatewayErrors);
      }
    }
  }
  return {
    allowed: true,
    patch: diffAtPaths(
      req.object ?? {},
      after,
      MUTATED_PATHS.slice((req.object as { spec?: unknown })?.spec === undefined ? 0 : 1),
    ),
  };
}

export async function validateCrd(
  kind: Kind,
  req: AdmissionRequest,
  deps: CrdAdmissionDeps,
): Promise<AdmissionVerdict> {
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return { allowed: true };
  const obj = withIdentity(req, kind);
  if (req.operation === 'UPDATE' && req.oldObject) {
    const oldChecked = checkObject({
      ...(req.oldObject as object),
      kind,
      apiVersion: 'appmesh.k8s.aws/v1beta2',
    });
    const newChecked = checkObject(obj);
    if (oldChecked.resource && newChecked.resource) {
      const immutable = checkUpdate(oldChecked.resource as AnyResource, newChecked.resource as AnyResource);
      if (immutable.length > 0) return denyWith(immutable);
    }
  }
  const { graph, placement, id, schema } = await evaluate(deps, obj);
  const own = errorsOf(graph, id).filter((d) => !isReconcileTime(d));
  // A schema error does not hide the object's other problems (issue 16 item 6).
  if (schema.length > 0) return denyWith([...schema, ...own]);
  const roots = placement?.mesh ? [] : rootCausesOf(graph, id);
  const all = [...roots, ...own];
  return all.length > 0 ? denyWith(all) : { allowed: true };
}
