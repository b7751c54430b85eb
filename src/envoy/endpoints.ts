/**
 * Where endpoints come from, and how they become ClusterLoadAssignments. The
 * translator never looks anything up itself: Kubernetes EndpointSlices, a registry or
 * DNS answers are gathered outside (at the edges) and read here through
 * `EndpointSource`, which keeps translation pure.
 */
import type { AssignedEndpointIR, AssignmentIR, LocalityIR } from './ir/types.js';

export type EndpointHealth = 'HEALTHY' | 'UNHEALTHY' | 'DRAINING' | 'UNKNOWN';

export interface Endpoint {
  /** IP address (or, for DNS-derived lists, the address the name resolved to). */
  address: string;
  /** Port the instance listens on; the virtual node listener's port when absent. */
  port?: number;
  health?: EndpointHealth;
  /** Availability zone; endpoints are grouped into one locality per zone. */
  zone?: string;
}

export interface VirtualNodeRef {
  /** Mesh awsName. */
  mesh: string;
  /** VirtualNode awsName. */
  virtualNode: string;
}

export interface EndpointSource {
  /** Instances of a virtual node (Cloud Map, EndpointSlices, ...); undefined when unknown. */
  endpoints(node: VirtualNodeRef): ReadonlyArray<Endpoint> | undefined;
  /**
   * Addresses a DNS name resolved to, resolved outside the translator. Used for
   * proxyless gRPC clients of DNS-discovered nodes, which cannot do LOGICAL_DNS well.
   */
  resolve?(hostname: string): ReadonlyArray<string> | undefined;
}

/** A source that knows nothing: EDS clusters get empty assignments. */
export const NO_ENDPOINTS: EndpointSource = { endpoints: () => undefined };

/** `mesh/virtualNode` key used by `staticEndpoints`. */
export function endpointKey(node: VirtualNodeRef): string {
  return `${node.mesh}/${node.virtualNode}`;
}

/** An EndpointSource over fixed tables (tests, `amime render --endpoints`, benches). */
export function staticEndpoints(
  byNode: Readonly<Record<string, ReadonlyArray<Endpoint>>>,
  byHostname: Readonly<Record<string, ReadonlyArray<string>>> = {},
): EndpointSource {
  return {
    endpoints: (node) => byNode[endpointKey(node)],
    resolve: (hostname) => byHostname[hostname],
  };
}

/**
 * An EDS cluster's endpoints as IR: one locality per zone (sorted; endpoints without a
 * zone in a locality with no zone), duplicate addresses dropped (gRPC rejects them),
 * endpoints sorted for stable bytes.
 */
export function assignmentIR(
  clusterName: string,
  defaultPort: number,
  endpoints: ReadonlyArray<Endpoint>,
  /** The health check's own port, on every endpoint (when the checked port is not the served one). */
  healthCheckPort?: number,
): AssignmentIR {
  const byZone = new Map<string, AssignedEndpointIR[]>();
  const seen = new Set<string>();
  const sorted = [...endpoints].sort((a, b) => compareEndpoints(a, b, defaultPort));
  for (const ep of sorted) {
    const port = ep.port ?? defaultPort;
    const key = `${ep.address}:${port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const zone = ep.zone ?? '';
    const list = byZone.get(zone) ?? [];
    list.push({
      address: ep.address,
      port,
      health: ep.health ?? 'HEALTHY',
      ...(healthCheckPort !== undefined ? { healthCheckPort } : {}),
    });
    byZone.set(zone, list);
  }
  const localities: LocalityIR[] = [...byZone.keys()].sort().map((zone) => ({
    ...(zone === '' ? {} : { zone }),
    endpoints: byZone.get(zone) ?? [],
  }));
  return { clusterName, localities };
}

function compareEndpoints(a: Endpoint, b: Endpoint, defaultPort: number): number {
  const za = a.zone ?? '';
  const zb = b.zone ?? '';
  if (za !== zb) return za < zb ? -1 : 1;
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  return (a.port ?? defaultPort) - (b.port ?? defaultPort);
}
