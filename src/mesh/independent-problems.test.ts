/**
 * Issue 16 item 6: one schema error on an object must not hide its other, independent
 * problems. What remains of the object without its fields in error is checked for
 * membership, its own rules and its references, never served, and never reported at a
 * field whose schema error already says what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { loadText } from '../load/index.js';
import { validateLoaded } from './from-load.js';

const MESH = `apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata: {name: m}
spec: {namespaceSelector: {matchLabels: {mesh: m}}}
---
apiVersion: v1
kind: Namespace
metadata: {name: default}
---
apiVersion: v1
kind: Namespace
metadata: {name: ns, labels: {mesh: m}}
`;

function validate(text: string) {
  const { graph, diagnostics } = validateLoaded(loadText(`${MESH}---\n${text}`, 'in.yaml'));
  return { graph, codes: diagnostics.map((d) => `${d.severity} ${d.code} @ ${d.path}`) };
}

describe('every independent problem of an object is reported', () => {
  // The controller's sample, as published (aws/aws-app-mesh-controller-for-k8s
  // config/samples/appmesh_v1beta2_virtualrouter.yaml), applied to namespace default.
  it("the controller's VirtualRouter sample: no mesh for namespace default, no listener, an unknown field", () => {
    const { codes } = validate(`apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualRouter
metadata:
  name: virtualrouter-sample
spec:
  # Add fields here
  foo: bar
`);
    expect(codes).toEqual([
      'error mesh.no-matching-mesh @ spec.namespaceSelector',
      'warning vr.no-listener @ spec',
      'warning schema.unknown-field @ spec.foo',
    ]);
  });

  it('a schema error does not hide membership nor a route protocol mismatch', () => {
    const { codes } = validate(`apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualRouter
metadata: {name: r, namespace: default}
spec:
  awsName: 123
  listeners: [{portMapping: {port: 9000, protocol: tcp}}]
  routes:
    - name: web
      httpRoute:
        match: {prefix: /}
        action: {weightedTargets: [{virtualNodeRef: {name: gone}, weight: 1}]}
`);
    expect(codes).toEqual([
      'error mesh.no-matching-mesh @ spec.namespaceSelector',
      'error schema.type @ spec.awsName',
      'error route.protocol-mismatch @ spec.routes[0].httpRoute',
      'error ref.not-found @ spec.routes[0].httpRoute.action.weightedTargets[0].virtualNodeRef',
    ]);
  });

  it('nothing is reported again at a field removed for its schema error', () => {
    const { codes } = validate(`apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: {name: n, namespace: ns}
spec:
  listeners: [{portMapping: {port: 8080, protocol: http}}]
  serviceDiscovery: {dns: {}}
  backends:
    - virtualService: {virtualServiceRef: {name: a}}
    - virtualService: {virtualServiceRef: {name: a}}
`);
    // Not also "ServiceDiscovery must be specified when a listener is specified".
    expect(codes).toEqual([
      'error schema.required @ spec.serviceDiscovery.dns.hostname',
      'warning ref.backend-not-found @ spec.backends[0].virtualService.virtualServiceRef',
      'error vn.duplicate-backend @ spec.backends[1].virtualService',
      'warning ref.backend-not-found @ spec.backends[1].virtualService.virtualServiceRef',
    ]);
  });

  it('an error about spec as a whole does not hide where the object belongs', () => {
    const { codes } = validate(`apiVersion: appmesh.k8s.aws/v1beta2
kind: GatewayRoute
metadata: {name: r, namespace: ns}
spec:
  httpRoute: {match: {prefix: /}, action: {target: {virtualService: {virtualServiceRef: {name: s}}}}}
  grpcRoute: {match: {serviceName: a.B}, action: {target: {virtualService: {virtualServiceRef: {name: s}}}}}
`);
    expect(codes).toEqual([
      'error gr.no-matching-gateway @ metadata.labels',
      'error schema.exactly-one @ spec',
    ]);
  });

  it('the object is never served, and what refers to it waits for it without an error', () => {
    const { graph, codes } = validate(`apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: {name: n, namespace: ns}
spec:
  listeners: [{portMapping: {port: 8080, protocol: http}}]
  serviceDiscovery: {dns: {hostname: n.ns.svc.cluster.local}}
  logging: {accessLog: {file: {path: ''}}}
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: {name: s, namespace: ns}
spec: {provider: {virtualNode: {virtualNodeRef: {name: n}}}}
`);
    expect(codes).toEqual(['error schema.length @ spec.logging.accessLog.file.path']);
    const view = graph.meshes.get('m')!;
    expect(view.virtualNodes.size).toBe(0);
    expect(view.virtualServices.get('s.ns')?.inactive?.message).toBe(
      'waits for VirtualNode ns/n, which is invalid',
    );
    expect(graph.counts.resources).toBe(1);
  });
});
