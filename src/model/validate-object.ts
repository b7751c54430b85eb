/** Turns one raw decoded object into a typed resource, or diagnostics saying why it cannot be one. */
import type { Diagnostic, ResourceId } from './diagnostic.js';
import { formatPath } from './diagnostic.js';
import { API_VERSION, isKind, isNamespaced } from './kinds.js';
import type { AnyResource } from './resources.js';
import { KIND_INFO } from './resources.js';
import { checkAgainstSchema, type PathLocator } from './validate-schema.js';

export interface PartialResource {
  resource: AnyResource;
  /** `spec.listeners`, `metadata.labels`, `status`: what was removed. */
  removed: string[];
}

export interface ObjectCheckResult {
  /** Present when the object is structurally sound enough for the mesh graph (no schema errors). */
  resource?: AnyResource;
  /**
   * When there are schema errors but the object's kind and name are known: the object
   * without the top-level fields of spec (and labels, annotations, status) that have
   * errors, and the paths removed, so the mesh graph can still report its other,
   * independent problems (issue 16 item 6).
   */
  partial?: PartialResource;
  diagnostics: Diagnostic[];
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface ObjectCheckOptions {
  locate?: PathLocator;
  /** Namespace to assume when a namespaced object has none (kubectl's current namespace). */
  defaultNamespace?: string;
  /**
   * Apply Kubernetes' DNS-1123 rule to metadata.name (default true). Resources created
   * through the App Mesh API carry App Mesh names (`vnode-1_mesh-test`), which allow
   * `_` and capitals; their readers pass false and names are then checked as App Mesh
   * does (1..255 characters).
   */
  kubernetesNames?: boolean;
}

export function checkObject(raw: unknown, options: ObjectCheckOptions = {}): ObjectCheckResult {
  const diagnostics: Diagnostic[] = [];
  const at = (path: Array<string | number>, code: string, message: string, resource?: ResourceId): void => {
    const source = options.locate?.(path);
    diagnostics.push({
      severity: 'error',
      code,
      path: formatPath(path),
      message,
      ...(resource ? { resource } : {}),
      ...(source ? { source } : {}),
    });
  };

  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    at(
      [],
      'object.not-a-mapping',
      'expected a Kubernetes object (a mapping with apiVersion, kind, metadata, spec)',
    );
    return { diagnostics };
  }
  const obj = raw as Record<string, unknown>;
  if (obj.apiVersion !== API_VERSION) {
    at(
      ['apiVersion'],
      'object.api-version',
      `expected apiVersion "${API_VERSION}", got ${describeValue(obj.apiVersion)}`,
    );
    return { diagnostics };
  }
  if (!isKind(obj.kind)) {
    at(['kind'], 'object.kind', `unknown kind ${describeValue(obj.kind)} in ${API_VERSION}`);
    return { diagnostics };
  }
  const kind = obj.kind;
  const meta = obj.metadata;
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
    at(['metadata'], 'object.metadata', 'metadata with a name is required');
    return { diagnostics };
  }
  const m = meta as Record<string, unknown>;
  const name = m.name;
  if (typeof name !== 'string' || name === '') {
    at(['metadata', 'name'], 'object.name', 'metadata.name is required');
    return { diagnostics };
  }
  let namespace = typeof m.namespace === 'string' && m.namespace !== '' ? m.namespace : undefined;
  if (!isNamespaced(kind)) namespace = undefined;
  else namespace ??= options.defaultNamespace;
  const id: ResourceId = { kind, name, ...(namespace ? { namespace } : {}) };

  if (options.kubernetesNames === false) {
    if (name.length > 255)
      at(
        ['metadata', 'name'],
        'object.name',
        `"${name.slice(0, 40)}…" is longer than App Mesh's 255 characters`,
        id,
      );
  } else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    at(
      ['metadata', 'name'],
      'object.name',
      `"${name}" is not a valid name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters`,
      id,
    );
  }
  if (
    m.namespace !== undefined &&
    (typeof m.namespace !== 'string' || !DNS1123_LABEL.test(m.namespace) || m.namespace.length > 63)
  ) {
    at(
      ['metadata', 'namespace'],
      'object.namespace',
      `${describeValue(m.namespace)} is not a valid namespace name`,
      id,
    );
  }
  for (const field of ['labels', 'annotations'] as const) {
    const v = m[field];
    if (v === undefined) continue;
    if (
      v === null ||
      typeof v !== 'object' ||
      Array.isArray(v) ||
      Object.values(v).some((x) => typeof x !== 'string')
    ) {
      at(['metadata', field], 'object.metadata', `metadata.${field} must map strings to strings`, id);
    }
  }

  const spec = obj.spec ?? {};
  const info = KIND_INFO[kind];
  diagnostics.push(
    ...checkAgainstSchema(info.spec, spec, {
      resource: id,
      at: ['spec'],
      ...(options.locate ? { locate: options.locate } : {}),
    }),
  );
  if (obj.status !== undefined) {
    diagnostics.push(
      ...checkAgainstSchema(info.status, obj.status, {
        resource: id,
        at: ['status'],
        ...(options.locate ? { locate: options.locate } : {}),
      }),
    );
  }
  const metadata = { ...(m as object), name, ...(namespace ? { namespace } : {}) } as AnyResource['metadata'];
  const resource = { ...obj, apiVersion: API_VERSION, kind, metadata, spec } as AnyResource;
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) return { partial: withoutFieldsInError(resource, errors), diagnostics };
  return { resource, diagnostics };
}

/** The resource without each top-level field of spec (or the whole spec), metadata or the status that has an error. */
function withoutFieldsInError(resource: AnyResource, errors: readonly Diagnostic[]): PartialResource {
  const isMap = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  let spec: Record<string, unknown> = isMap(resource.spec) ? { ...resource.spec } : {};
  const metadata: Record<string, unknown> = { ...resource.metadata };
  let status: unknown = resource.status;
  const removed = new Set<string>();
  for (const d of errors) {
    const [top, field] = d.path.split(/[.[]/, 2);
    if (top === 'status') {
      status = undefined;
      removed.add('status');
    } else if (top === 'spec' && field) {
      delete spec[field];
      removed.add(`spec.${field}`);
    } else if (top === 'spec') {
      // An error about spec as a whole (its type, which route kind it holds): nothing of it is usable.
      spec = {};
      removed.add('spec');
    } else if (top === 'metadata' && (field === 'labels' || field === 'annotations')) {
      delete metadata[field];
      removed.add(`metadata.${field}`);
    }
  }
  const { status: _status, ...rest } = resource;
  const partial = { ...rest, metadata, spec, ...(status !== undefined ? { status } : {}) };
  return { resource: partial as unknown as AnyResource, removed: [...removed] };
}

/**
 * A value for a message, never throwing: input may be cyclic (YAML aliases), hold
 * BigInts or be huge, so only scalars are shown; strings quoted and cut short.
 */
function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}
