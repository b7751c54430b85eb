/**
 * Which address family a DNS cluster resolves. App Mesh left Envoy's default (AUTO:
 * "prefers IPv6 and falls back to IPv4", user guide meshes.md; no dns_lookup_family in a
 * real App Mesh config_dump, S1 of appmesh-observed.md) unless an `ipPreference` was set:
 * the target virtual node's own (`serviceDiscovery.dns.ipPreference`, API only) wins
 * over the mesh's (`meshServiceDiscovery.ipPreference`, or the API's four values), as
 * App Mesh's user guide says of IP preferences. A user's IPv6_ONLY is served as V6_ONLY.
 */
import type { ResolvedMesh, ResolvedVirtualNode } from '../mesh/index.js';
import { apiOnlyFieldsOf } from '../model/api-form/index.js';
import type { DnsLookupFamilyIR } from './ir/types.js';

const FAMILY: Readonly<Record<string, DnsLookupFamilyIR | undefined>> = {
  IPv4_ONLY: 'V4_ONLY',
  IPv6_ONLY: 'V6_ONLY',
  IPv4_PREFERRED: 'V4_PREFERRED',
  // AUTO, Envoy's default, is "IPv6 first, then IPv4".
  IPv6_PREFERRED: undefined,
};

/** The preference that applies to a DNS cluster of `node`, if any was set. */
export function ipPreferenceOf(mesh: ResolvedMesh, node: ResolvedVirtualNode): string | undefined {
  return (
    apiOnlyFieldsOf(node.resource)['spec.serviceDiscovery.dns.ipPreference'] ??
    apiOnlyFieldsOf(mesh.resource)['spec.serviceDiscovery.ipPreference'] ??
    mesh.resource.spec.meshServiceDiscovery?.ipPreference
  );
}

/** `dns_lookup_family` for a DNS cluster of `node`; undefined leaves Envoy's AUTO. */
export function dnsLookupFamily(
  mesh: ResolvedMesh,
  node: ResolvedVirtualNode,
): DnsLookupFamilyIR | undefined {
  const pref = ipPreferenceOf(mesh, node);
  return pref === undefined ? undefined : FAMILY[pref];
}
