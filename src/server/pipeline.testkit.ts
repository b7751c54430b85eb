/**
 * A mesh for the pipeline's run-scheduling tests: `callers` virtual nodes that all call
 * one routed service (as `rt-all` in the benches), so a change of its route's timeout
 * re-translates every group, two per node; and a reader of what a cache publishes.
 */
import { loadText } from '../load/index.js';
import { graphInputFromLoad, type GraphInput } from '../mesh/index.js';
import { staticEndpoints, type EndpointSource } from '../envoy/index.js';
import type { SnapshotCache } from '../xds/index.js';
import type { PipelineLogger } from './pipeline.js';

export function callersMesh(callers: number, timeoutSeconds: number): GraphInput {
  const nodes = Array.from(
    { length: callers },
    (_, i) => `---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: { name: caller-${i}, namespace: ns }
spec:
  podSelector: {}
  backends: [{ virtualService: { virtualServiceRef: { name: svc-all } } }]
`,
  ).join('');
  const text = `
apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata: { name: m }
spec: { namespaceSelector: {} }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: { name: server, namespace: ns }
spec:
  podSelector: {}
  listeners: [{ portMapping: { port: 8080, protocol: http } }]
  serviceDiscovery: { awsCloudMap: { namespaceName: local, serviceName: server } }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: { name: svc-all, namespace: ns }
spec: { provider: { virtualRouter: { virtualRouterRef: { name: rt-all } } } }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualRouter
metadata: { name: rt-all, namespace: ns }
spec:
  listeners: [{ portMapping: { port: 80, protocol: http } }]
  routes:
    - name: r
      httpRoute:
        match: { prefix: / }
        action: { weightedTargets: [{ virtualNodeRef: { name: server }, weight: 1 }] }
        timeout: { perRequest: { unit: s, value: ${timeoutSeconds} } }
${nodes}`;
  return graphInputFromLoad(loadText(text, 'callers.yaml')).input;
}

export const serverEndpoints = (address: string): EndpointSource =>
  staticEndpoints({ 'm/server_ns': [{ address }] });

export const quietLogger: PipelineLogger = { info() {}, warn() {}, error() {} };

/** Every group's published content: per type its version (a hash of the bytes), and the EDS names. */
export function publishedContent(cache: SnapshotCache): string {
  return JSON.stringify(
    cache
      .groups()
      .sort()
      .map((g) => {
        const s = cache.getSnapshot(g)!;
        return [g, [...s.types].map(([url, t]) => [url, t.version]).sort(), [...s.edsNames].sort()];
      }),
  );
}
