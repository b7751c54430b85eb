import { SEED_AS_WRITTEN, SEED_COMPLETE } from '../../test/support/fixtures.js';
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { formatSource } from '../model/index.js';
import { loadPaths, sourceOf } from './index.js';

const kindName = (o: unknown): string => {
  const { kind, metadata } = o as { kind: string; metadata: { name: string; namespace?: string } };
  return `${kind} ${metadata.namespace ? `${metadata.namespace}/` : ''}${metadata.name}`;
};

describe('the seed manifests', () => {
  it('complete/: 8 mesh objects, 1 namespace, pods from 4 deployments, no diagnostics', async () => {
    const r = await loadPaths([`${SEED_COMPLETE}`]);
    expect(r.diagnostics).toEqual([]);
    expect(r.meshObjects.map((o) => kindName(o.object))).toEqual([
      'Mesh mesh-1',
      'VirtualNode mesh-test/vnode-1',
      'VirtualNode mesh-test/vnode-2',
      'VirtualNode mesh-test/vnode-x',
      'VirtualRouter mesh-test/vrouter-1',
      'VirtualService mesh-test/svc-v',
      'VirtualGateway mesh-test/gateway-v',
      'GatewayRoute mesh-test/gateway-v-route-v',
    ]);
    expect(r.namespaces.map((n) => [n.name, n.labels])).toEqual([
      ['mesh-test', { mesh: 'mesh-1', 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' }],
    ]);
    expect(r.pods.map((p) => [p.origin, `${p.namespace}/${p.name}`, p.labels])).toEqual([
      ['Deployment', 'mesh-test/nginx-1', { app: 'sample0', group: 'sample1' }],
      ['Deployment', 'mesh-test/nginx-2', { app: 'sample2', group: 'sample1' }],
      ['Deployment', 'mesh-test/client', { app: 'client' }],
      ['Deployment', 'mesh-test/gateway-v', { for: 'gateway' }],
    ]);
    expect(r.ignored).toBe(4); // the four Services
    // A pod points at its template's labels in workloads.yaml.
    expect(formatSource(r.pods[3]!.source)).toBe(`${SEED_COMPLETE}/workloads.yaml:118:7`);
    expect(formatSource(r.pods[3]!.locate(['spec', 'containers', 0, 'ports', 0])!)).toBe(
      `${SEED_COMPLETE}/workloads.yaml:126:15`,
    );
  });

  it('as-written/: its 7 mesh objects, the IAM policy ignored, exact key positions', async () => {
    const r = await loadPaths([`${SEED_AS_WRITTEN}`]);
    expect(r.diagnostics).toEqual([]);
    expect(
      r.meshObjects.map(
        (o) => `${path.relative(path.dirname(SEED_AS_WRITTEN), o.file)} ${kindName(o.object)}`,
      ),
    ).toEqual([
      'seed-as-written/01-mesh-and-vnode.yaml Mesh mesh-1',
      'seed-as-written/01-mesh-and-vnode.yaml VirtualNode mesh-test/vnode-1',
      'seed-as-written/02-router-and-service.yaml VirtualRouter mesh-test/vrouter-1',
      'seed-as-written/02-router-and-service.yaml VirtualService mesh-test/svc-v',
      'seed-as-written/02-router-and-service.yaml VirtualNode mesh-test/vnode-x',
      'seed-as-written/03-gateway.yaml VirtualGateway mesh-test/gateway-v',
      'seed-as-written/03-gateway.yaml GatewayRoute mesh-test/gateway-v-route-v',
    ]);
    expect(r.namespaces.map((n) => [n.name, n.labels.mesh])).toEqual([['mesh-test', 'mesh-1']]);
    expect(r.pods.map((p) => `${p.namespace}/${p.name}`)).toEqual([
      'mesh-test/nginx-1',
      'mesh-test/gateway-v',
    ]);
    // 3 Services + the IAM policy document.
    expect(r.ignored).toBe(4);

    const mesh = r.meshObjects[0]!;
    // Line 12 is `matchLabels:`; the `mesh:` key is on line 13, indented 6.
    expect(formatSource(sourceOf(mesh, ['spec', 'namespaceSelector', 'matchLabels', 'mesh'])!)).toBe(
      `${SEED_AS_WRITTEN}/01-mesh-and-vnode.yaml:13:7`,
    );
    expect(formatSource(sourceOf(mesh, ['spec', 'namespaceSelector', 'matchLabels'])!)).toBe(
      `${SEED_AS_WRITTEN}/01-mesh-and-vnode.yaml:12:5`,
    );
    const router = r.meshObjects[2]!;
    const target = [
      'spec',
      'routes',
      0,
      'httpRoute',
      'action',
      'weightedTargets',
      1,
      'virtualNodeRef',
      'name',
    ];
    expect(formatSource(sourceOf(router, target)!)).toBe(
      `${SEED_AS_WRITTEN}/02-router-and-service.yaml:24:17`,
    );
    expect(formatSource(r.namespaces[0]!.source)).toBe(`${SEED_AS_WRITTEN}/01-mesh-and-vnode.yaml:19:3`);
  });
});
