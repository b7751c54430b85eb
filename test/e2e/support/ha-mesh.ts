/**
 * The mesh of the HA tests and bench: client virtual nodes c<i> with backend
 * svc.ha.local, a virtual service on router r whose route rt sends everything to one
 * virtual node w-<n>. A writer creates w-<n+1> and points the route at it, so every
 * client's clusters name the newest target (moving-proxy.ts checks they never go back).
 */
export const WRITE_TARGET = (n: number): string => `w-${String(n).padStart(4, '0')}`;

export const dnsNode = (name: string, backends: string[] = []) => ({
  listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
  serviceDiscovery: { dns: { hostname: `${name}.ha.local` } },
  backends: backends.map((virtualServiceName) => ({ virtualService: { virtualServiceName } })),
});

export const routeTo = (target: string) => ({
  httpRoute: {
    match: { prefix: '/' },
    action: { weightedTargets: [{ virtualNode: target, weight: 1 }] },
  },
});

export type Put = (path: string, body: Record<string, unknown>) => Promise<void>;

/** Creates mesh `ha` with `clientNodes` client virtual nodes and the route at w-0000. */
export async function createHaMesh(put: Put, clientNodes: number): Promise<void> {
  await put('/meshes', { meshName: 'ha' });
  await put('/meshes/ha/virtualNodes', { virtualNodeName: WRITE_TARGET(0), spec: dnsNode(WRITE_TARGET(0)) });
  await put('/meshes/ha/virtualRouters', {
    virtualRouterName: 'r',
    spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
  });
  await put('/meshes/ha/virtualRouter/r/routes', { routeName: 'rt', spec: routeTo(WRITE_TARGET(0)) });
  await put('/meshes/ha/virtualServices', {
    virtualServiceName: 'svc.ha.local',
    spec: { provider: { virtualRouter: { virtualRouterName: 'r' } } },
  });
  for (let c = 0; c < clientNodes; c++)
    await put('/meshes/ha/virtualNodes', {
      virtualNodeName: `c${c}`,
      spec: dnsNode(`c${c}`, ['svc.ha.local']),
    });
}

export const clientNode = (c: number) => ({ id: `mesh/ha/virtualNode/c${c}`, cluster: `c${c}` });
