/**
 * Kubernetes objects → the mesh graph's input. App Mesh objects go through the model's
 * `checkObject`; those that fail it are passed as `invalid` (so references to them
 * wait instead of saying "does not exist"), with what remains of them to be checked for
 * their other problems, and keep their diagnostics for status.
 */
import type { GraphInput, InputNamespace, InputPod, InputResource } from '../mesh/index.js';
import { checkObject, type Diagnostic, type Kind } from '../model/index.js';
import type { KubeObject, Namespace, Pod } from './objects.js';

/** `Kind/namespace/name`: how src/k8s keys App Mesh objects. */
export function idKey(kind: Kind | string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

export interface ConvertedInput {
  input: GraphInput;
  /** Schema problems of objects that could not enter the graph, by idKey. */
  schemaProblems: ReadonlyMap<string, ReadonlyArray<Diagnostic>>;
}

export interface InputObjects {
  appMesh: ReadonlyArray<KubeObject>;
  namespaces: ReadonlyArray<Namespace>;
  pods?: ReadonlyArray<Pod>;
}

export function toGraphInput(objects: InputObjects): ConvertedInput {
  const resources: InputResource[] = [];
  const invalid: NonNullable<GraphInput['invalid']>[number][] = [];
  const schemaProblems = new Map<string, Diagnostic[]>();
  for (const obj of objects.appMesh) {
    const checked = checkObject(obj);
    if (checked.resource) {
      resources.push({ resource: checked.resource });
      continue;
    }
    const kind = String(obj.kind);
    const id = {
      kind,
      name: obj.metadata.name,
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    };
    invalid.push({ id });
    // What remains of it is checked for its other problems too (issue 16 item 6), never served.
    if (checked.partial)
      resources.push({
        resource: checked.partial.resource,
        schemaErrors: { removed: checked.partial.removed },
      });
    schemaProblems.set(
      idKey(kind, obj.metadata.namespace, obj.metadata.name),
      checked.diagnostics.filter((d) => d.severity === 'error'),
    );
  }
  const namespaces: InputNamespace[] = objects.namespaces.map((ns) => ({
    name: ns.metadata.name,
    labels: ns.metadata.labels ?? {},
  }));
  const pods: InputPod[] = (objects.pods ?? []).map((p) => ({
    namespace: p.metadata.namespace ?? 'default',
    name: p.metadata.name,
    labels: p.metadata.labels ?? {},
    ...(p.metadata.annotations ? { annotations: p.metadata.annotations } : {}),
  }));
  return {
    input: {
      resources,
      namespaces,
      ...(pods.length > 0 ? { pods } : {}),
      ...(invalid.length > 0 ? { invalid } : {}),
    },
    schemaProblems,
  };
}
