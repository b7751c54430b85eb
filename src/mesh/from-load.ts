/**
 * Glue from the loader (`src/load`) to the graph: each App Mesh object goes through
 * the schema check with its source map, Namespaces and pods come along for
 * membership and podSelector checks, and every diagnostic — loader, schema, graph —
 * comes back in one list sorted by file and line.
 */
import type { Diagnostic, ResourceId } from '../model/index.js';
import { checkObject, formatPath, isKind, isNamespaced } from '../model/index.js';
import type { LoadResult, PodOrigin } from '../load/index.js';
import { buildMeshGraph } from './build.js';
import type { GraphInput, GraphOptions, InputInvalid, InputPod, InputResource, MeshGraph } from './graph.js';
import { sortDiagnostics } from './sort.js';

export interface ValidateOptions extends GraphOptions {
  /** Namespace for namespaced objects that name none (kubectl's current namespace); default `default`. */
  defaultNamespace?: string;
}

export interface MeshValidation {
  graph: MeshGraph;
  /** Loader, schema and graph diagnostics, sorted by file, line and column. */
  diagnostics: Diagnostic[];
}

const TEMPLATE_PATH: Readonly<Record<PodOrigin, ReadonlyArray<string>>> = {
  Pod: [],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
};

export function graphInputFromLoad(
  load: LoadResult,
  defaultNamespace = 'default',
): { input: GraphInput; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const resources: InputResource[] = [];
  const invalid: InputInvalid[] = [];
  for (const loaded of load.meshObjects) {
    const locate = (path: ReadonlyArray<string | number>) => loaded.source.positionOf(path);
    const problem = cyclePath(loaded.object);
    if (problem) {
      // YAML lets an anchor be used inside itself; the decoded object is then cyclic.
      diagnostics.push({
        severity: 'error',
        code: 'load.cyclic-alias',
        path: formatPath(problem),
        message:
          'this value contains itself through a YAML alias (an anchor used inside its own value); a Kubernetes object cannot be cyclic',
        source: locate(problem) ?? loaded.source.documentPosition(),
      });
      continue;
    }
    let checked: ReturnType<typeof checkObject>;
    try {
      checked = checkObject(loaded.object, { locate, defaultNamespace });
    } catch (error) {
      diagnostics.push({
        severity: 'error',
        code: 'internal.error',
        path: '',
        message: `internal error while checking this object (please report it): ${error instanceof Error ? error.message : String(error)}`,
        source: loaded.source.documentPosition(),
      });
      continue;
    }
    for (const d of checked.diagnostics) diagnostics.push(d);
    if (checked.resource) resources.push({ resource: checked.resource, locate });
    else {
      const id = idOf(loaded.object, defaultNamespace);
      if (id) invalid.push({ id, locate });
      // Its other problems still get reported (issue 16 item 6).
      const partial = checked.partial;
      if (id && partial)
        resources.push({ resource: partial.resource, locate, schemaErrors: { removed: partial.removed } });
    }
  }
  const namespaces = load.namespaces.map((n) => ({ name: n.name, labels: n.labels, locate: n.locate }));
  const pods: InputPod[] = load.pods.map((p) => ({
    namespace: p.namespace,
    name: p.name,
    labels: p.labels,
    annotations: p.annotations,
    locate: p.locate,
    kind: p.origin,
    templatePath: TEMPLATE_PATH[p.origin] ?? [],
  }));
  return { input: { resources, namespaces, pods, invalid }, diagnostics };
}

export function validateLoaded(load: LoadResult, options: ValidateOptions = {}): MeshValidation {
  const { defaultNamespace, ...graphOptions } = options;
  const { input, diagnostics } = graphInputFromLoad(load, defaultNamespace ?? 'default');
  const graph = buildMeshGraph(input, { refsFromFiles: true, ...graphOptions });
  return { graph, diagnostics: sortDiagnostics([...load.diagnostics, ...diagnostics, ...graph.diagnostics]) };
}

/** Enough identity to let references to a schema-invalid object wait instead of failing. */
function idOf(raw: unknown, defaultNamespace: string): ResourceId | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const obj = raw as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  if (!isKind(obj.kind) || !obj.metadata || typeof obj.metadata.name !== 'string' || obj.metadata.name === '')
    return undefined;
  if (!isNamespaced(obj.kind)) return { kind: obj.kind, name: obj.metadata.name };
  const ns =
    typeof obj.metadata.namespace === 'string' && obj.metadata.namespace !== ''
      ? obj.metadata.namespace
      : defaultNamespace;
  return { kind: obj.kind, namespace: ns, name: obj.metadata.name };
}

/** Path to the first value that contains one of its own ancestors, or undefined for a tree. */
function cyclePath(root: unknown): Array<string | number> | undefined {
  const stack = new Set<object>();
  const walk = (v: unknown, path: Array<string | number>): Array<string | number> | undefined => {
    if (v === null || typeof v !== 'object') return undefined;
    if (stack.has(v)) return path;
    stack.add(v);
    const entries: Array<[string | number, unknown]> = Array.isArray(v)
      ? v.map((x, i) => [i, x])
      : Object.entries(v);
    for (const [k, x] of entries) {
      const found = walk(x, [...path, k]);
      if (found) return found;
    }
    stack.delete(v);
    return undefined;
  };
  return walk(root, []);
}
