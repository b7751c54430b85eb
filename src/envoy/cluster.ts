/**
 * Clusters: the local app behind a sidecar listener (`cds_ingress_…`), a target
 * virtual node's listener (`cds_egress_…`), and the passthroughs of the egress filter.
 *
 * Target discovery (appmesh.md §4.2): Cloud Map → EDS from the EndpointSource. DNS →
 * EDS too when the EndpointSource knows the node (its pods or a registry are
 * authoritative: the instances are known without a DNS round trip), else LOGICAL_DNS
 * (`responseType` LOADBALANCER or unset) or STRICT_DNS (ENDPOINTS) on the hostname.
 * Proxyless gRPC clients always get EDS (see proxyless.ts).
 */
import type { ClientPolicy, VirtualNodeListener } from '../model/index.js';
import type { ResolvedVirtualNode } from '../mesh/index.js';
import { jsonKey, shared, type TranslateContext } from './context.js';
import { CONNECT_TIMEOUT_MS } from './duration.js';
import { allowAllClusterName, amazonawsClusterName, nodeClusterName } from './names.js';
import { NO_LIMITS, poolLimits, type Limits } from './circuit-breakers.js';
import { outlierDetection } from './outlier.js';
import { healthCheck } from './health-check.js';
import { TLS_UNAVAILABLE, upstreamTls } from './tls.js';
import { assignmentIR } from './endpoints.js';
import { depKey } from './lookup.js';
import { dnsLookupFamily } from './dns-family.js';
import type { AssignmentIR, ClusterIR } from './ir/types.js';

/** HTTP/2 upstream for http2 and gRPC listeners. */
export function http2(protocol: string): Pick<ClusterIR, 'http2'> {
  return protocol === 'http2' || protocol === 'grpc' ? { http2: true } : {};
}

export interface EgressClusterOptions {
  /** The caller's client policy for the backend that led here (or its backendDefaults). */
  policy?: ClientPolicy;
  /** Gateway listener connection pool limits. */
  limits?: Limits;
}

/** Adds the egress cluster for `node`'s `listener` to the group (once) and returns its name. */
export function egressCluster(
  ctx: TranslateContext,
  node: ResolvedVirtualNode,
  listener: VirtualNodeListener,
  opts: EgressClusterOptions = {},
): string {
  const { port, protocol } = listener.portMapping;
  const name = nodeClusterName('egress', ctx.mesh, node.awsName, protocol, port);
  if (ctx.out.hasCluster(name)) return name;
  const limits = opts.limits ?? NO_LIMITS;
  const key = `cluster:${name}:${jsonKey(opts.policy)}:${limits.maxConnections}/${limits.maxPendingRequests}/${limits.maxRequests}`;
  const cluster = shared(ctx, key, () => buildEgressCluster(ctx, name, node, listener, opts.policy, limits));
  ctx.out.addCluster(cluster);
  return name;
}

function buildEgressCluster(
  ctx: TranslateContext,
  name: string,
  node: ResolvedVirtualNode,
  listener: VirtualNodeListener,
  policy: ClientPolicy | undefined,
  limits: Limits,
): ClusterIR {
  const { port, protocol } = listener.portMapping;
  ctx.deps.add(depKey.node(node.awsName));
  const tls = ctx.flavour === 'envoy' ? upstreamTls(ctx, policy, node, port) : undefined;
  if (tls === TLS_UNAVAILABLE) {
    ctx.warn(`cluster ${name}: client TLS trust unavailable; the cluster has no endpoints`);
    return unavailableCluster(name);
  }
  const cluster: ClusterIR = {
    name,
    discovery: { type: 'EDS' },
    connectTimeout: CONNECT_TIMEOUT_MS,
    lbPolicy: 'ROUND_ROBIN',
    limits,
    statsTags: [{ key: 'TargetVirtualNode', value: node.awsName }],
  };
  const dns = node.resource.spec.serviceDiscovery?.dns;
  // App Mesh ran a listener's health check in every caller, on this cluster (appmesh.md
  // "Active health checks"; evidence S2, S8–S10 of appmesh-observed.md): proxyless gRPC
  // clients have no active health checking, so only Envoys get it.
  const hc = ctx.flavour === 'envoy' ? listener.healthCheck : undefined;
  const hcPort = healthCheckPort(listener);
  if (ctx.flavour === 'envoy' && dns && !endpointsKnown(ctx, node.awsName)) {
    const family = dnsLookupFamily(ctx.view.mesh, node);
    cluster.discovery = {
      type: dns.responseType === 'ENDPOINTS' ? 'STRICT_DNS' : 'LOGICAL_DNS',
      hostname: dns.hostname,
      port,
      ...(family ? { dnsLookupFamily: family } : {}),
      ...(hcPort !== undefined ? { healthCheckPort: hcPort } : {}),
    };
  } else addAssignment(ctx, name, node, port, dns?.hostname, hc ? hcPort : undefined);
  if (ctx.flavour === 'envoy') {
    if (hc) cluster.healthChecks = [healthCheck(hc)];
    if (listener.outlierDetection) cluster.outlierDetection = outlierDetection(listener.outlierDetection);
    Object.assign(cluster, http2(protocol));
    if (tls) cluster.tls = tls;
  }
  return cluster;
}

