import { beforeAll, describe, expect, it } from 'vitest';
import { loadPaths } from '../load/index.js';
import { validateLoaded, type MeshGraph } from '../mesh/index.js';
import { TYPE_URL, type ClientStatus } from '../xds/index.js';
import { SEED_COMPLETE } from '../../test/support/fixtures.js';
import { matchText, meshTopology } from './topology.js';
import { proxyStatusRow } from './proxy-status.js';

const VNODE_1 = 'mesh/mesh-1/virtualNode/vnode-1_mesh-test';

function client(nodeId: string, group: string, nack?: string): ClientStatus {
  const at = '2026-12-04T21:00:00.000Z';
  return {
    streamId: 1,
    nodeId,
    cluster: 'c',
    group,
    flavour: group.endsWith('#grpc') ? 'grpc' : 'envoy',
    protocol: 'sotw',
    userAgent: 'envoy',
    peer: '127.0.0.1:1',
    principal: null,
    connectedSince: at,
    waiting: false,
    types: [
      {
        typeUrl: TYPE_URL.Listener,
        wildcard: true,
        names: [],
        ackedVersion: nack ? 'v1' : 'v2',
        lastSent: { version: 'v2', nonce: 'n', at },
        pendingAck: false,
        lastNack: nack ? { version: 'v2', message: nack, code: 3, at } : null,
        resources: [],
      },
    ],
  };
}

describe('meshTopology', () => {
  let graph: MeshGraph;
  beforeAll(async () => {
    graph = validateLoaded(await loadPaths([SEED_COMPLETE])).graph;
  });

  it('draws the seed: gateway → gateway route → service → router → route → nodes at 50/50, backends dashed', () => {
    const t = meshTopology('mesh-1', graph.meshes.get('mesh-1')!, {
      graph,
      diagnostics: [],
      clients: [],
      replica: 'r',
      now: 0,
    });
    const edges = t.edges.map((e) => `${e.from} -> ${e.to}${e.label ? ` (${e.label})` : ''}`);
    expect(edges).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^VirtualGateway\/gateway-v_mesh-test -> GatewayRoute\/gateway-v_mesh-test\//),
        expect.stringMatching(/^GatewayRoute\/.* -> VirtualService\/svc-v/),
        expect.stringMatching(/^VirtualService\/svc-v\S* -> VirtualRouter\/vrouter-1_mesh-test$/),
        'VirtualRouter/vrouter-1_mesh-test -> Route/vrouter-1_mesh-test/route-1',
        'Route/vrouter-1_mesh-test/route-1 -> VirtualNode/vnode-1_mesh-test (50%)',
        'Route/vrouter-1_mesh-test/route-1 -> VirtualNode/vnode-2_mesh-test (50%)',
        expect.stringMatching(/^VirtualNode\/vnode-x_mesh-test -> VirtualService\/svc-v\S* \(backend\)$/),
      ]),
    );
    expect(t.nodes.find((n) => n.kind === 'Route')?.detail).toBe('prefix /');
    expect(t.problems).toEqual([]);
  });

  it("counts a node's Envoys and gRPC clients together, and lists a NACK first with Envoy's message", () => {
    const t = meshTopology('mesh-1', graph.meshes.get('mesh-1')!, {
      graph,
      diagnostics: [],
      clients: [client(VNODE_1, VNODE_1, 'bad listener'), client(VNODE_1, `${VNODE_1}#grpc`)],
      replica: 'replica-a',
      now: 0,
    });
    const node = t.nodes.find((n) => n.id === 'VirtualNode/vnode-1_mesh-test')!;
    expect(node.proxies).toMatchObject({ connected: 2, nacked: 1, synced: 1, replicas: ['replica-a'] });
  });

  it("adds the other replicas' proxies, counted per replica", () => {
    const t = meshTopology('mesh-1', graph.meshes.get('mesh-1')!, {
      graph,
      diagnostics: [],
      clients: [client(VNODE_1, VNODE_1)],
      replica: 'replica-a',
      now: 0,
      elsewhere: [
        { ...proxyStatusRow(client(VNODE_1, VNODE_1), 'replica-b', 0, null) },
        { ...proxyStatusRow(client(VNODE_1, `${VNODE_1}#grpc`, 'bad listener'), 'replica-b', 0, null) },
      ],
    });
    const node = t.nodes.find((n) => n.id === 'VirtualNode/vnode-1_mesh-test')!;
    expect(node.proxies).toMatchObject({
      connected: 3,
      nacked: 1,
      replicas: ['replica-a', 'replica-b'],
      byReplica: [
        { replica: 'replica-a', connected: 1 },
        { replica: 'replica-b', connected: 2 },
      ],
    });
    expect(t.problems[0]?.message).toBe(`${VNODE_1} rejected LDS: bad listener`);
    expect(t.problems[0]).toEqual({
      severity: 'error',
      nodeId: 'VirtualNode/vnode-1_mesh-test',
      message: `${VNODE_1} rejected LDS: bad listener`,
    });
  });
});

describe('matchText', () => {
  it('says what a route matches', () => {
    expect(matchText({ httpRoute: { match: { prefix: '/a', headers: [{}, {}] } } })).toBe(
      'prefix /a +2 headers',
    );
    expect(matchText({ grpcRoute: { match: { serviceName: 'svc', methodName: 'Get' } } })).toBe(
      'grpc svc/Get',
    );
    expect(matchText({ tcpRoute: {} })).toBe('tcp');
    expect(matchText({ httpRoute: { match: { path: { exact: '/x' } } } })).toBe('path /x');
  });
});
