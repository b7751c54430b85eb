/**
 * The mutable working state of one `buildMeshGraph` run: an entry per input
 * resource, lookup indexes and the diagnostics sink. Rule files read and annotate
 * entries; build.ts turns them into the immutable graph at the end.
 */
import {
  type AnyResource,
  type Diagnostic,
  type Kind,
  type Path,
  type PathLocator,
  type RelatedInfo,
  type ResourceId,
  type Severity,
  formatPath,
  type ClientPolicy,
} from '../model/index.js';
import type { Inactive, InputNamespace, Quotas } from './graph.js';

export interface ResourceEntry {
  /** Position in the input, the tie-breaker for every ordering. */
  index: number;
  resource: AnyResource;
  kind: Kind;
  id: ResourceId;
  /** Internal identity (`keyOf`): unique per input, used for duplicates and lookups. */
  key: string;
  /** Set for namespace-less resources that name their mesh: the scope their name is unique in. */
  scope?: NameScope;
  awsName: string;
  locate?: PathLocator;
  /** The Mesh entry this resource belongs to (a Mesh entry points at itself). */
  mesh?: ResourceEntry;
  /** Why it has no mesh, when membership failed. */
  noMesh?: Inactive;
  /** Set by the first error reported against the resource: App Mesh would refuse it. */
  invalid?: Inactive;
  /** Refused for a reason that is not its own error (e.g. past a quota). */
  blocked?: Inactive;
  /** Resources it waits for before it can become Active (App Mesh reconcile order §2.1). */
  waitsFor: Dependency[];
  /** Final verdict, computed by activity.ts. */
  inactive?: Inactive;
  /**
   * Checked only (InputResource.schemaErrors): not in `entries`, never placed or counted;
   * the fields removed for their schema errors, where nothing more is reported.
   */
  probe?: { removed: readonly string[] };
  /** Its own or a dependency's fault, leaving mesh problems aside (activity.ts). */
  cause?: Inactive;
}

/** Something a resource waits for: another entry, or a resource that exists but failed schema validation. */
export type Dependency = { entry: ResourceEntry } | { invalidInput: ResourceId };

export interface BackendLink {
  serviceName: string;
  entry?: ResourceEntry;
  clientPolicy?: ClientPolicy;
  origin: string;
}

export interface TargetLink {
  entry: ResourceEntry;
  weight: number;
  port?: number;
}

export interface InvalidInput {
  id: ResourceId;
  locate?: PathLocator;
}

/**
 * Where a namespace-less (App Mesh API form) resource's name is unique: its mesh, and
 * for gateway routes also their gateway (App Mesh scopes names there, not globally).
 */
export interface NameScope {
  /** `spec.meshRef.name`. */
  mesh: string;
  /** GatewayRoutes: `spec.virtualGatewayRef` (namespace only when the gateway is namespaced). */
  gateway?: { namespace?: string; name: string };
}

/**
 * Internal identity. Namespaced resources: (kind, namespace, name), as in Kubernetes.
 * Namespace-less ones with a scope: (kind, mesh[, gateway], name), in a different shape
 * (a JSON array; kinds never start with `[`) so the two can never collide.
 */
export function keyOf(kind: string, namespace: string | undefined, name: string, scope?: NameScope): string {
  if ((namespace === undefined || namespace === '') && scope) {
    return JSON.stringify([
      kind,
      scope.mesh,
      scope.gateway?.namespace ?? null,
      scope.gateway?.name ?? null,
      name,
    ]);
  }
  return `${kind}\u0000${namespace ?? ''}\u0000${name}`;
}

/** The scope a reference from `referrer` to an unnamespaced target looks in: the referrer's mesh. */
export function refScope(referrer: ResourceEntry, namespace: string | undefined): NameScope | undefined {
  return namespace === undefined && referrer.scope ? { mesh: referrer.scope.mesh } : undefined;
}

