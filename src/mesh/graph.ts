/**
 * The mesh graph: the immutable, resolved view of every mesh that the translation,
 * the REST API, the Kubernetes status writer and the CLI consume. Built by
 * `buildMeshGraph` (build.ts) from model resources; pure data, no I/O.
 *
 * Names: every map is keyed by App Mesh name (awsName), because that is what
 * App Mesh clients, ARNs and Envoy resource names use.
 */
import type {
  AnyResource,
  Diagnostic,
  GatewayRoute,
  Mesh,
  PathLocator,
  ResourceId,
  VirtualGateway,
  VirtualNode,
  VirtualRouter,
  VirtualService,
  ClientPolicy,
  Route,
} from '../model/index.js';

/** A resource as it came in, with a way to find its fields in the user's files. */
export interface InputResource {
  resource: AnyResource;
  locate?: PathLocator;
  /**
   * Set when the resource failed schema validation (its errors are reported elsewhere)
   * and this is what remains of it (`checkObject(...).partial`): the fields removed. It
   * is checked for its other, independent problems — membership, its own rules, its
   * references — but never served or counted; references to it wait as for any invalid
   * resource (list it in `invalid` too); and nothing is reported at a removed field,
   * whose schema error already says what is wrong there.
   */
  schemaErrors?: { removed: readonly string[] };
}

export interface InputNamespace {
  name: string;
  labels: Readonly<Record<string, string>>;
  locate?: PathLocator;
}

export interface InputPod {
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  annotations?: Readonly<Record<string, string>>;
  /** Locates pod-relative paths (`['metadata','labels']`). */
  locate?: PathLocator;
  /** Kind of the object the pod comes from (`Deployment`, ...); default `Pod`. */
  kind?: string;
  /** Where the pod template sits in that object (`['spec','template']`); default `[]`. */
  templatePath?: ReadonlyArray<string | number>;
}

/** A resource that is in the input but failed schema validation (so it is not in `resources`). */
export interface InputInvalid {
  id: ResourceId;
  locate?: PathLocator;
}

export interface GraphInput {
  resources: ReadonlyArray<InputResource>;
  /** Namespaces with their labels (for Mesh/VirtualGateway namespaceSelectors). */
  namespaces?: ReadonlyArray<InputNamespace>;
  /** Pods or pod templates (for podSelector checks). */
  pods?: ReadonlyArray<InputPod>;
  /**
   * Resources that exist but failed schema validation: references to them make the
   * referrer inactive instead of reporting a second, "does not exist" error.
   */
  invalid?: ReadonlyArray<InputInvalid>;
}

export interface Quotas {
  meshes: number;
  virtualNodesPerMesh: number;
  virtualRoutersPerMesh: number;
  virtualServicesPerMesh: number;
  virtualGatewaysPerMesh: number;
  routesPerVirtualRouter: number;
  gatewayRoutesPerVirtualGateway: number;
  backendsPerVirtualNode: number;
  weightedTargetsPerRoute: number;
  listenersPerVirtualNode: number;
  listenersPerVirtualRouter: number;
  listenersPerVirtualGateway: number;
}

/**
 * App Mesh's default quotas (appmesh.md §5), and Amime's listener limits: App Mesh
 * published none (its API reference still says "you can specify one listener"; several
 * are accepted since 2022-08), and without one a single request with 20,000 listeners
 * stalled translation for seconds and sent every proxy 7 MB (issue 14 item 10).
 */
export const DEFAULT_QUOTAS: Readonly<Quotas> = {
  meshes: 15,
  virtualNodesPerMesh: 200,
  virtualRoutersPerMesh: 200,
  virtualServicesPerMesh: 200,
  virtualGatewaysPerMesh: 3,
  routesPerVirtualRouter: 50,
  gatewayRoutesPerVirtualGateway: 10,
  backendsPerVirtualNode: 50,
  weightedTargetsPerRoute: 10,
  listenersPerVirtualNode: 50,
  listenersPerVirtualRouter: 50,
  listenersPerVirtualGateway: 50,
};

export interface GraphOptions {
  quotas?: Partial<Quotas>;
  /** Expand BackendGroups into backends (App Mesh's controller needs --enable-backend-groups; Amime defaults to true). */
  enableBackendGroups?: boolean;
  /** Kubernetes cluster domain for service hostnames; default `cluster.local`. */
  clusterDomain?: string;
  /**
   * Whether the input is manifests from files (`amime validate`, `--from`): there a
   * namespaced resource's `spec.meshRef` (and a GatewayRoute's `spec.virtualGatewayRef`)
   * is what a user wrote or exported, so the selectors decide membership and a ref that
   * disagrees is an error, one that agrees a warning that it is ignored. Otherwise (the
   * default: a store or a cluster, where the system set them on create, or import
   * validated them) the refs decide, as they did for App Mesh's controller, even after
   * labels change. Resources without a namespace (REST API) always use their refs.
   */
  refsFromFiles?: boolean;
}

