/**
 * Who a proxy group's certificate says it is: a SPIFFE ID and the DNS names its
 * callers verify. Pure functions of the mesh graph.
 *
 * SPIFFE ID: `spiffe://<trust-domain>/ns/<ns>/sa/<service-account>` when the group's
 * pods and their service account are known (Kubernetes), else
 * `spiffe://<trust-domain>/mesh/<mesh>/virtualNode/<name>` (or `virtualGateway`).
 * DNS names: the node's service-discovery name — what App Mesh callers verify when
 * their client policy names no SAN (appmesh.md §4.4) — and the hostnames of the
 * virtual services it provides, directly or as a route target; a gateway has the
 * exact hostnames its gateway routes match.
 */
import type { MeshView, ResolvedVirtualNode } from '../mesh/index.js';
import { kubernetesSpiffeId, meshSpiffeId, serviceDiscoveryName } from '../envoy/index.js';
import type { WorkloadIdentity } from './issue.js';

export const DEFAULT_TRUST_DOMAIN = 'amime.local';

/** The service account of a virtual node's pods, where the platform knows it. */
export interface ServiceAccountRef {
  namespace: string;
  serviceAccount: string;
}

export type ServiceAccountOf = (node: ResolvedVirtualNode) => ServiceAccountRef | undefined;

/** SPIFFE trust domain: lowercase letters, digits, dots, dashes and underscores (SPIFFE-ID §2.1). */
export function checkTrustDomain(td: string): string | undefined {
  return /^[a-z0-9._-]{1,255}$/.test(td)
    ? undefined
    : `trust domain "${td}" may only hold lowercase letters, digits, ".", "-" and "_"`;
}

/** RFC 1123 host names (a leading `*.` allowed): what a DNS SAN may hold. */
const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

function dnsNames(names: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const n of names) {
    const name = n.toLowerCase().replace(/\.$/, '');
    if (name.length <= 253 && DNS_NAME.test(name)) out.add(name);
  }
  return [...out];
}

/** For every node of the mesh, the hostnames of the services that reach it: one pass over the services. */
function hostnamesByNode(view: MeshView): Map<ResolvedVirtualNode, string[]> {
  const out = new Map<ResolvedVirtualNode, string[]>();
  const add = (node: ResolvedVirtualNode, hosts: readonly string[]) => {
    let list = out.get(node);
    if (!list) out.set(node, (list = []));
    list.push(...hosts);
  };
  for (const svc of view.virtualServices.values()) {
    const p = svc.provider;
    if (p?.kind === 'virtualNode') add(p.node, svc.hostnames);
    else if (p?.kind === 'virtualRouter') {
      const targets = new Set(p.router.routes.flatMap((r) => r.targets.map((t) => t.node)));
      for (const node of targets) add(node, svc.hostnames);
    }
  }
  return out;
}

/** The identities of a mesh's proxy groups; build once per graph and mesh. */
export class MeshIdentities {
  private readonly hostnames: Map<ResolvedVirtualNode, string[]>;

  constructor(
    private readonly trustDomain: string,
    private readonly view: MeshView,
    private readonly serviceAccountOf?: ServiceAccountOf,
  ) {
    this.hostnames = hostnamesByNode(view);
  }

  virtualNode(node: ResolvedVirtualNode): WorkloadIdentity {
    const sa = this.serviceAccountOf?.(node);
    return {
      spiffeId: sa
        ? kubernetesSpiffeId(this.trustDomain, sa.namespace, sa.serviceAccount)
        : meshSpiffeId(this.trustDomain, this.view.mesh.awsName, 'virtualNode', node.awsName),
      dnsNames: dnsNames([serviceDiscoveryName(node), ...(this.hostnames.get(node) ?? [])]),
    };
  }

  virtualGateway(name: string): WorkloadIdentity {
    const gateway = this.view.virtualGateways.get(name);
    const hosts = (gateway?.routes ?? []).flatMap((r) => {
      const spec = r.resource.spec;
      const exact = (spec.httpRoute ?? spec.http2Route ?? spec.grpcRoute)?.match?.hostname?.exact;
      return exact ? [exact] : [];
    });
    return {
      spiffeId: meshSpiffeId(this.trustDomain, this.view.mesh.awsName, 'virtualGateway', name),
      dnsNames: dnsNames(hosts),
    };
  }
}
