/**
 * Issue 14 items 5 and 10, driven against a real `amime serve` over loopback as the
 * adversarial run did: numbers Envoy cannot hold and 20,000 listeners are refused when
 * written, naming the field, instead of being accepted and then breaking translation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MB, rssBytes } from './support/process-memory.js';
import { startServe, type ServeProcess } from './support/serve-process.js';

let serve: ServeProcess;

interface Answer {
  status: number;
  type: string | null;
  message: string;
}

async function put(path: string, body: unknown): Promise<Answer> {
  const res = await fetch(`${serve.apiUrl}/v20190125${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { message?: string };
  return { status: res.status, type: res.headers.get('x-amzn-errortype'), message: json.message ?? '' };
}

const http = (port: number) => ({ portMapping: { port, protocol: 'http' } });
const route = (timeout: unknown, more: Record<string, unknown> = {}) => ({
  match: { prefix: '/' },
  action: { weightedTargets: [{ virtualNode: 'target', weight: 1 }] },
  timeout,
  ...more,
});

beforeAll(async () => {
  serve = await startServe(['--store', 'memory', '--no-seed', '--log-level', 'error']);
  expect((await put('/meshes', { meshName: 'limits' })).status).toBe(200);
  const target = await put('/meshes/limits/virtualNodes', {
    virtualNodeName: 'target',
    spec: { listeners: [http(8080)], serviceDiscovery: { dns: { hostname: 'target.local' } } },
  });
  expect(target.status, target.message).toBe(200);
  const router = await put('/meshes/limits/virtualRouters', {
    virtualRouterName: 'router',
    spec: { listeners: [http(8080)] },
  });
  expect(router.status, router.message).toBe(200);
});

afterAll(async () => {
  await serve?.stop();
});

describe('numbers Envoy cannot hold are refused when written (issue 14 item 5)', () => {
  it('a route timeout of 4e11 s: BadRequestException naming the field', async () => {
    const r = await put('/meshes/limits/virtualRouter/router/routes', {
      routeName: 'slow',
      spec: { httpRoute: route({ perRequest: { unit: 's', value: 4e11 } }) },
    });
    expect(r).toMatchObject({ status: 400, type: 'BadRequestException' });
    expect(r.message).toContain('spec.httpRoute.timeout.perRequest.value');
    expect(r.message).toMatch(/longer than Envoy can hold: at most 9223372036 s/);
  });

  it('the same number of milliseconds (4.6 days) is accepted', async () => {
    const r = await put('/meshes/limits/virtualRouter/router/routes', {
      routeName: 'patient',
      spec: { httpRoute: route({ perRequest: { unit: 'ms', value: 4e11 } }) },
    });
    expect(r.status, r.message).toBe(200);
  });

  it.each([
    [
      'retries past a 32-bit counter',
      {
        httpRoute: route(undefined, {
          retryPolicy: {
            maxRetries: 2 ** 32,
            perRetryTimeout: { unit: 'ms', value: 1 },
            httpRetryEvents: ['server-error'],
          },
        }),
      },
      'spec.httpRoute.retryPolicy.maxRetries',
    ],
    [
      'a header range past what JavaScript holds exactly',
      {
        httpRoute: {
          ...route(undefined),
          match: { prefix: '/', headers: [{ name: 'x', match: { range: { start: 0, end: 2 ** 60 } } }] },
        },
      },
      'spec.httpRoute.match.headers[0].match.range.end',
    ],
  ])('%s', async (_what, spec, field) => {
    const r = await put('/meshes/limits/virtualRouter/router/routes', { routeName: 'big', spec });
    expect(r).toMatchObject({ status: 400, type: 'BadRequestException' });
    expect(r.message).toContain(field);
  });

  it("a connection pool past the API's 32-bit integer", async () => {
    const r = await put('/meshes/limits/virtualNodes', {
      virtualNodeName: 'pooled',
      spec: {
        listeners: [{ ...http(8080), connectionPool: { http: { maxConnections: 2 ** 31 } } }],
        serviceDiscovery: { dns: { hostname: 'pooled.local' } },
      },
    });
    expect(r).toMatchObject({ status: 400, type: 'BadRequestException' });
    expect(r.message).toContain('spec.listeners[0].connectionPool.http.maxConnections');
  });
});

describe("App Mesh's limits at write time (issue 14 item 10)", () => {
  it('a virtual node with 20,000 listeners: refused by the body cap before it is parsed, memory bounded', async () => {
    const listeners = Array.from({ length: 20_000 }, (_, i) => http(1000 + i));
    const before = rssBytes(serve.proc.pid!);
    const r = await put('/meshes/limits/virtualNodes', {
      virtualNodeName: 'wide',
      spec: { listeners, serviceDiscovery: { dns: { hostname: 'wide.local' } } },
    });
    const after = rssBytes(serve.proc.pid!);
    expect(r).toMatchObject({ status: 400, type: 'BadRequestException' });
    expect(r.message).toMatch(/request body is larger than \d+ bytes/);
    expect(after - before, `RSS ${before / MB} → ${after / MB} MB`).toBeLessThan(128 * MB);
    const list = await fetch(`${serve.apiUrl}/v20190125/meshes/limits/virtualNodes`);
    const names = ((await list.json()) as { virtualNodes: Array<{ virtualNodeName: string }> }).virtualNodes;
    expect(names.map((n) => n.virtualNodeName)).not.toContain('wide');
  });

  it('a virtual node with 2,000 listeners (under the body cap): LimitExceededException', async () => {
    const listeners = Array.from({ length: 2_000 }, (_, i) => http(1000 + i));
    const r = await put('/meshes/limits/virtualNodes', {
      virtualNodeName: 'wide',
      spec: { listeners, serviceDiscovery: { dns: { hostname: 'wide.local' } } },
    });
    expect(r).toMatchObject({ status: 400, type: 'LimitExceededException' });
    expect(r.message).toMatch(/listeners: 2000; the quota "Listeners per virtual node" .* is 50/);
    const list = await fetch(`${serve.apiUrl}/v20190125/meshes/limits/virtualNodes`);
    const names = ((await list.json()) as { virtualNodes: Array<{ virtualNodeName: string }> }).virtualNodes;
    expect(names.map((n) => n.virtualNodeName)).not.toContain('wide');
  });

  it('50 listeners are accepted', async () => {
    const listeners = Array.from({ length: 50 }, (_, i) => http(1000 + i));
    const r = await put('/meshes/limits/virtualNodes', {
      virtualNodeName: 'fifty',
      spec: { listeners, serviceDiscovery: { dns: { hostname: 'fifty.local' } } },
    });
    expect(r.status, r.message).toBe(200);
  });

  it('a router with 51 listeners and a gateway with 51 listeners are refused the same way', async () => {
    const listeners = Array.from({ length: 51 }, (_, i) => http(1000 + i));
    const router = await put('/meshes/limits/virtualRouters', {
      virtualRouterName: 'wide',
      spec: { listeners },
    });
    expect(router).toMatchObject({ status: 400, type: 'LimitExceededException' });
    const gateway = await put('/meshes/limits/virtualGateways', {
      virtualGatewayName: 'wide',
      spec: { listeners },
    });
    expect(gateway).toMatchObject({ status: 400, type: 'LimitExceededException' });
  });

  // App Mesh's quotas (docs/reference/appmesh.md §5): "Backends per virtual node" 50
  // (L-8775AB18), "Routes per virtual router" 50 (L-BB90B7FF).
  it('a virtual node with 51 backends: LimitExceededException; 50 are accepted', async () => {
    const backends = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ virtualService: { virtualServiceName: `s${i}.local` } }));
    const spec = (n: number) => ({
      listeners: [http(8080)],
      serviceDiscovery: { dns: { hostname: 'client.local' } },
      backends: backends(n),
    });
    const over = await put('/meshes/limits/virtualNodes', { virtualNodeName: 'client', spec: spec(51) });
    expect(over).toMatchObject({ status: 400, type: 'LimitExceededException' });
    expect(over.message).toMatch(/would have 51; the limit "Backends per virtual node" \(L-8775AB18\) is 50/);
    const ok = await put('/meshes/limits/virtualNodes', { virtualNodeName: 'client', spec: spec(50) });
    expect(ok.status, ok.message).toBe(200);
  });

  it("a virtual router's 51st route: LimitExceededException", async () => {
    const r = await put('/meshes/limits/virtualRouters', {
      virtualRouterName: 'many',
      spec: { listeners: [http(8080)] },
    });
    expect(r.status, r.message).toBe(200);
    for (let i = 0; i < 50; i++) {
      const ok = await put('/meshes/limits/virtualRouter/many/routes', {
        routeName: `r${i}`,
        spec: { httpRoute: { ...route(undefined), match: { prefix: `/${i}` } } },
      });
      expect(ok.status, ok.message).toBe(200);
    }
    const over = await put('/meshes/limits/virtualRouter/many/routes', {
      routeName: 'r50',
      spec: { httpRoute: { ...route(undefined), match: { prefix: '/50' } } },
    });
    expect(over).toMatchObject({ status: 400, type: 'LimitExceededException' });
    expect(over.message).toMatch(/would have 51; the limit "Routes per virtual router" \(L-BB90B7FF\) is 50/);
  });

  // App Mesh's API reference: HttpRouteMatch.headers and queryParameters have at most 10
  // members, a route at most 10 weighted targets.
  it('11 header matches, 11 query parameters or 11 weighted targets: BadRequestException naming the field', async () => {
    const eleven = <T>(f: (i: number) => T) => Array.from({ length: 11 }, (_, i) => f(i));
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { match: { prefix: '/', headers: eleven((i) => ({ name: `h${i}`, match: { exact: 'x' } })) } },
        'spec.httpRoute.match.headers',
      ],
      [
        {
          match: { prefix: '/', queryParameters: eleven((i) => ({ name: `q${i}`, match: { exact: 'x' } })) },
        },
        'spec.httpRoute.match.queryParameters',
      ],
      [
        { action: { weightedTargets: eleven(() => ({ virtualNode: 'target', weight: 1 })) } },
        'spec.httpRoute.action.weightedTargets',
      ],
    ];
    for (const [more, field] of cases) {
      const r = await put('/meshes/limits/virtualRouter/router/routes', {
        routeName: 'wide-match',
        spec: { httpRoute: { ...route(undefined), ...more } },
      });
      expect(r, field).toMatchObject({ status: 400, type: 'BadRequestException' });
      expect(r.message).toContain(field);
    }
  });
});
