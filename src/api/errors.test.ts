import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createMemoryStore, resourceKey, type ResourceStore } from '../store/index.js';
import { startApi, type Call } from '../../test/support/api-harness.js';
import type { ApiServerOptions } from './server.js';
import type { ApiRequestMetric } from './plugin.js';

const listener = { portMapping: { port: 80, protocol: 'http' } };
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function api(options: Partial<ApiServerOptions> = {}): Promise<Call> {
  const started = await startApi({ store: createMemoryStore(), rateLimit: false, ...options });
  app = started.app;
  return started.call;
}

async function meshWithRoute(call: Call): Promise<void> {
  await call('PUT', '/meshes', { meshName: 'm' });
  await call('PUT', '/meshes/m/virtualNodes', {
    virtualNodeName: 'n',
    spec: { listeners: [listener], serviceDiscovery: { dns: { hostname: 'n' } } },
  });
  await call('PUT', '/meshes/m/virtualRouters', { virtualRouterName: 'r', spec: { listeners: [listener] } });
  await call('PUT', '/meshes/m/virtualRouter/r/routes', {
    routeName: 'x',
    spec: {
      httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'n', weight: 1 }] } },
    },
  });
}

describe('App Mesh API: errors', () => {
  it('NotFoundException with the AWS wire format', async () => {
    const call = await api();
    const r = await call('GET', '/meshes/nope');
    expect(r).toMatchObject({ status: 404, errorType: 'NotFoundException' });
    expect(Object.keys(r.body)).toEqual(['message']);
    expect((await call('GET', '/meshes/nope/virtualNodes')).errorType).toBe('NotFoundException');
  });

  it('ConflictException: a clientToken reused with a different body; an existing name', async () => {
    const call = await api();
    const first = await call('PUT', '/meshes', { meshName: 'm', clientToken: 't1' });
    const again = await call('PUT', '/meshes', { meshName: 'm', clientToken: 't1' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const other = await call('PUT', '/meshes', {
      meshName: 'm',
      clientToken: 't1',
      spec: { egressFilter: { type: 'ALLOW_ALL' } },
    });
    expect(other).toMatchObject({ status: 409, errorType: 'ConflictException' });
    expect(await call('PUT', '/meshes', { meshName: 'm' })).toMatchObject({
      status: 409,
      errorType: 'ConflictException',
    });
  });

  it('ConflictException for a stale write (the store version moved under the request)', async () => {
    const store = createMemoryStore();
    // A second writer (another replica) changes the node between the API's read and its write.
    const racing: ResourceStore = Object.create(store) as ResourceStore;
    let race = false;
    racing.put = async (key, value, opts) => {
      if (race && key.startsWith('VirtualNode/')) {
        race = false;
        const current = await store.get(key);
        await store.put(key, current?.value);
      }
      return store.put(key, value, opts);
    };
    const call = await api({ store: racing });
    await call('PUT', '/meshes', { meshName: 'm' });
    await call('PUT', '/meshes/m/virtualNodes', { virtualNodeName: 'n', spec: {} });
    race = true;
    expect(
      await call('PUT', '/meshes/m/virtualNodes/n', {
        spec: { listeners: [listener], serviceDiscovery: { dns: { hostname: 'n' } } },
      }),
    ).toMatchObject({
      status: 409,
      errorType: 'ConflictException',
    });
  });

  it('route writes into a shared router record are retried, not lost, when another writer races', async () => {
    const store = createMemoryStore();
    const racing: ResourceStore = Object.create(store) as ResourceStore;
    let race = 0;
    racing.put = async (key, value, opts) => {
      if (race > 0 && key.startsWith('VirtualRouter/')) {
        race--;
        const current = await store.get(key);
        await store.put(key, current?.value);
      }
      return store.put(key, value, opts);
    };
    const call = await api({ store: racing });
    await meshWithRoute(call);
    race = 2;
    const r = await call('PUT', '/meshes/m/virtualRouter/r/routes', {
      routeName: 'y',
      spec: {
        httpRoute: {
          match: { prefix: '/y' },
          action: { weightedTargets: [{ virtualNode: 'n', weight: 1 }] },
        },
      },
    });
    expect(r.status).toBe(200);
    expect((await call('GET', '/meshes/m/virtualRouter/r/routes')).body.routes).toHaveLength(2);
  });

  it('DeleteMesh refuses while any one member kind remains, then deletes the mesh for good', async () => {
    const members: Array<[string, string, Record<string, unknown>]> = [
      ['virtualNodes', 'virtualNodeName', {}],
      ['virtualServices', 'virtualServiceName', {}],
      ['virtualRouters', 'virtualRouterName', { listeners: [listener] }],
      ['virtualGateways', 'virtualGatewayName', { listeners: [listener] }],
    ];
    const call = await api();
    for (const [collection, field, spec] of members) {
      expect((await call('PUT', '/meshes', { meshName: 'm' })).status).toBe(200);
      const uid = ((await call('GET', '/meshes/m')).body.metadata as { uid: string }).uid;
      expect((await call('PUT', `/meshes/m/${collection}`, { [field]: 'x', spec })).status).toBe(200);
      const refused = await call('DELETE', '/meshes/m');
      expect(refused).toMatchObject({ status: 409, errorType: 'ResourceInUseException' });
      expect(refused.body.message).toMatch(/still has resources \(1 Virtual/);
      expect((await call('GET', '/meshes/m')).status).toBe(200);
      expect((await call('DELETE', `/meshes/m/${collection}/x`)).status).toBe(200);
      expect((await call('DELETE', '/meshes/m')).body).toMatchObject({ status: { status: 'DELETED' } });
      expect((await call('GET', '/meshes/m')).errorType).toBe('NotFoundException');
      expect((await call('GET', '/meshes')).body.meshes).toEqual([]);
      expect((await call('GET', `/meshes/m/${collection}`)).errorType).toBe('NotFoundException');
      // The name is free again, for a new mesh with a new identity.
      expect((await call('PUT', '/meshes', { meshName: 'm' })).status).toBe(200);
      expect(((await call('GET', '/meshes/m')).body.metadata as { uid: string }).uid).not.toBe(uid);
      expect((await call('DELETE', '/meshes/m')).status).toBe(200);
    }
  });

  it('ResourceInUseException for everything App Mesh refuses to delete', async () => {
    const call = await api();
    await meshWithRoute(call);
    await call('PUT', '/meshes/m/virtualServices', {
      virtualServiceName: 's',
      spec: { provider: { virtualRouter: { virtualRouterName: 'r' } } },
    });
    await call('PUT', '/meshes/m/virtualServices', {
      virtualServiceName: 's2',
      spec: { provider: { virtualNode: { virtualNodeName: 'n' } } },
    });
    await call('PUT', '/meshes/m/virtualGateways', {
      virtualGatewayName: 'g',
      spec: { listeners: [listener] },
    });
    await call('PUT', '/meshes/m/virtualGateway/g/gatewayRoutes', {
      gatewayRouteName: 'gr',
      spec: {
        httpRoute: {
          match: { prefix: '/' },
          action: { target: { virtualService: { virtualServiceName: 's' } } },
        },
      },
    });
    const inUse = async (url: string, text: string) => {
      const r = await call('DELETE', url);
      expect(r).toMatchObject({ status: 409, errorType: 'ResourceInUseException' });
      expect(r.body.message).toContain(text);
    };
    await inUse('/meshes/m', 'still has resources');
    await inUse('/meshes/m/virtualNodes/n', 'Route x of VirtualRouter r');
    await inUse('/meshes/m/virtualRouters/r', 'has 1 route');
    await inUse('/meshes/m/virtualServices/s', 'GatewayRoute gr');
    await inUse('/meshes/m/virtualGateways/g', 'gateway route');
    // Deleting in dependency order works.
    for (const url of [
      '/meshes/m/virtualGateway/g/gatewayRoutes/gr',
      '/meshes/m/virtualGateways/g',
      '/meshes/m/virtualServices/s',
      '/meshes/m/virtualServices/s2',
      '/meshes/m/virtualRouter/r/routes/x',
      '/meshes/m/virtualRouters/r',
      '/meshes/m/virtualNodes/n',
      '/meshes/m',
    ]) {
      expect((await call('DELETE', url)).status, url).toBe(200);
    }
  });

  it('LimitExceededException: the 16th mesh, a 4th gateway, a configured quota', async () => {
    const call = await api();
    for (let i = 1; i <= 15; i++)
      expect((await call('PUT', '/meshes', { meshName: `m${i}` })).status).toBe(200);
    const r = await call('PUT', '/meshes', { meshName: 'm16' });
    expect(r).toMatchObject({ status: 400, errorType: 'LimitExceededException' });
    expect(r.body.message).toContain('15');
    for (let i = 1; i <= 3; i++)
      await call('PUT', '/meshes/m1/virtualGateways', {
        virtualGatewayName: `g${i}`,
        spec: { listeners: [listener] },
      });
    expect(
      (
        await call('PUT', '/meshes/m1/virtualGateways', {
          virtualGatewayName: 'g4',
          spec: { listeners: [listener] },
        })
      ).errorType,
    ).toBe('LimitExceededException');

    await app?.close();
    const small = await api({ quotas: { virtualNodesPerMesh: 1, backendsPerVirtualNode: 1 } });
    await small('PUT', '/meshes', { meshName: 'm' });
    expect((await small('PUT', '/meshes/m/virtualNodes', { virtualNodeName: 'a', spec: {} })).status).toBe(
      200,
    );
    expect((await small('PUT', '/meshes/m/virtualNodes', { virtualNodeName: 'b', spec: {} })).errorType).toBe(
      'LimitExceededException',
    );
    const backends = [
      { virtualService: { virtualServiceName: 'x' } },
      { virtualService: { virtualServiceName: 'y' } },
    ];
    expect((await small('PUT', '/meshes/m/virtualNodes/a', { spec: { backends } })).errorType).toBe(
      'LimitExceededException',
    );
  });

  it('BadRequestException names the resource and the field path', async () => {
    const call = await api();
    await call('PUT', '/meshes', { meshName: 'm' });
    const bad = await call('PUT', '/meshes/m/virtualNodes', {
      virtualNodeName: 'n',
      spec: { listeners: [{ portMapping: { port: 70000, protocol: 'http' } }] },
    });
    expect(bad).toMatchObject({ status: 400, errorType: 'BadRequestException' });
    expect(bad.body.message).toBe(
      'VirtualNode n: spec.listeners[0].portMapping.port: must be ≤ 65535, got 70000',
    );
    const union = await call('PUT', '/meshes/m/virtualServices', {
      virtualServiceName: 's',
      spec: {
        provider: { virtualNode: { virtualNodeName: 'a' }, virtualRouter: { virtualRouterName: 'b' } },
      },
    });
    expect(union.body.message).toContain('spec.provider: exactly one of');
    const dangling = await call('PUT', '/meshes/m/virtualServices', {
      virtualServiceName: 's',
      spec: { provider: { virtualNode: { virtualNodeName: 'ghost' } } },
    });
    expect(dangling).toMatchObject({ status: 400, errorType: 'BadRequestException' });
    expect(dangling.body.message).toContain('ghost');
    expect((await call('PUT', '/meshes/m/virtualNodes', { virtualNodeName: 'n' })).body.message).toContain(
      "'spec'",
    );
    expect(
      (await call('PUT', '/meshes/m/virtualNodes', { virtualNodeName: 'a/b', spec: {} })).errorType,
    ).toBe('BadRequestException');
    expect((await call('GET', '/meshes?limit=0')).errorType).toBe('BadRequestException');
    expect((await call('GET', '/meshes?limit=101')).errorType).toBe('BadRequestException');
    const r = await app!.inject({
      method: 'PUT',
      url: '/v20190125/meshes',
      headers: { 'content-type': 'application/json' },
      payload: '{"meshName": ',
    });
    expect(r.headers['x-amzn-errortype']).toBe('BadRequestException');
  });

  it("ForbiddenException for another account's mesh; UnknownOperationException for unknown paths", async () => {
    const call = await api({ accountId: '111111111111' });
    await call('PUT', '/meshes', { meshName: 'm' });
    expect((await call('GET', '/meshes/m/virtualNodes?meshOwner=111111111111')).status).toBe(200);
    expect(await call('GET', '/meshes/m/virtualNodes?meshOwner=222222222222')).toMatchObject({
      status: 403,
      errorType: 'ForbiddenException',
    });
    expect(await call('GET', '/nothing/here')).toMatchObject({
      status: 404,
      errorType: 'UnknownOperationException',
    });
  });

  it('TooManyRequestsException past the per-client rate limit', async () => {
    let t = 0;
    const call = await api({ rateLimit: { ratePerSecond: 1, burst: 2 }, now: () => t });
    expect((await call('GET', '/meshes')).status).toBe(200);
    expect((await call('GET', '/meshes')).status).toBe(200);
    const r = await call('GET', '/meshes');
    expect(r).toMatchObject({ status: 429, errorType: 'TooManyRequestsException' });
    t += 1000;
    expect((await call('GET', '/meshes')).status).toBe(200);
  });

  it('InternalServerErrorException for anything unexpected, without internals', async () => {
    const call = await api({
      validate: () => {
        throw new Error('secret internal detail');
      },
    });
    const r = await call('PUT', '/meshes', { meshName: 'm' });
    expect(r).toMatchObject({ status: 500, errorType: 'InternalServerErrorException' });
    expect(JSON.stringify(r.body)).not.toContain('secret');
    expect(JSON.stringify(r.body)).not.toContain('.ts');
  });

  it('reports every operation to the metrics callback', async () => {
    const seen: ApiRequestMetric[] = [];
    const call = await api({ onMetric: (m) => seen.push(m) });
    await call('PUT', '/meshes', { meshName: 'm' });
    await call('GET', '/meshes/zz');
    await call('GET', '/meshes');
    expect(seen.map((m) => [m.operation, m.statusCode, m.errorType])).toEqual([
      ['CreateMesh', 200, undefined],
      ['DescribeMesh', 404, 'NotFoundException'],
      ['ListMeshes', 200, undefined],
    ]);
  });

  it('keeps the store key layout documented in service.ts', async () => {
    const store = createMemoryStore();
    const call = await api({ store });
    await call('PUT', '/meshes', { meshName: 'm' });
    await call('PUT', '/meshes/m/virtualGateways', {
      virtualGatewayName: 'g',
      spec: { listeners: [listener] },
    });
    await call('PUT', '/meshes/m/virtualNodes', { virtualNodeName: 'n', spec: {} });
    await call('PUT', '/meshes/m/virtualServices', { virtualServiceName: 's', spec: {} });
    await call('PUT', '/meshes/m/virtualGateway/g/gatewayRoutes', {
      gatewayRouteName: 'gr',
      spec: {
        httpRoute: {
          match: { prefix: '/' },
          action: { target: { virtualService: { virtualServiceName: 's' } } },
        },
      },
    });
    const keys = (await store.list()).items.map((r) => r.key);
    expect(keys).toEqual([
      resourceKey('GatewayRoute', undefined, 'm/g/gr'),
      resourceKey('Mesh', undefined, 'm'),
      resourceKey('VirtualGateway', undefined, 'm/g'),
      resourceKey('VirtualNode', undefined, 'm/n'),
      resourceKey('VirtualService', undefined, 'm/s'),
    ]);
  });
});