/** Why a resource is not served; the text of the `<Kind>Active=False` condition. */
export interface Inactive {
  reason: string;
  message: string;
}

interface Resolved<R extends AnyResource> {
  /** App Mesh name. */
  awsName: string;
  /** Mesh awsName. */
  mesh: string;
  resource: R;
  id: ResourceId;
  locate?: PathLocator;
  /** Undefined when Active; otherwise why not (invalid, or waiting on an inactive dependency). */
  inactive?: Inactive;
}

export type ResolvedMesh = Resolved<Mesh> & {
  egressFilter: 'ALLOW_ALL' | 'DROP_ALL';
};

export interface ResolvedBackend {
  /** awsName of the backend VirtualService. */
  serviceName: string;
  /**
   * Whether the backend VirtualService exists in the node's mesh (App Mesh allows
   * dangling backends); it is then `view.virtualServices.get(serviceName)`. A name, not a
   * pointer: a node stays the same object when a service it calls changes, so the
   * pipeline's incremental graph (incremental-graph.ts) re-derives a service's change
   * without copying every caller of it and, through them, the whole mesh.
   */
  found: boolean;
  clientPolicy?: ClientPolicy;
  /** Where it came from: `spec.backends[i]` or a BackendGroup. */
  origin: string;
}

export type ResolvedVirtualNode = Resolved<VirtualNode> & {
  /** Declared backends plus BackendGroup expansions, deduplicated, in declaration order. */
  backends: ReadonlyArray<ResolvedBackend>;
};

export type ServiceProvider =
  | { kind: 'virtualNode'; node: ResolvedVirtualNode }
  | { kind: 'virtualRouter'; router: ResolvedVirtualRouter };

export type ResolvedVirtualService = Resolved<VirtualService> & {
  provider?: ServiceProvider;
  /**
   * Names a client may call: the awsName first, then for Kubernetes-form services
   * `<name>.<namespace>.svc.<clusterDomain>` and `<name>.<namespace>.svc` (deduplicated).
   */
  hostnames: ReadonlyArray<string>;
};

export type RouteProtocol = 'http' | 'http2' | 'grpc' | 'tcp';

export interface ResolvedWeightedTarget {
  node: ResolvedVirtualNode;
  weight: number;
  port?: number;
}

export interface ResolvedRoute {
  name: string;
  /** Index in `spec.routes`, for field paths and stable ordering among equal priorities. */
  index: number;
  priority?: number;
  protocol: RouteProtocol;
  spec: Route;
  targets: ReadonlyArray<ResolvedWeightedTarget>;
}

export type ResolvedVirtualRouter = Resolved<VirtualRouter> & {
  /** Routes in match order: priority ascending (unset last), then declaration order. */
  routes: ReadonlyArray<ResolvedRoute>;
};

export type ResolvedGatewayRoute = Resolved<GatewayRoute> & {
  gateway: string;
  protocol: 'http' | 'http2' | 'grpc';
  target: { service: ResolvedVirtualService; port?: number };
};

export type ResolvedVirtualGateway = Resolved<VirtualGateway> & {
  /** Attached gateway routes in match order: priority ascending (unset = lowest), then name. */
  routes: ReadonlyArray<ResolvedGatewayRoute>;
};

export interface MeshView {
  mesh: ResolvedMesh;
  virtualNodes: ReadonlyMap<string, ResolvedVirtualNode>;
  virtualServices: ReadonlyMap<string, ResolvedVirtualService>;
  virtualRouters: ReadonlyMap<string, ResolvedVirtualRouter>;
  virtualGateways: ReadonlyMap<string, ResolvedVirtualGateway>;
}

/**
 * A resource that has no place in a MeshView: no mesh (membership failed), a
 * gateway route without a gateway or target, a duplicate name. Always inactive.
 */
export interface UnplacedResource {
  resource: AnyResource;
  id: ResourceId;
  awsName: string;
  /** Mesh awsName, when membership succeeded. */
  mesh?: string;
  locate?: PathLocator;
  inactive: Inactive;
}

export interface MeshGraph {
  /** Every mesh by awsName, with its members (active or not). */
  meshes: ReadonlyMap<string, MeshView>;
  /** Resources that could not be placed in a mesh view, in input order (for status conditions). */
  unplaced: ReadonlyArray<UnplacedResource>;
  /** Every problem found, errors and warnings, in a stable order. */
  diagnostics: ReadonlyArray<Diagnostic>;
  /** Summary counts for CLI output. */
  counts: { meshes: number; resources: number };
  options: Required<Pick<GraphOptions, 'clusterDomain' | 'enableBackendGroups'>> & { quotas: Quotas };
}
