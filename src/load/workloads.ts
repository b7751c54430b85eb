import { formatPath, type Diagnostic, type ResourceId, type SourcePosition } from '../model/index.js';
import { isMapping } from './expand-lists.js';
import { missingName, resourceIdOf, stringAt, stringMapAt, valueAt } from './metadata.js';
import type { FieldPath, LoadedObject, PodInfo, PodOrigin } from './types.js';

interface WorkloadKind {
  /** API groups that serve it ('' is the core group, `apiVersion: v1`). */
  groups: ReadonlyArray<string>;
  /** Where the pod (metadata + spec) sits; [] for a Pod itself. */
  template: FieldPath;
}

const WORKLOADS: Readonly<Record<PodOrigin, WorkloadKind>> = {
  Pod: { groups: [''], template: [] },
  ReplicationController: { groups: [''], template: ['spec', 'template'] },
  Deployment: { groups: ['apps', 'extensions'], template: ['spec', 'template'] },
  StatefulSet: { groups: ['apps'], template: ['spec', 'template'] },
  DaemonSet: { groups: ['apps', 'extensions'], template: ['spec', 'template'] },
  ReplicaSet: { groups: ['apps', 'extensions'], template: ['spec', 'template'] },
  Job: { groups: ['batch'], template: ['spec', 'template'] },
  CronJob: { groups: ['batch'], template: ['spec', 'jobTemplate', 'spec', 'template'] },
};

/** The workload kind an object is, by kind and API group; undefined for anything else. */
export function podOriginOf(group: string, kind: string): PodOrigin | undefined {
  const w = (WORKLOADS as Record<string, WorkloadKind | undefined>)[kind];
  return w && w.groups.includes(group) ? (kind as PodOrigin) : undefined;
}

/** The pod a Pod is, or the pod a workload's template stamps out. */
export function podOf(
  loaded: LoadedObject,
  origin: PodOrigin,
  diagnostics: Diagnostic[],
  defaultNamespace: string,
): PodInfo | undefined {
  const obj = loaded.object;
  const namespace = stringAt(obj, ['metadata', 'namespace']) ?? defaultNamespace;
  const id = resourceIdOf(obj, namespace);
  const name = stringAt(obj, ['metadata', 'name']) ?? stringAt(obj, ['metadata', 'generateName']);
  const problem = (code: string, path: FieldPath, message: string): undefined => {
    const d: Diagnostic = {
      severity: 'error',
      code,
      path: formatPath(path),
      message,
      source: loaded.source.positionOf(path),
    };
    if (id) d.resource = id;
    diagnostics.push(d);
    return undefined;
  };
  if (!name) return problem('load.missing-name', ['metadata', 'name'], missingName(origin, obj));
  const at = WORKLOADS[origin].template;
  if (at.length > 0 && !isMapping(valueAt(obj, at))) {
    return problem('load.missing-pod-template', at, `${origin} has no pod template at ${at.join('.')}`);
  }
  const resource: ResourceId = id ?? { kind: origin, namespace, name };
  const podSpec = valueAt(obj, [...at, 'spec']);
  const locate = (path: FieldPath) => loaded.source.positionOf([...at, ...path]);
  let source: SourcePosition | undefined;
  return {
    namespace,
    name,
    labels: stringMapAt(loaded, [...at, 'metadata', 'labels'], resource, diagnostics),
    annotations: stringMapAt(loaded, [...at, 'metadata', 'annotations'], resource, diagnostics),
    // A getter: positions of fast-path documents are parsed only when someone reads one.
    get source(): SourcePosition {
      source ??= loaded.source.positionOf([...at, 'metadata', 'labels']) ?? loaded.source.documentPosition();
      return source;
    },
    origin,
    podSpec: isMapping(podSpec) ? podSpec : {},
    locate,
    loaded,
  };
}
