import {
  formatPath,
  type Diagnostic,
  type SourcePosition,
  API_GROUP,
  API_VERSION,
  isKind,
  isNamespaced,
  KINDS,
} from '../model/index.js';
import { isMapping } from './expand-lists.js';
import { missingName, resourceIdOf, stringAt, stringMapAt } from './metadata.js';
import {
  DEFAULT_LOAD_OPTIONS,
  type FieldPath,
  type LoadedObject,
  type LoadResult,
  type NamespaceInfo,
} from './types.js';
import { podOf, podOriginOf } from './workloads.js';

/** Sorts objects into mesh resources, namespaces and pods; everything else is counted. */
export function classify(
  objects: ReadonlyArray<LoadedObject>,
  namespace: string = DEFAULT_LOAD_OPTIONS.defaultNamespace,
): LoadResult {
  const result: LoadResult = { meshObjects: [], namespaces: [], pods: [], diagnostics: [], ignored: 0 };
  for (const loaded of objects) classifyOne(loaded, result, namespace);
  return result;
}

function classifyOne(loaded: LoadedObject, result: LoadResult, namespace: string): void {
  const obj = loaded.object;
  if (!isMapping(obj)) return;
  const diagnostics = result.diagnostics;
  const report = (code: string, path: FieldPath, message: string): void => {
    const d: Diagnostic = {
      severity: 'error',
      code,
      path: formatPath(path),
      message,
      source: loaded.source.positionOf(path),
    };
    const id = resourceIdOf(obj, stringAt(obj, ['metadata', 'namespace']));
    if (id) d.resource = id;
    diagnostics.push(d);
  };

  if (obj.apiVersion === undefined && obj.kind === undefined && isIamPolicy(obj)) {
    // The seed ships its proxies' IAM policy next to the manifests; it is not ours to read.
    result.ignored++;
    return;
  }
  const apiVersion = typeof obj.apiVersion === 'string' && obj.apiVersion !== '' ? obj.apiVersion : undefined;
  const kind = typeof obj.kind === 'string' && obj.kind !== '' ? obj.kind : undefined;
  if (!apiVersion) {
    if (obj.apiVersion === undefined) report('load.missing-api-version', [], 'apiVersion is missing');
    else report('load.missing-api-version', ['apiVersion'], 'must be a non-empty string');
  }
  if (!kind) {
    if (obj.kind === undefined) report('load.missing-kind', [], 'kind is missing');
    else report('load.missing-kind', ['kind'], 'must be a non-empty string');
  }
  if (!apiVersion || !kind) return;

  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  if (group === API_GROUP) {
    if (apiVersion !== API_VERSION) {
      report(
        'load.unsupported-version',
        ['apiVersion'],
        `${apiVersion} is not supported; use ${API_VERSION}`,
      );
    } else if (!isKind(kind)) {
      const hint = KINDS.find((k) => k.toLowerCase() === kind.toLowerCase());
      const known = hint ? `did you mean ${hint}?` : `expected one of ${KINDS.join(', ')}`;
      report(
        'load.unknown-kind',
        ['kind'],
        `${JSON.stringify(kind)} is not a kind of ${API_VERSION}; ${known}`,
      );
    } else {
      if (isNamespaced(kind)) defaultNamespace(obj, namespace);
      result.meshObjects.push(loaded);
    }
    return;
  }
  if (group === '' && kind === 'Namespace') {
    const ns = namespaceOf(loaded, diagnostics);
    if (ns) result.namespaces.push(ns);
    else report('load.missing-name', ['metadata', 'name'], missingName('Namespace', obj));
    return;
  }
  const origin = podOriginOf(group, kind);
  if (!origin) {
    result.ignored++;
    return;
  }
  const pod = podOf(loaded, origin, diagnostics, namespace);
  if (pod) result.pods.push(pod);
}

function namespaceOf(loaded: LoadedObject, diagnostics: Diagnostic[]): NamespaceInfo | undefined {
  const name = stringAt(loaded.object, ['metadata', 'name']);
  if (!name) return undefined;
  const labelsPath = ['metadata', 'labels'];
  let source: SourcePosition | undefined;
  return {
    name,
    labels: stringMapAt(loaded, labelsPath, { kind: 'Namespace', name }, diagnostics),
    // A getter: positions of fast-path documents are parsed only when someone reads one.
    get source(): SourcePosition {
      source ??= loaded.source.positionOf(labelsPath) ?? loaded.source.documentPosition();
      return source;
    },
    locate: (path) => loaded.source.positionOf(path),
    loaded,
  };
}

/** `kubectl apply` puts objects without a namespace into the context's namespace, `default` here. */
function defaultNamespace(obj: Record<string, unknown>, namespace: string): void {
  const metadata = obj.metadata;
  if (
    isMapping(metadata) &&
    (metadata.namespace === undefined || metadata.namespace === null || metadata.namespace === '')
  ) {
    metadata.namespace = namespace;
  }
}

function isIamPolicy(obj: Record<string, unknown>): boolean {
  return typeof obj.Version === 'string' && (Array.isArray(obj.Statement) || isMapping(obj.Statement));
}
