/**
 * The REST API of a real `amime serve` (SigV4 required) against the requests of the
 * issue 14 review, each as the attack sent it: names of 101–255 characters through
 * every operation (item 9), input that used to answer 500 (item 11), requests and
 * ARNs of another region (item 12), a clientToken retried after its resource was
 * deleted (item 13).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServe, type ServeProcess } from './support/serve-process.js';
import { signedFetch, TEST_CREDENTIALS, type SignedInit } from './support/signed-fetch.js';

const ACCOUNT = '123456789012';
let dir: string;
let serve: ServeProcess;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'amime-hardening-'));
  const credentials = path.join(dir, 'credentials.yaml');
  writeFileSync(credentials, JSON.stringify([TEST_CREDENTIALS]));
  serve = await startServe([
    '--store',
    'memory',
    '--no-seed',
    '--account-id',
    ACCOUNT,
    '--api-credentials-file',
    credentials,
  ]);
});

afterAll(async () => {
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  type: string | null;
  requestId: string | null;
  body: Record<string, unknown>;
}

async function call(method: 'GET' | 'PUT' | 'DELETE', url: string, init: SignedInit = {}): Promise<Answer> {
  const res = await signedFetch(`${serve.apiUrl}/v20190125${url}`, { method, ...init });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('x-amzn-errortype'),
    requestId: res.headers.get('x-amzn-requestid'),
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}
const put = (url: string, body: unknown, init: SignedInit = {}) => call('PUT', url, { ...init, body });
const e = encodeURIComponent;

describe('names of 101 to 255 characters (issue 14 item 9)', () => {
  // Each name is as long as App Mesh allows, and unique in its first 100 characters' tail.
  const long = (tag: string) => `${tag}-`.padEnd(255, 'x');
  const mesh = long('mesh');
  const node = long('node');
  const router = long('router');
  const route = long('route');
  const service = long('service');
  const gateway = long('gateway');
  const gatewayRoute = long('gatewayroute');
  const listener = { portMapping: { port: 8080, protocol: 'http' } };
  const m = `/meshes/${e(mesh)}`;
  const kinds = [
    {
      kind: 'VirtualNode',
      collection: `${m}/virtualNodes`,
      item: `${m}/virtualNodes/${e(node)}`,
      create: {
        virtualNodeName: node,
        spec: { listeners: [listener], serviceDiscovery: { dns: { hostname: 'n.local' } } },
      },
      update: { spec: { listeners: [listener], serviceDiscovery: { dns: { hostname: 'm.local' } } } },
      listField: 'virtualNodes',
      name: node,
      arn: `mesh/${mesh}/virtualNode/${node}`,
    },
    {
      kind: 'VirtualRouter',
      collection: `${m}/virtualRouters`,
      item: `${m}/virtualRouters/${e(router)}`,
      create: { virtualRouterName: router, spec: { listeners: [listener] } },
      update: { spec: { listeners: [{ portMapping: { port: 8081, protocol: 'http' } }] } },
      listField: 'virtualRouters',
      name: router,
      arn: `mesh/${mesh}/virtualRouter/${router}`,
    },
    {
      kind: 'Route',
      collection: `${m}/virtualRouter/${e(router)}/routes`,
      item: `${m}/virtualRouter/${e(router)}/routes/${e(route)}`,
      create: {
        routeName: route,
        spec: {
          httpRoute: {
            match: { prefix: '/' },
            action: { weightedTargets: [{ virtualNode: node, weight: 1 }] },
          },
        },
      },
      update: {
        spec: {
          httpRoute: {
            match: { prefix: '/a' },
            action: { weightedTargets: [{ virtualNode: node, weight: 2 }] },
          },
        },
      },
      listField: 'routes',
      name: route,
      arn: `mesh/${mesh}/virtualRouter/${router}/route/${route}`,
    },
    {
      kind: 'VirtualService',
      collection: `${m}/virtualServices`,
      item: `${m}/virtualServices/${e(service)}`,
      create: {
        virtualServiceName: service,
        spec: { provider: { virtualRouter: { virtualRouterName: router } } },
      },
      update: { spec: { provider: { virtualNode: { virtualNodeName: node } } } },
      listField: 'virtualServices',
      name: service,
      arn: `mesh/${mesh}/virtualService/${service}`,
    },
    {
      kind: 'VirtualGateway',
      collection: `${m}/virtualGateways`,
      item: `${m}/virtualGateways/${e(gateway)}`,
      create: { virtualGatewayName: gateway, spec: { listeners: [listener] } },
      update: { spec: { listeners: [{ portMapping: { port: 8443, protocol: 'http' } }] } },
      listField: 'virtualGateways',
      name: gateway,
      arn: `mesh/${mesh}/virtualGateway/${gateway}`,
    },
    {
      kind: 'GatewayRoute',
      collection: `${m}/virtualGateway/${e(gateway)}/gatewayRoutes`,
      item: `${m}/virtualGateway/${e(gateway)}/gatewayRoutes/${e(gatewayRoute)}`,
      create: {
        gatewayRouteName: gatewayRoute,
        spec: {
          httpRoute: {
            match: { prefix: '/' },
            action: { target: { virtualService: { virtualServiceName: service } } },
          },
        },
      },
      update: {
        spec: {
          httpRoute: {
            match: { prefix: '/b' },
            action: { target: { virtualService: { virtualServiceName: service } } },
          },
        },
      },
      listField: 'gatewayRoutes',
      name: gatewayRoute,
      arn: `mesh/${mesh}/virtualGateway/${gateway}/gatewayRoute/${gatewayRoute}`,
    },
  ];
  const arnOf = (p: string) => `arn:aws:appmesh:us-west-2:${ACCOUNT}:${p}`;
  const tagsUrl = (arn: string) => `/tags?resourceArn=${e(arnOf(arn))}`;

  it('create, describe, update, list, tag, untag and delete every kind', async () => {
    expect((await put('/meshes', { meshName: mesh })).status).toBe(200);
    expect((await call('GET', m)).body).toMatchObject({ meshName: mesh });
    expect((await put(m, { spec: { egressFilter: { type: 'ALLOW_ALL' } } })).status).toBe(200);
    expect(
      ((await call('GET', '/meshes')).body.meshes as Array<{ meshName: string }>).map((x) => x.meshName),
    ).toContain(mesh);
    for (const k of kinds) {
      const created = await put(k.collection, k.create);
      expect(created.status, `Create${k.kind}: ${JSON.stringify(created.body)}`).toBe(200);
      expect((await call('GET', k.item)).status, `Describe${k.kind}`).toBe(200);
      const updated = await put(k.item, k.update);
      expect(updated.status, `Update${k.kind}: ${JSON.stringify(updated.body)}`).toBe(200);
      expect(updated.body).toMatchObject({ metadata: { version: 2, arn: arnOf(k.arn) } });
      const listed = (await call('GET', k.collection)).body[k.listField] as Array<Record<string, unknown>>;
      expect(listed.map((x) => x[Object.keys(k.create)[0] as string])).toEqual([k.name]);
      expect(
        (await put(`/tag?resourceArn=${e(arnOf(k.arn))}`, { tags: [{ key: 'k', value: 'v' }] })).status,
      ).toBe(200);
      expect((await call('GET', tagsUrl(k.arn))).body.tags).toEqual([{ key: 'k', value: 'v' }]);
      expect((await put(`/untag?resourceArn=${e(arnOf(k.arn))}`, { tagKeys: ['k'] })).status).toBe(200);
      expect((await call('GET', tagsUrl(k.arn))).body.tags).toEqual([]);
    }
    // Deleting needs dependency order (App Mesh's ResourceInUseException otherwise).
    for (const k of [
      'GatewayRoute',
      'VirtualGateway',
      'VirtualService',
      'Route',
      'VirtualRouter',
      'VirtualNode',
    ]) {
      const item = kinds.find((x) => x.kind === k)!.item;
      expect((await call('DELETE', item)).body, `Delete${k}`).toMatchObject({
        status: { status: 'DELETED' },
      });
      expect((await call('GET', item)).type).toBe('NotFoundException');
    }
    expect((await call('DELETE', m)).status).toBe(200);
  });

  it('a name of 256 characters, or a path far longer, is an App Mesh BadRequestException', async () => {
    const tooLong = 'a'.repeat(256);
    expect(await put('/meshes', { meshName: tooLong })).toMatchObject({
      status: 400,
      type: 'BadRequestException',
    });
    expect(await call('GET', `/meshes/${tooLong}`)).toMatchObject({
      status: 400,
      type: 'BadRequestException',
    });
    expect(await call('GET', `/meshes/${'%E2%82%AC'.repeat(1100)}`)).toMatchObject({
      status: 400,
      type: 'BadRequestException',
    });
  });
});

describe('400, not 500 (issue 14 item 11)', () => {
  it('a NUL in a name, in the body or the path', async () => {
    const body = await put('/meshes', { meshName: 'a\u0000b' });
    expect(body).toMatchObject({ status: 400, type: 'BadRequestException' });
    expect(body.body.message).toMatch(/meshName must not contain control characters/);
    expect(await call('GET', '/meshes/a%00b')).toMatchObject({ status: 400, type: 'BadRequestException' });
    expect(await put('/meshes/a%00b/virtualNodes', { virtualNodeName: 'n' })).toMatchObject({
      status: 400,
      type: 'BadRequestException',
    });
  });

  it('a spec nested 5,000 levels deep', async () => {
    const deep = `${'{"a":'.repeat(5000)}{}${'}'.repeat(5000)}`;
    const r = await call('PUT', '/meshes', { rawBody: `{"meshName":"deep","spec":${deep}}` });
    expect(r).toMatchObject({ status: 400, type: 'BadRequestException' });
    expect(r.body.message).toMatch(/nested more than 64 levels/);
    expect(r.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('regions (issue 14 item 12)', () => {
  it('refuses a request signed for another region, or for no region at all', async () => {
    for (const region of ['eu-west-1', 'not-a-region']) {
      const r = await call('GET', '/meshes', { region });
      expect(r).toMatchObject({ status: 403, type: 'InvalidSignatureException' });
      expect(r.body.message).toBe(`Credential should be scoped to a valid region, not '${region}'.`);
      expect((await put('/meshes', { meshName: `from-${region}` }, { region })).status).toBe(403);
    }
    expect((await call('GET', '/meshes/from-eu-west-1')).type).toBe('NotFoundException');
  });

  it('tag operations on an ARN of another region, partition or account leave the local resource alone', async () => {
    expect((await put('/meshes', { meshName: 'local', tags: [{ key: 'team', value: 'a' }] })).status).toBe(
      200,
    );
    for (const arn of [
      `arn:aws:appmesh:eu-west-1:${ACCOUNT}:mesh/local`,
      `arn:aws-cn:appmesh:us-west-2:${ACCOUNT}:mesh/local`,
      `arn:aws:appmesh:us-west-2:111111111111:mesh/local`,
    ]) {
      const q = `resourceArn=${e(arn)}`;
      expect(await put(`/tag?${q}`, { tags: [{ key: 'team', value: 'evil' }] })).toMatchObject({
        status: 404,
        type: 'NotFoundException',
      });
      expect(await put(`/untag?${q}`, { tagKeys: ['team'] })).toMatchObject({ status: 404 });
      expect(await call('GET', `/tags?${q}`)).toMatchObject({ status: 404 });
    }
    const local = `resourceArn=${e(`arn:aws:appmesh:us-west-2:${ACCOUNT}:mesh/local`)}`;
    expect((await call('GET', `/tags?${local}`)).body.tags).toEqual([{ key: 'team', value: 'a' }]);
  });
});

describe('clientToken after a delete (issue 14 item 13)', () => {
  it('a retried Create whose resource was deleted since is a ConflictException, not a stale 200', async () => {
    const create = { meshName: 'tokened', clientToken: 'token-1' };
    const first = await put('/meshes', create);
    expect(first.status).toBe(200);
    // A retry while the mesh stands: the first answer, no second mesh.
    expect((await put('/meshes', create)).body).toEqual(first.body);
    expect((await call('DELETE', '/meshes/tokened')).status).toBe(200);
    const retry = await put('/meshes', create);
    expect(retry).toMatchObject({ status: 409, type: 'ConflictException' });
    expect(retry.body.message).toMatch(/has since been deleted/);
    expect((await call('GET', '/meshes/tokened')).type).toBe('NotFoundException');
    // A new token creates it again, with a new identity.
    const again = await put('/meshes', { ...create, clientToken: 'token-2' });
    expect(again.status).toBe(200);
    expect((again.body.metadata as { uid: string }).uid).not.toBe(
      (first.body.metadata as { uid: string }).uid,
    );
    // Nor does the old token's retry stand for the new mesh of the same name.
    expect((await put('/meshes', create)).type).toBe('ConflictException');
  });

  it('a retried Update whose resource was deleted since is a ConflictException', async () => {
    expect((await put('/meshes', { meshName: 'updated' })).status).toBe(200);
    const created = await put('/meshes/updated/virtualNodes', { virtualNodeName: 'n', spec: {} });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const update = { spec: { serviceDiscovery: { dns: { hostname: 'n.local' } } }, clientToken: 'u-1' };
    const first = await put('/meshes/updated/virtualNodes/n', update);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect((await put('/meshes/updated/virtualNodes/n', update)).body).toEqual(first.body);
    expect((await call('DELETE', '/meshes/updated/virtualNodes/n')).status).toBe(200);
    expect(await put('/meshes/updated/virtualNodes/n', update)).toMatchObject({
      status: 409,
      type: 'ConflictException',
    });
  });
});
