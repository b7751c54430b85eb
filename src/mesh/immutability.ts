/**
 * Create- and update-time rules of App Mesh's webhooks (appmesh.md §1.0, §2.4) that
 * compare objects rather than look at one: fields users may not set on create, and
 * fields that may not change afterwards. The Kubernetes webhooks and the REST API
 * call these; `amime validate` does not (files have no history).
 */
import type { AnyResource, Diagnostic, Path, PathLocator } from '../model/index.js';
import { awsNameOf, formatPath } from '../model/index.js';
import { safeLocate } from './context.js';

export interface CompareOptions {
  /** Locates fields of the new object in its source, when it has one. */
  locate?: PathLocator;
}

/** Immutable per kind, besides spec.awsName (every kind but BackendGroup). */
const IMMUTABLE_REFS: Readonly<Record<string, readonly string[]>> = {
  Mesh: [],
  VirtualNode: ['meshRef'],
  VirtualService: ['meshRef'],
  VirtualRouter: ['meshRef'],
  VirtualGateway: ['meshRef'],
  GatewayRoute: ['meshRef', 'virtualGatewayRef'],
  BackendGroup: ['meshRef'],
};

export function checkUpdate(
  oldResource: AnyResource,
  newResource: AnyResource,
  options: CompareOptions = {},
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const id = {
    kind: newResource.kind,
    name: newResource.metadata.name,
    ...(newResource.metadata.namespace ? { namespace: newResource.metadata.namespace } : {}),
  };
  const push = (path: Path, code: string, message: string): void => {
    const source = safeLocate(options.locate, path);
    out.push({
      severity: 'error',
      code,
      path: formatPath(path),
      message,
      resource: id,
      ...(source ? { source } : {}),
    });
  };
  if (
    oldResource.kind !== newResource.kind ||
    oldResource.metadata.name !== newResource.metadata.name ||
    (oldResource.metadata.namespace ?? '') !== (newResource.metadata.namespace ?? '')
  ) {
    push(
      ['metadata', 'name'],
      'update.identity',
      `an update must keep kind, name and namespace (was ${oldResource.kind} ${oldResource.metadata.namespace ? `${oldResource.metadata.namespace}/` : ''}${oldResource.metadata.name})`,
    );
    return out;
  }
  const oldSpec = (oldResource.spec ?? {}) as Record<string, unknown>;
  const newSpec = (newResource.spec ?? {}) as Record<string, unknown>;
  const changed: Array<[Path, string]> = [];
  if (newResource.kind !== 'BackendGroup') {
    // App Mesh compares the raw field (removing it is a change). An object stored before
    // the default was applied is compared by its effective name instead.
    const same =
      oldSpec.awsName !== undefined
        ? deepEqual(oldSpec.awsName, newSpec.awsName)
        : awsNameOf(oldResource) === awsNameOf(newResource);
    if (!same)
      changed.push([
        ['spec', 'awsName'],
        `${describe(oldSpec.awsName ?? awsNameOf(oldResource))} → ${describe(newSpec.awsName)}`,
      ]);
  }
  for (const field of IMMUTABLE_REFS[newResource.kind] ?? []) {
    if (oldSpec[field] !== undefined && !deepEqual(oldSpec[field], newSpec[field]))
      changed.push([['spec', field], `${describe(oldSpec[field])} → ${describe(newSpec[field])}`]);
  }
  if (newResource.kind === 'VirtualNode') {
    const oldMap = (oldSpec.serviceDiscovery as { awsCloudMap?: unknown } | undefined)?.awsCloudMap;
    const newMap = (newSpec.serviceDiscovery as { awsCloudMap?: unknown } | undefined)?.awsCloudMap;
    if (oldMap !== undefined && !deepEqual(oldMap, newMap))
      changed.push([['spec', 'serviceDiscovery', 'awsCloudMap'], 'it may not change once set']);
  }
  const list = changed.map(([p]) => formatPath(p)).join(',');
  for (const [path, detail] of changed) {
    push(
      path,
      'update.immutable',
      `${newResource.kind} update may not change these fields: ${list} (${formatPath(path)}: ${detail})`,
    );
  }
  return out;
}

/** On create, `spec.meshRef` (and a GatewayRoute's `spec.virtualGatewayRef`) are the system's to set. */
export function checkUserSetSystemFields(resource: AnyResource, options: CompareOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const spec = (resource.spec ?? {}) as Record<string, unknown>;
  const id = {
    kind: resource.kind,
    name: resource.metadata.name,
    ...(resource.metadata.namespace ? { namespace: resource.metadata.namespace } : {}),
  };
  const fields =
    resource.kind === 'Mesh'
      ? []
      : resource.kind === 'GatewayRoute'
        ? ['meshRef', 'virtualGatewayRef']
        : ['meshRef'];
  for (const field of fields) {
    if (spec[field] === undefined || spec[field] === null) continue;
    const path: Path = ['spec', field];
    const source = safeLocate(options.locate, path);
    const how =
      field === 'meshRef'
        ? "it is set from the Mesh whose namespaceSelector selects the resource's namespace"
        : 'it is set from the VirtualGateway whose selectors select the route';
    out.push({
      severity: 'error',
      code: 'create.system-field',
      path: formatPath(path),
      message: `${field} may not be set by users on create: ${how}; remove it`,
      resource: id,
      ...(source ? { source } : {}),
    });
  }
  return out;
}

function describe(v: unknown): string {
  if (v === undefined) return '(unset)';
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}
