/** Discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`, `/version`) so kubectl can list and get from the test double. */
import { apiVersionOf, RESOURCE_TYPES, type ResourceType } from './resource-types.js';

function singular(t: ResourceType): string {
  return t.kind.toLowerCase();
}

function resourceList(groupVersion: string): object | undefined {
  const types = RESOURCE_TYPES.filter((t) => apiVersionOf(t) === groupVersion);
  if (types.length === 0) return undefined;
  const resources: object[] = [];
  for (const t of types) {
    resources.push({
      name: t.resource,
      singularName: singular(t),
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
      ...(t.shortNames ? { shortNames: t.shortNames } : {}),
      ...(t.categories ? { categories: t.categories } : {}),
    });
    if (t.status)
      resources.push({
        name: `${t.resource}/status`,
        singularName: '',
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ['get', 'patch', 'update'],
      });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}

/** The discovery document for `pathname`, or undefined when it is not a discovery path. */
export function discoveryDocument(pathname: string, serverAddress: string): object | undefined {
  const segs = pathname.split('/').filter((s) => s !== '');
  if (segs.length === 1 && segs[0] === 'version') {
    return {
      major: '1',
      minor: '32',
      gitVersion: 'v1.32.0-amime-test-double',
      platform: `${process.platform}/${process.arch}`,
    };
  }
  if (segs.length === 1 && segs[0] === 'api') {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }
  if (segs.length === 2 && segs[0] === 'api') return resourceList(segs[1]!);
  if (segs.length === 1 && segs[0] === 'apis') {
    const groups = new Map<string, string>();
    for (const t of RESOURCE_TYPES)
      if (t.group !== '' && !groups.has(t.group)) groups.set(t.group, t.version);
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, version]) => {
        const gv = { groupVersion: `${name}/${version}`, version };
        return { name, versions: [gv], preferredVersion: gv };
      }),
    };
  }
  if (segs.length === 2 && segs[0] === 'apis') {
    const t = RESOURCE_TYPES.find((r) => r.group === segs[1]);
    if (!t) return undefined;
    const gv = { groupVersion: `${t.group}/${t.version}`, version: t.version };
    return { kind: 'APIGroup', apiVersion: 'v1', name: t.group, versions: [gv], preferredVersion: gv };
  }
  if (segs.length === 3 && segs[0] === 'apis') return resourceList(`${segs[1]}/${segs[2]}`);
  return undefined;
}
