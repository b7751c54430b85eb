import { SEED_AS_WRITTEN, SEED_COMPLETE } from '../../test/support/fixtures.js';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPathsSync, loadText } from '../load/index.js';
import { formatSource } from '../model/index.js';
import { validateLoaded } from './from-load.js';

describe('validateLoaded on the seed', () => {
  it('as-written: exactly two errors, one per root cause, at the right file:line', () => {
    const { diagnostics, graph } = validateLoaded(loadPathsSync([SEED_AS_WRITTEN]));
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => `${path.basename(d.source!.file)}:${d.source!.line} ${d.code}`)).toEqual([
      '01-mesh-and-vnode.yaml:11 mesh.no-matching-mesh',
      '02-router-and-service.yaml:23 ref.not-found',
    ]);
    const [mesh, route] = errors;
    expect(mesh!.message).toContain(
      'Mesh mesh-1 selects mesh=sitateru-mesh, but the namespace has mesh=mesh-1',
    );
    expect(mesh!.related!.map((r) => `${r.resource!.kind} ${r.resource!.name}`)).toEqual([
      'Namespace mesh-test',
      'VirtualNode vnode-1',
      'VirtualRouter vrouter-1',
      'VirtualService svc-v',
      'VirtualNode vnode-x',
      'VirtualGateway gateway-v',
      'GatewayRoute gateway-v-route-v',
    ]);
    expect(formatSource(mesh!.related![0]!.source!)).toMatch(/01-mesh-and-vnode\.yaml:19:3$/);
    expect(route!.path).toBe('spec.routes[0].httpRoute.action.weightedTargets[1].virtualNodeRef');
    expect(route!.message).toBe('route route-1 targets VirtualNode mesh-test/vnode-2, which does not exist');
    expect(graph.counts).toEqual({ meshes: 1, resources: 6 });
    const reasons = Object.fromEntries(graph.unplaced.map((u) => [u.id.name, u.inactive]));
    expect(reasons['vrouter-1']!.reason).toBe('ValidationFailed');
    expect(reasons['svc-v']!.message).toContain('VirtualRouter mesh-test/vrouter-1');
    expect(reasons['gateway-v-route-v']!.message).toContain('VirtualService mesh-test/svc-v');
  });

  it('complete: no errors, no warnings, everything active', () => {
    const { diagnostics, graph } = validateLoaded(loadPathsSync([SEED_COMPLETE]));
    expect(diagnostics).toEqual([]);
    const view = graph.meshes.get('mesh-1')!;
    expect(view.mesh.egressFilter).toBe('ALLOW_ALL');
    expect([...view.virtualNodes.keys()]).toEqual([
      'vnode-1_mesh-test',
      'vnode-2_mesh-test',
      'vnode-x_mesh-test',
    ]);
    const svc = view.virtualServices.get('svc-v.mesh-test')!;
    expect(svc.hostnames).toEqual([
      'svc-v.mesh-test',
      'svc-v.mesh-test.svc.cluster.local',
      'svc-v.mesh-test.svc',
    ]);
    expect(svc.provider?.kind).toBe('virtualRouter');
    const route = view.virtualRouters.get('vrouter-1_mesh-test')!.routes[0]!;
    expect(route.targets.map((t) => [t.node.awsName, t.weight])).toEqual([
      ['vnode-1_mesh-test', 1],
      ['vnode-2_mesh-test', 1],
    ]);
    expect(view.virtualNodes.get('vnode-x_mesh-test')!.backends[0]).toMatchObject({
      serviceName: svc.awsName,
      found: true,
    });
    expect(view.virtualGateways.get('gateway-v_mesh-test')!.routes.map((r) => r.awsName)).toEqual([
      'gateway-v-route-v_mesh-test',
    ]);
    expect(graph.unplaced).toEqual([]);
    for (const m of [view.virtualNodes, view.virtualServices, view.virtualRouters, view.virtualGateways])
      for (const x of m.values()) expect(x.inactive).toBeUndefined();
  });

  it('a schema error in one object does not cascade into "does not exist" errors elsewhere', () => {
    const text = `
apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata: { name: m }
spec: { namespaceSelector: {} }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: { name: n, namespace: ns }
spec:
  listeners: [{ portMapping: { port: 80, protocol: htp } }]
  serviceDiscovery: { dns: { hostname: h } }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: { name: s, namespace: ns }
spec: { provider: { virtualNode: { virtualNodeRef: { name: n } } } }
`;
    const { diagnostics } = validateLoaded(loadText(text, 'mem.yaml'));
    expect(
      diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.source?.line} ${d.code} @ ${d.path}`),
    ).toEqual(['11 schema.type @ spec.listeners[0].portMapping.protocol']);
  });

  it('objects without a namespace go to the default namespace (or the one given)', () => {
    const text = `
apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata: { name: m }
spec: { namespaceSelector: {} }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: { name: s }
spec: {}
`;
    const { graph } = validateLoaded(loadText(text, 'mem.yaml'));
    expect([...graph.meshes.get('m')!.virtualServices.keys()]).toEqual(['s.default']);
  });
});
