import { describe, expect, it, vi } from 'vitest';
import Fastify from 'fastify';
import { createMemoryStore, type ResourceStore } from '../store/index.js';
import { appMeshApi } from './plugin.js';
import { API_PREFIX, OPERATIONS } from './operations.js';
import { buildMeshGraph } from '../mesh/index.js';
import type { MeshValidator } from './validate.js';

describe('appMeshApi plugin', () => {
  it('mounts beside other routes without touching their parsing or 404s', async () => {
    const app = Fastify();
    app.get('/healthz', async () => ({ ok: true }));
    app.post('/echo', async (req) => req.body);
    await app.register(appMeshApi, { store: createMemoryStore(), prefix: API_PREFIX });
    await app.ready();
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ ok: true });
    expect((await app.inject({ method: 'POST', url: '/echo', payload: { a: 1 } })).json()).toEqual({ a: 1 });
    expect((await app.inject({ method: 'GET', url: '/nope' })).headers['x-amzn-errortype']).toBeUndefined();
    const r = await app.inject({ method: 'PUT', url: '/v20190125/meshes', payload: { meshName: 'm' } });
    expect(r.statusCode).toBe(200);
    await app.close();
  });

  it('routes all 38 operations', async () => {
    expect(OPERATIONS).toHaveLength(38);
    expect(new Set(OPERATIONS.map((o) => o.name)).size).toBe(38);
    const app = Fastify();
    await app.register(appMeshApi, { store: createMemoryStore(), prefix: API_PREFIX });
    await app.ready();
    for (const op of OPERATIONS) {
      const url = API_PREFIX + op.path.replace(/:[A-Za-z]+/g, 'x');
      const r = await app.inject({ method: op.method, url, ...(op.method === 'PUT' ? { payload: {} } : {}) });
      // Every operation answers as App Mesh would (an App Mesh error type, never a routing 404).
      expect(r.headers['x-amzn-errortype'], `${op.name} ${url}`).not.toBe('UnknownOperationException');
    }
    expect(
      OPERATIONS.filter((o) => o.path.includes('/virtualRouter/')).every((o) =>
        o.path.startsWith('/meshes/:meshName/virtualRouter/:virtualRouterName/routes'),
      ),
    ).toBe(true);
    await app.close();
  });

  it('after a write lands, the next write starts from its diagnostics: one validation per update, not two', async () => {
    // The catalog's per-mesh fingerprint must equal what the validator derives from the
    // write it just made (record-set.ts); a mismatch would validate the mesh twice per write.
    let validations = 0;
    const validate: MeshValidator = (input) => {
      validations++;
      return buildMeshGraph(input).diagnostics;
    };
    const app = Fastify();
    await app.register(appMeshApi, { store: createMemoryStore(), prefix: API_PREFIX, validate });
    await app.ready();
    const put = async (url: string, payload: unknown) => {
      const r = await app.inject({ method: 'PUT', url: API_PREFIX + url, payload: payload as object });
      expect(r.statusCode, r.body).toBe(200);
    };
    await put('/meshes', { meshName: 'm' });
    for (const n of ['a', 'b', 'c']) await put('/meshes/m/virtualNodes', { virtualNodeName: n, spec: {} });
    validations = 0;
    for (let i = 0; i < 5; i++)
      await put('/meshes/m/virtualNodes/b', {
        spec: {
          listeners: [{ portMapping: { port: 8000 + i, protocol: 'http' } }],
          serviceDiscovery: { dns: { hostname: 'b.local' } },
        },
      });
    expect(validations).toBe(5);
    await app.close();
  });

  it('validates the meshes the store holds once it is ready: the first write after a start validates once, not twice', async () => {
    const store = createMemoryStore();
    const api = async (s: ResourceStore, validate?: MeshValidator) => {
      const app = Fastify();
      await app.register(appMeshApi, { store: s, prefix: API_PREFIX, ...(validate ? { validate } : {}) });
      await app.ready();
      const put = async (url: string, payload: object) => {
        const r = await app.inject({ method: 'PUT', url: API_PREFIX + url, payload });
        expect(r.statusCode, r.body).toBe(200);
      };
      return { app, put };
    };
    // An earlier run wrote the mesh.
    const before = await api(store);
    await before.put('/meshes', { meshName: 'm' });
    await before.put('/meshes/m/virtualNodes', { virtualNodeName: 'a', spec: {} });
    await before.app.close();
    let validations = 0;
    const { app, put } = await api(store, (input) => {
      validations++;
      return buildMeshGraph(input).diagnostics;
    });
    await vi.waitFor(() => expect(validations).toBe(1));
    await put('/meshes/m/virtualNodes/a', { spec: { serviceDiscovery: { dns: { hostname: 'a.local' } } } });
    expect(validations).toBe(2);
    await app.close();
  });
});