/**
 * Whether the EndpointSource is authoritative for `node` (an array, even empty). The
 * answer decides the cluster's type, not just its assignment, so it is recorded as a
 * dependency of its own: when it flips, the Translator re-translates instead of only
 * rebuilding assignments.
 */
function endpointsKnown(ctx: TranslateContext, node: string): boolean {
  const known = ctx.endpoints.endpoints({ mesh: ctx.mesh, virtualNode: node }) !== undefined;
  ctx.deps.add(depKey.endpointsKnown(node, known));
  return known;
}

/** The ClusterLoadAssignment of an EDS cluster, from the EndpointSource (or, proxyless, from resolved DNS). */
function addAssignment(
  ctx: TranslateContext,
  clusterName: string,
  node: ResolvedVirtualNode,
  port: number,
  hostname: string | undefined,
  healthCheckPort: number | undefined,
): void {
  ctx.deps.add(depKey.endpoints(node.awsName));
  ctx.out.addAssignment(assignmentFor(ctx, clusterName, node.awsName, port, hostname, healthCheckPort), {
    clusterName,
    virtualNode: node.awsName,
    port,
    ...(hostname ? { hostname } : {}),
    ...(healthCheckPort !== undefined ? { healthCheckPort } : {}),
  });
}

/** The health check's port when it is not the listener's (the endpoints then carry it). */
function healthCheckPort(listener: VirtualNodeListener): number | undefined {
  const hc = listener.healthCheck;
  return hc?.port !== undefined && hc.port !== listener.portMapping.port ? hc.port : undefined;
}

/** A known node's endpoints (even none: the source is authoritative), else the hostname's resolved addresses. */
export function assignmentFor(
  ctx: Pick<TranslateContext, 'mesh' | 'endpoints'>,
  clusterName: string,
  node: string,
  port: number,
  hostname?: string,
  healthCheckPort?: number,
): AssignmentIR {
  const known = ctx.endpoints.endpoints({ mesh: ctx.mesh, virtualNode: node });
  if (known) return assignmentIR(clusterName, port, known, healthCheckPort);
  const resolved = hostname ? ctx.endpoints.resolve?.(hostname) : undefined;
  return assignmentIR(
    clusterName,
    port,
    (resolved ?? []).map((address) => ({ address })),
    healthCheckPort,
  );
}

/** `cds_ingress_<mesh>_<vn>_<protocol>_<port>`: the local app, with the listener's pool and health check. */
export function ingressCluster(
  ctx: TranslateContext,
  node: ResolvedVirtualNode,
  listener: VirtualNodeListener,
): string {
  const { port, protocol } = listener.portMapping;
  const name = nodeClusterName('ingress', ctx.mesh, node.awsName, protocol, port);
  const hc = listener.healthCheck;
  const hcPort = healthCheckPort(listener);
  const cluster: ClusterIR = {
    name,
    discovery: {
      type: 'STATIC',
      endpoints: [
        { address: '127.0.0.1', port, ...(hcPort !== undefined ? { healthCheckPort: hcPort } : {}) },
      ],
    },
    connectTimeout: CONNECT_TIMEOUT_MS,
    lbPolicy: 'ROUND_ROBIN',
    limits: poolLimits(listener.connectionPool),
    ...http2(protocol),
  };
  if (hc) cluster.healthChecks = [healthCheck(hc)];
  ctx.out.addCluster(cluster);
  return name;
}

/** A cluster that answers 503 (no endpoints): what a target becomes when its TLS cannot be set up. */
function unavailableCluster(name: string): ClusterIR {
  return { name, discovery: { type: 'STATIC', endpoints: [] }, connectTimeout: CONNECT_TIMEOUT_MS };
}

function originalDestination(name: string): ClusterIR {
  return {
    name,
    discovery: { type: 'ORIGINAL_DST' },
    connectTimeout: CONNECT_TIMEOUT_MS,
    lbPolicy: 'CLUSTER_PROVIDED',
    limits: NO_LIMITS,
  };
}

/** `cds_egress_<mesh>_mesh-allow-all` (ALLOW_ALL passthrough). */
export function allowAllCluster(ctx: TranslateContext): string {
  const name = allowAllClusterName(ctx.mesh);
  ctx.out.addCluster(shared(ctx, `cluster:${name}`, () => originalDestination(name)));
  return name;
}

/** `cds_egress_<mesh>_amazonaws` (AWS APIs under DROP_ALL). */
export function amazonawsCluster(ctx: TranslateContext): string {
  const name = amazonawsClusterName(ctx.mesh);
  ctx.out.addCluster(shared(ctx, `cluster:${name}`, () => originalDestination(name)));
  return name;
}
