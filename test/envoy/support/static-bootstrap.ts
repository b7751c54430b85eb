/**
 * Wraps the resources Amime serves to proxy groups into one Envoy bootstrap with static
 * resources, so `envoy --mode validate` (which never connects to a management server)
 * judges them as Envoy would load them:
 *
 * - RDS → the RouteConfiguration inline in its HTTP connection manager. Inline routes are
 *   checked more strictly than RDS ones (`validate_clusters` defaults to true), so a
 *   route naming a cluster the group does not have is caught too.
 * - EDS clusters whose ClusterLoadAssignment the group carries → STATIC with that
 *   assignment (the assignment is validated with the cluster).
 * - Secrets delivered over ADS → static secrets, referenced by name.
 * - Proxyless gRPC `api_listener`s → ordinary listeners with the same HTTP connection
 *   manager (Envoy accepts a single api_listener, from the bootstrap only).
 *
 * Several groups share one bootstrap (one Envoy start is most of the cost): each group's
 * listener, route, cluster and secret names get the prefix `<tag>/`, and every listener a
 * port of its own. Anything still pointing at ADS (an EDS cluster without an assignment)
 * finds an ADS config source that validation never dials.
 */
/** A resource as config_dump shows it (snake_case fields, `@type` on every Any). */
export type JsonObject = Record<string, unknown>;

export interface GroupResources {
  clusters?: JsonObject[];
  endpoints?: JsonObject[];
  listeners?: JsonObject[];
  routes?: JsonObject[];
  secrets?: JsonObject[];
}

export interface TaggedGroup {
  /** Short, unique within one bootstrap; Envoy's messages name resources by `<tag>/<name>`. */
  readonly tag: string;
  readonly resources: GroupResources;
}

const HCM_TYPE =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const XDS_CLUSTER = 'amime_validation_ads';

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep copy in which every string equal to a key of `names` becomes its value. */
function renamed<T>(value: T, names: ReadonlyMap<string, string>): T {
  const walk = (v: Json): Json => {
    if (typeof v === 'string') return names.get(v) ?? v;
    if (Array.isArray(v)) return v.map(walk);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Visits every object in `value`, depth first; `visit` may change the object in place. */
function eachObject(value: Json, visit: (o: Record<string, Json>) => void): void {
  if (Array.isArray(value)) for (const v of value) eachObject(v, visit);
  else if (isObject(value)) {
    visit(value);
    for (const v of Object.values(value)) eachObject(v, visit);
  }
}

const nameOf = (o: JsonObject, key = 'name'): string => String(o[key]);

export interface StaticBootstrapOptions {
  /** First port handed to listeners (each listener gets the next one). */
  readonly firstPort?: number;
}

export interface StaticResources {
  listeners: JsonObject[];
  clusters: JsonObject[];
  secrets: JsonObject[];
}

/** A bootstrap of its own: the groups' resources, and an ADS source validation never dials. */
export function staticBootstrap(
  groups: readonly TaggedGroup[],
  options: StaticBootstrapOptions = {},
): JsonObject {
  const { listeners, clusters, secrets } = staticResources(groups, options);
  return {
    node: { id: 'amime-validation', cluster: 'amime-validation' },
    static_resources: { listeners, clusters: [...clusters, adsCluster()], secrets },
    dynamic_resources: {
      ads_config: {
        api_type: 'GRPC',
        transport_api_version: 'V3',
        grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER } }],
      },
    },
  };
}

/** `bootstrap` (which must bring its own ADS source) with the groups' resources added as static ones. */
export function withStaticResources(bootstrap: JsonObject, groups: readonly TaggedGroup[]): JsonObject {
  const own = (bootstrap.static_resources ?? {}) as Partial<StaticResources>;
  const add = staticResources(groups);
  return {
    ...bootstrap,
    static_resources: {
      listeners: [...(own.listeners ?? []), ...add.listeners],
      clusters: [...(own.clusters ?? []), ...add.clusters],
      secrets: [...(own.secrets ?? []), ...add.secrets],
    },
  };
}

export function staticResources(
  groups: readonly TaggedGroup[],
  options: StaticBootstrapOptions = {},
): StaticResources {
  let port = options.firstPort ?? 20_000;
  const listeners: JsonObject[] = [];
  const clusters: JsonObject[] = [];
  const secrets: JsonObject[] = [];
  for (const { tag, resources } of groups) {
    const names = new Map<string, string>();
    const claim = (n: string): void => void names.set(n, `${tag}/${n}`);
    for (const kind of ['listeners', 'routes', 'clusters', 'secrets'] as const)
      for (const r of resources[kind] ?? []) claim(nameOf(r));
    const r = renamed(resources, names);
    const routes = new Map((r.routes ?? []).map((rc) => [nameOf(rc), rc]));
    const assignments = new Map((r.endpoints ?? []).map((cla) => [nameOf(cla, 'cluster_name'), cla]));
    const secretNames = new Set((r.secrets ?? []).map((s) => nameOf(s)));

    for (const listener of r.listeners ?? []) {
      const l = asSocketListener(listener);
      l.address = { socket_address: { address: '127.0.0.1', port_value: port++ } };
      eachObject(l, (o) => inlineRoutes(o, routes));
      listeners.push(l);
    }
    for (const cluster of r.clusters ?? []) {
      const assignment = assignments.get(String(edsServiceName(cluster)));
      clusters.push(assignment ? asStatic(cluster, assignment) : cluster);
    }
    secrets.push(...(r.secrets ?? []));
    eachObject([listeners, clusters], (o) => {
      // A secret the group carries is static here: referenced by name alone.
      if (typeof o.name === 'string' && secretNames.has(o.name) && isObject(o.sds_config))
        delete o.sds_config;
    });
  }
  return { listeners, clusters, secrets };
}

function asSocketListener(listener: JsonObject): JsonObject {
  const api = listener.api_listener;
  if (!isObject(api)) return { ...listener };
  const { api_listener: _api, ...rest } = listener;
  const hcm = api.api_listener;
  return {
    ...rest,
    filter_chains: [
      { filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }] },
    ],
  };
}

function inlineRoutes(o: Record<string, Json>, routes: ReadonlyMap<string, JsonObject>): void {
  if (o['@type'] !== HCM_TYPE || !isObject(o.rds)) return;
  const name = String(o.rds.route_config_name);
  const rc = routes.get(name);
  if (!rc)
    throw new Error(
      `HTTP connection manager names route configuration ${name}, which the group does not carry`,
    );
  delete o.rds;
  o.route_config = rc;
}

function edsServiceName(cluster: JsonObject): Json {
  if (cluster.type !== 'EDS') return undefined;
  const eds = cluster.eds_cluster_config;
  return (isObject(eds) && eds.service_name) || cluster.name;
}

function asStatic(cluster: JsonObject, assignment: JsonObject): JsonObject {
  const { eds_cluster_config: _eds, ...rest } = cluster;
  return { ...rest, type: 'STATIC', load_assignment: { ...assignment, cluster_name: cluster.name } };
}

function adsCluster(): JsonObject {
  return {
    name: XDS_CLUSTER,
    type: 'STATIC',
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
        explicit_http_config: { http2_protocol_options: {} },
      },
    },
    load_assignment: {
      cluster_name: XDS_CLUSTER,
      endpoints: [
        {
          lb_endpoints: [
            { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 1 } } } },
          ],
        },
      ],
    },
  };
}
