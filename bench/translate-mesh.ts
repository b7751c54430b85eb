/**
 * The bench mesh at 10× App Mesh's per-mesh quotas (see translate.bench.ts): 2,000
 * virtual nodes with 5 backends each (half DNS, half Cloud Map), 2,000 virtual
 * services, 500 routers × 10 routes × 2 weighted targets.
 */
import type { AnyResource, Mesh, VirtualNode, VirtualRouter, VirtualService } from '../src/model/index.js';
import { API_VERSION } from '../src/model/index.js';
import type { Endpoint } from '../src/envoy/endpoints.js';

export const NODES = 2000;
export const SERVICES = 2000;
export const ROUTERS = 500;
export const ROUTES_PER_ROUTER = 10;
export const BACKENDS_PER_NODE = 5;
const NS = 'bench';

const meta = (name: string) => ({ name, namespace: NS });

export interface MeshSize {
  nodes: number;
  services: number;
  routers: number;
}

export const FULL_SIZE: MeshSize = { nodes: NODES, services: SERVICES, routers: ROUTERS };

export function meshResources(size: MeshSize = FULL_SIZE): AnyResource[] {
  const { nodes, services, routers } = size;
  const out: AnyResource[] = [];
  const mesh: Mesh = {
    apiVersion: API_VERSION,
    kind: 'Mesh',
    metadata: { name: 'big' },
    spec: { namespaceSelector: {}, egressFilter: { type: 'DROP_ALL' } },
  };
  out.push(mesh);
  for (let i = 0; i < nodes; i++) {
    const vn: VirtualNode = {
      apiVersion: API_VERSION,
      kind: 'VirtualNode',
      metadata: meta(`vn-${i}`),
      spec: {
        podSelector: { matchLabels: { app: `vn-${i}` } },
        listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
        serviceDiscovery:
          i % 2 === 0
            ? { dns: { hostname: `vn-${i}.${NS}.svc.cluster.local` } }
            : { awsCloudMap: { namespaceName: 'bench.local', serviceName: `vn-${i}` } },
        backends: Array.from({ length: BACKENDS_PER_NODE }, (_, k) => ({
          virtualService: { virtualServiceRef: { name: `svc-${(i * 7 + k * 101) % services}` } },
        })),
      },
    };
    out.push(vn);
  }
  for (let s = 0; s < services; s++) {
    const vs: VirtualService = {
      apiVersion: API_VERSION,
      kind: 'VirtualService',
      metadata: meta(`svc-${s}`),
      spec: { provider: { virtualRouter: { virtualRouterRef: { name: `rt-${s % routers}` } } } },
    };
    out.push(vs);
  }
  for (let r = 0; r < routers; r++) out.push(router(r, 15, nodes));
  return out;
}

export function router(r: number, timeoutSeconds: number, nodes = NODES): VirtualRouter {
  return {
    apiVersion: API_VERSION,
    kind: 'VirtualRouter',
    metadata: meta(`rt-${r}`),
    spec: {
      listeners: [{ portMapping: { port: 80, protocol: 'http' } }],
      routes: Array.from({ length: ROUTES_PER_ROUTER }, (_, k) => ({
        name: `route-${k}`,
        httpRoute: {
          match:
            k === ROUTES_PER_ROUTER - 1
              ? { prefix: '/' }
              : { prefix: `/api/v${k}/`, headers: [{ name: 'x-tenant', match: { exact: `t${k}` } }] },
          action: {
            weightedTargets: [
              { virtualNodeRef: { name: `vn-${(r * 4 + k) % nodes}` }, weight: 80 },
              { virtualNodeRef: { name: `vn-${(r * 4 + k + Math.floor(nodes / 2)) % nodes}` }, weight: 20 },
            ],
          },
          retryPolicy: {
            maxRetries: 2,
            perRetryTimeout: { unit: 'ms', value: 500 },
            httpRetryEvents: ['server-error', 'gateway-error'],
          },
          timeout: { perRequest: { unit: 's', value: timeoutSeconds } },
        },
      })),
    },
  };
}

export const QUOTAS = {
  virtualNodesPerMesh: NODES,
  virtualServicesPerMesh: SERVICES,
  virtualRoutersPerMesh: ROUTERS,
  routesPerVirtualRouter: ROUTES_PER_ROUTER,
  backendsPerVirtualNode: BACKENDS_PER_NODE,
};

export function endpointTable(): Record<string, Endpoint[]> {
  const table: Record<string, Endpoint[]> = {};
  for (let i = 1; i < NODES; i += 2) {
    table[`big/vn-${i}_${NS}`] = [0, 1, 2].map((j) => ({
      address: `10.${j}.${i >> 8}.${i & 255}`,
      zone: `zone-${j}`,
    }));
  }
  return table;
}
