import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createMemoryStore } from '../store/index.js';
import { startApi, type Call } from '../../test/support/api-harness.js';

// App Mesh names are unique within a mesh (gateway routes: within their gateway), not globally.
const listener = { portMapping: { port: 80, protocol: 'http' } };
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function api(): Promise<Call> {
  const started = await startApi({
    store: createMemoryStore(),
    accountId: '123456789012',
    region: 'eu-west-1',
    rateLimit: false,
  });
  app = started.app;
  return started.call;
}

describe('App Mesh API: names are scoped to their mesh and gateway', () => {
  it('CreateGatewayRoute "gr" on gateway g1 and on gateway g2 of one mesh both succeed', async () => {
    const call = await api();
    const ok = async (url: string, body: unknown) => {
      const r = await call('PUT', url, body);
      expect({ url, status: r.status, body: r.status === 200 ? {} : r.body }).toEqual({
        url,
        status: 200,
        body: {},
      });
      return r;
    };
    await ok('/meshes', { meshName: 'm' });
    await ok('/meshes/m/virtualNodes', {
      virtualNodeName: 'vn',
      spec: { listeners: [listener], serviceDiscovery: { dns: { hostname: 'vn.local' } } },
    });
    for (const s of ['s1', 's2'])
      await ok('/meshes/m/virtualServices', {
        virtualServiceName: s,
        spec: { provider: { virtualNode: { virtualNodeName: 'vn' } } },
      });
    for (const g of ['g1', 'g2'])
      await ok('/meshes/m/virtualGateways', { virtualGatewayName: g, spec: { listeners: [listener] } });
    const route = (target: string) => ({
      gatewayRouteName: 'gr',
      spec: {
        httpRoute: {
          match: { prefix: '/' },
          action: { target: { virtualService: { virtualServiceName: target } } },
        },
      },
    });
    const first = await ok('/meshes/m/virtualGateway/g1/gatewayRoutes', route('s1'));
    const second = await ok('/meshes/m/virtualGateway/g2/gatewayRoutes', route('s2'));
    expect(first.body).toMatchObject({
      gatewayRouteName: 'gr',
      virtualGatewayName: 'g1',
      metadata: { arn: 'arn:aws:appmesh:eu-west-1:123456789012:mesh/m/virtualGateway/g1/gatewayRoute/gr' },
    });
    expect(second.body).toMatchObject({
      gatewayRouteName: 'gr',
      virtualGatewayName: 'g2',
      metadata: { arn: 'arn:aws:appmesh:eu-west-1:123456789012:mesh/m/virtualGateway/g2/gatewayRoute/gr' },
    });
    for (const [g, s] of [
      ['g1', 's1'],
      ['g2', 's2'],
    ] as const) {
      const d = await call('GET', `/meshes/m/virtualGateway/${g}/gatewayRoutes/gr`);
      expect(d.body).toMatchObject({
        virtualGatewayName: g,
        spec: { httpRoute: { action: { target: { virtualService: { virtualServiceName: s } } } } },
      });
      const list = await call('GET', `/meshes/m/virtualGateway/${g}/gatewayRoutes`);
      expect(
        (list.body.gatewayRoutes as Array<{ gatewayRouteName: string; virtualGatewayName: string }>).map(
          (r) => [r.virtualGatewayName, r.gatewayRouteName],
        ),
      ).toEqual([[g, 'gr']]);
    }
    // A second "gr" on the same gateway is still refused.
    const again = await call('PUT', '/meshes/m/virtualGateway/g1/gatewayRoutes', route('s2'));
    expect(again.status).toBe(409);
    expect(again.errorType).toBe('ConflictException');
  });

  it('CreateVirtualNode "vn" in mesh m1 and in mesh m2 both succeed and are listed separately', async () => {
    const call = await api();
    for (const m of ['m1', 'm2']) {
      expect((await call('PUT', '/meshes', { meshName: m })).status).toBe(200);
      const r = await call('PUT', `/meshes/${m}/virtualNodes`, {
        virtualNodeName: 'vn',
        spec: { listeners: [listener], serviceDiscovery: { dns: { hostname: `vn.${m}.local` } } },
      });
      expect({ status: r.status, body: r.status === 200 ? {} : r.body }).toEqual({ status: 200, body: {} });
      expect(r.body).toMatchObject({
        meshName: m,
        virtualNodeName: 'vn',
        metadata: { arn: `arn:aws:appmesh:eu-west-1:123456789012:mesh/${m}/virtualNode/vn` },
      });
    }
    for (const m of ['m1', 'm2']) {
      const list = await call('GET', `/meshes/${m}/virtualNodes`);
      expect(
        (list.body.virtualNodes as Array<{ meshName: string; virtualNodeName: string }>).map((v) => [
          v.meshName,
          v.virtualNodeName,
        ]),
      ).toEqual([[m, 'vn']]);
      const d = await call('GET', `/meshes/${m}/virtualNodes/vn`);
      expect(d.body).toMatchObject({
        meshName: m,
        spec: { serviceDiscovery: { dns: { hostname: `vn.${m}.local` } } },
      });
    }
  });
});
