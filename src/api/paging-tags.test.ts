import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createMemoryStore } from '../store/index.js';
import { startApi, type Call } from '../../test/support/api-harness.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function api(): Promise<Call> {
  const started = await startApi({ store: createMemoryStore(), rateLimit: false, accountId: '123456789012' });
  app = started.app;
  return started.call;
}

describe('App Mesh API: paging', () => {
  it('pages through every item exactly once, with opaque tokens bound to their list', async () => {
    const call = await api();
    await call('PUT', '/meshes', { meshName: 'm' });
    await call('PUT', '/meshes', { meshName: 'other' });
    const names = Array.from({ length: 23 }, (_, i) => `vn-${String(i).padStart(2, '0')}`);
    for (const n of [...names].reverse())
      await call('PUT', '/meshes/m/virtualNodes', { virtualNodeName: n, spec: {} });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await call(
        'GET',
        `/meshes/m/virtualNodes?limit=5${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`,
      );
      seen.push(...(r.body.virtualNodes as Array<{ virtualNodeName: string }>).map((v) => v.virtualNodeName));
      token = r.body.nextToken as string | undefined;
      pages++;
    } while (token);
    expect(seen).toEqual(names);
    expect(pages).toBe(5);
    const first = await call('GET', '/meshes/m/virtualNodes?limit=5');
    expect(first.body.nextToken).not.toContain('vn-04');
    const foreign = await call(
      'GET',
      `/meshes/other/virtualNodes?nextToken=${encodeURIComponent(first.body.nextToken as string)}`,
    );
    expect(foreign.errorType).toBe('BadRequestException');
    expect((await call('GET', '/meshes/m/virtualNodes?nextToken=garbage')).errorType).toBe(
      'BadRequestException',
    );
    // Without a limit App Mesh still returns at most 100.
    expect((await call('GET', '/meshes/m/virtualNodes')).body.nextToken).toBeUndefined();
  });
});

describe('App Mesh API: tags', () => {
  it('tags, untags and lists tags of resources and routes, with App Mesh limits', async () => {
    const call = await api();
    await call('PUT', '/meshes', { meshName: 'm', tags: [{ key: 'team', value: 'a' }] });
    await call('PUT', '/meshes/m/virtualNodes', { virtualNodeName: 'n', spec: {} });
    await call('PUT', '/meshes/m/virtualRouters', { virtualRouterName: 'r', spec: {} });
    await call('PUT', '/meshes/m/virtualRouter/r/routes', {
      routeName: 'x',
      spec: { tcpRoute: { action: { weightedTargets: [{ virtualNode: 'n', weight: 1 }] } } },
    });
    const mesh = 'arn:aws:appmesh:us-west-2:123456789012:mesh/m';
    const route = 'arn:aws:appmesh:us-west-2:123456789012:mesh/m/virtualRouter/r/route/x';
    const q = (arn: string) => `resourceArn=${encodeURIComponent(arn)}`;
    expect((await call('GET', `/tags?${q(mesh)}`)).body).toEqual({ tags: [{ key: 'team', value: 'a' }] });
    expect(
      (
        await call('PUT', `/tag?${q(mesh)}`, {
          tags: [
            { key: 'team', value: 'b' },
            { key: 'env', value: '' },
          ],
        })
      ).body,
    ).toEqual({});
    expect((await call('GET', `/tags?${q(mesh)}`)).body.tags).toEqual([
      { key: 'env', value: '' },
      { key: 'team', value: 'b' },
    ]);
    expect((await call('GET', '/meshes/m')).body).toMatchObject({ metadata: { version: 1 } });
    await call('PUT', `/untag?${q(mesh)}`, { tagKeys: ['env'] });
    expect((await call('GET', `/tags?${q(mesh)}`)).body.tags).toEqual([{ key: 'team', value: 'b' }]);

    await call('PUT', `/tag?${q(route)}`, { tags: [{ key: 'k', value: 'v' }] });
    expect((await call('GET', `/tags?${q(route)}`)).body.tags).toEqual([{ key: 'k', value: 'v' }]);
    expect(
      (await call('GET', `/tags?${q('arn:aws:appmesh:us-west-2:123456789012:mesh/m/virtualRouter/r')}`)).body
        .tags,
    ).toEqual([]);

    const many = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect((await call('PUT', `/tag?${q(mesh)}`, { tags: many })).errorType).toBe('TooManyTagsException');
    expect((await call('PUT', `/tag?${q(mesh)}`, { tags: many.slice(0, 49) })).status).toBe(200);
    const page = await call('GET', `/tags?${q(mesh)}&limit=20`);
    expect(page.body.tags).toHaveLength(20);
    expect(page.body.nextToken).toBeDefined();
    expect((await call('GET', `/tags?${q(mesh)}&limit=51`)).errorType).toBe('BadRequestException');
    expect(
      (await call('PUT', `/tag?${q(mesh)}`, { tags: [{ key: 'x'.repeat(129), value: 'v' }] })).errorType,
    ).toBe('BadRequestException');
    expect(
      (await call('PUT', `/tag?${q(mesh)}`, { tags: [{ key: 'k', value: 'v'.repeat(257) }] })).errorType,
    ).toBe('BadRequestException');
    expect(
      (await call('GET', `/tags?${q('arn:aws:appmesh:us-west-2:123456789012:mesh/zz')}`)).errorType,
    ).toBe('NotFoundException');
    expect((await call('GET', `/tags?${q('arn:aws:appmesh:us-west-2:999999999999:mesh/m')}`)).errorType).toBe(
      'NotFoundException',
    );
    expect((await call('GET', '/tags?resourceArn=nonsense')).errorType).toBe('BadRequestException');
  });
});
