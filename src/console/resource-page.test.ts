import { beforeAll, describe, expect, it } from 'vitest';
import { loadPaths } from '../load/index.js';
import { validateLoaded, type MeshGraph } from '../mesh/index.js';
import type { Diagnostic } from '../model/index.js';
import { SEED_COMPLETE } from '../../test/support/fixtures.js';
import { resourcePage } from './resource-page.js';

const noProxies = { connected: 0, replicas: [], byReplica: [], synced: 0, stale: 0, nacked: 0, errors: [] };

describe('resourcePage', () => {
  let graph: MeshGraph;
  beforeAll(async () => {
    graph = validateLoaded(await loadPaths([SEED_COMPLETE])).graph;
  });

  it('shows the manifest without status, the diagnostics with file:line, and which group it asks for', () => {
    const view = graph.meshes.get('mesh-1')!;
    const vn = view.virtualNodes.get('vnode-x_mesh-test')!;
    const diagnostic: Diagnostic = {
      severity: 'warning',
      code: 'test.code',
      path: 'spec',
      message: 'a warning about vnode-x',
      resource: vn.id,
      source: { file: 'mesh.yaml', line: 55, col: 3 },
    };
    const groups: string[] = [];
    const page = resourcePage(
      'mesh-1',
      view,
      { kind: 'VirtualNode', name: 'vnode-x_mesh-test' },
      [diagnostic],
      (group) => {
        groups.push(group);
        return undefined;
      },
      () => noProxies,
    )!;
    expect(page.yaml).toContain('virtualServiceRef');
    expect(page.yaml).not.toContain('status:');
    expect(page.diagnostics).toEqual([
      { severity: 'warning', code: 'test.code', message: 'a warning about vnode-x', where: 'mesh.yaml:55:3' },
    ]);
    expect(groups).toEqual(['mesh/mesh-1/virtualNode/vnode-x_mesh-test']);
    expect(page.envoy).toMatchObject({ listeners: [], routes: [] });
  });

  it('shows a route of a router, and nothing for a name it does not know', () => {
    const view = graph.meshes.get('mesh-1')!;
    const route = resourcePage(
      'mesh-1',
      view,
      { kind: 'Route', name: 'route-1', parent: 'vrouter-1_mesh-test' },
      [],
      () => undefined,
      () => noProxies,
    );
    expect(route?.yaml).toContain('weightedTargets');
    expect(route?.envoy).toBeUndefined();
    expect(
      resourcePage(
        'mesh-1',
        view,
        { kind: 'VirtualNode', name: 'nope' },
        [],
        () => undefined,
        () => noProxies,
      ),
    ).toBeUndefined();
  });
});