export class BuildContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly entries: ResourceEntry[] = [];
  /**
   * What remains of resources that failed schema validation: the rules that look at one
   * resource, its membership and its references run on them too, so one schema error
   * does not hide the resource's other problems (issue 16 item 6). Nothing looks them up.
   */
  readonly probes: ResourceEntry[] = [];
  /** By `keyOf`: Kubernetes identity (kind, namespace, name), or (kind, mesh[, gateway], name) when namespace-less. */
  readonly byKey = new Map<string, ResourceEntry>();
  /**
   * Resources that exist in the input but failed schema validation, by Kubernetes
   * identity (kind, namespace, name): their ids carry no mesh, so a namespace-less one
   * is found whatever the referrer's mesh (see `findInvalid`).
   */
  readonly invalidInputs = new Map<string, InvalidInput>();
  /** By (mesh awsName, kind, awsName), filled once membership is known; for ARN references. */
  readonly byAwsName = new Map<string, ResourceEntry>();
  readonly namespaces = new Map<string, InputNamespace>();

  // Resolved links, filled by the rule files and read when the graph is assembled.
  readonly backends = new Map<ResourceEntry, BackendLink[]>();
  readonly providers = new Map<ResourceEntry, ResourceEntry>();
  /** VirtualService → the names clients may call it by (see `assignHostnames`). */
  readonly hostnames = new Map<ResourceEntry, string[]>();
  /** VirtualRouter → route index → resolved targets. */
  readonly routeTargets = new Map<ResourceEntry, Map<number, TargetLink[]>>();
  readonly gatewayOf = new Map<ResourceEntry, ResourceEntry>();
  readonly gatewayRouteTarget = new Map<ResourceEntry, { entry: ResourceEntry; port?: number }>();

  constructor(
    readonly quotas: Quotas,
    readonly clusterDomain: string,
    readonly enableBackendGroups: boolean,
    /** GraphOptions.refsFromFiles. */
    readonly refsFromFiles = false,
  ) {}

  /** The schema-invalid input a reference may be pointing at (ids of invalid inputs have no mesh scope). */
  findInvalid(kind: string, namespace: string | undefined, name: string): InvalidInput | undefined {
    return this.invalidInputs.get(keyOf(kind, namespace, name));
  }

  ofKind(kind: Kind): ResourceEntry[] {
    return this.entries.filter((e) => e.kind === kind);
  }

  /** `ofKind` and the probes of that kind, for rules that check one resource at a time. */
  checkedOfKind(kind: Kind): ResourceEntry[] {
    return [...this.ofKind(kind), ...this.probes.filter((e) => e.kind === kind)];
  }

  /** Records a diagnostic about `at`; an error also invalidates `blame` (App Mesh would refuse that resource). */
  report(
    at: Located | undefined,
    severity: Severity,
    path: Path,
    code: string,
    message: string,
    related?: RelatedInfo[],
    blame?: ResourceEntry,
  ): Diagnostic {
    const source = safeLocate(at?.locate, path);
    const probe = at && 'probe' in at ? (at as ResourceEntry).probe : undefined;
    const d: Diagnostic = {
      severity,
      code,
      path: formatPath(path),
      message,
      ...(at ? { resource: at.id } : {}),
      ...(source ? { source } : {}),
      ...(related && related.length > 0 ? { related } : {}),
    };
    // On a removed field it would only echo the schema error there.
    if (
      probe &&
      probe.removed.some((r) => d.path === r || d.path.startsWith(`${r}.`) || d.path.startsWith(`${r}[`))
    )
      return d;
    this.diagnostics.push(d);
    if (blame && severity === 'error' && !blame.invalid)
      blame.invalid = { reason: 'ValidationFailed', message: `${d.path ? `${d.path}: ` : ''}${message}` };
    return d;
  }

  /** An error that makes `entry` invalid. */
  error(
    entry: ResourceEntry,
    path: Path,
    code: string,
    message: string,
    related?: RelatedInfo[],
  ): Diagnostic {
    return this.report(entry, 'error', path, code, message, related, entry);
  }

  /** An error reported at `at` that is the root cause of other resources' trouble, not a fault of `at` itself. */
  errorAt(at: Located, path: Path, code: string, message: string, related?: RelatedInfo[]): Diagnostic {
    return this.report(at, 'error', path, code, message, related);
  }

  warning(at: Located, path: Path, code: string, message: string, related?: RelatedInfo[]): Diagnostic {
    return this.report(at, 'warning', path, code, message, related);
  }
}

/** Anything a diagnostic can be about: a resource id and a way to find its fields. */
export interface Located {
  id: ResourceId;
  locate?: PathLocator;
}

/** A pointer to another place that belongs to the same problem. */
export function relatedAt(entry: Located, path: Path, message: string): RelatedInfo {
  const source = safeLocate(entry.locate, path);
  return {
    resource: entry.id,
    ...(path.length > 0 ? { path: formatPath(path) } : {}),
    ...(source ? { source } : {}),
    message,
  };
}

/** Locators come from outside; a throwing one must not take the graph down. */
export function safeLocate(locate: PathLocator | undefined, path: Path): Diagnostic['source'] {
  if (!locate) return undefined;
  try {
    return locate(path);
  } catch {
    return undefined;
  }
}

export function describeId(id: ResourceId): string {
  return id.namespace ? `${id.kind} ${id.namespace}/${id.name}` : `${id.kind} ${id.name}`;
}
