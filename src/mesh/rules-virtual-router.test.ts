import { describe, expect, it } from 'vitest';
import {
  check,
  dns,
  httpRoute,
  listener,
  verifyRule,
  vn,
  vr,
  type Raw,
  type RuleCase,
} from './fixtures.testkit.js';

const L = { listeners: [listener(80)] };
const target = vn('t', { listeners: [listener(8080)], serviceDiscovery: dns() });
const router = (routes: Raw[], listeners: Raw[] = [listener(80)]) => vr('r', { listeners, routes });
const http = (match: Raw, more: Raw = {}) => ({
  name: 'a',
  httpRoute: { match, action: { weightedTargets: [{ virtualNodeRef: { name: 't' }, weight: 1 }] }, ...more },
});
const grpc = (match: Raw, more: Raw = {}) => ({
  name: 'a',
  grpcRoute: { match, action: { weightedTargets: [{ virtualNodeRef: { name: 't' }, weight: 1 }] }, ...more },
});
const weights = (...ws: number[]) => ({
  name: 'a',
  httpRoute: {
    match: { prefix: '/' },
    action: { weightedTargets: ws.map((w, i) => ({ virtualNodeRef: { name: `t${i}` }, weight: w })) },
  },
});
const nodes = (n: number) => Array.from({ length: n }, (_, i) => vn(`t${i}`));
const retry = (policy: Raw) => ({
  retryPolicy: { maxRetries: 2, perRetryTimeout: { unit: 'ms', value: 200 }, ...policy },
});

const cases: RuleCase[] = [
  {
    rule: 'route names are unique within a router',
    good: [target, router([httpRoute('a', ['t']), httpRoute('b', ['t'])])],
    bad: [target, router([httpRoute('a', ['t']), httpRoute('a', ['t'])])],
    code: 'route.duplicate-name',
    path: 'spec.routes[1].name',
    message: 'VirtualRouter-r has duplicate route entries for a',
  },
  {
    rule: 'http match has prefix or path, not both',
    good: [target, router([http({ path: { exact: '/x' } })])],
    bad: [target, router([http({ prefix: '/', path: { exact: '/x' } })])],
    code: 'schema.exactly-one',
    path: 'spec.routes[0].httpRoute.match',
  },
  {
    rule: 'http match has one of prefix or path',
    good: [target, router([http({ prefix: '/' })])],
    bad: [target, router([http({ method: 'GET' })])],
    code: 'schema.exactly-one',
    path: 'spec.routes[0].httpRoute.match',
  },
  {
    rule: 'http2 path match is exact or regex, not both',
    good: [
      target,
      router(
        [
          {
            name: 'a',
            http2Route: {
              match: { path: { regex: '/x.*' } },
              action: { weightedTargets: [{ virtualNodeRef: { name: 't' }, weight: 1 }] },
            },
          },
        ],
        [listener(80, 'http2')],
      ),
    ],
    bad: [
      target,
      router(
        [
          {
            name: 'a',
            http2Route: {
              match: { path: { regex: '/x.*', exact: '/x' } },
              action: { weightedTargets: [{ virtualNodeRef: { name: 't' }, weight: 1 }] },
            },
          },
        ],
        [listener(80, 'http2')],
      ),
    ],
    code: 'schema.exactly-one',
    path: 'spec.routes[0].http2Route.match.path',
  },
  {
    rule: 'a route has exactly one of httpRoute/http2Route/grpcRoute/tcpRoute',
    good: [target, router([http({ prefix: '/' })])],
    bad: [
      target,
      router([
        {
          ...http({ prefix: '/' }),
          tcpRoute: { action: { weightedTargets: [{ virtualNodeRef: { name: 't' }, weight: 1 }] } },
        },
      ]),
    ],
    code: 'schema.exactly-one',
    path: 'spec.routes[0]',
  },
  {
    rule: 'route priority is 0..1000',
    good: [target, router([{ ...http({ prefix: '/' }), priority: 1000 }])],
    bad: [target, router([{ ...http({ prefix: '/' }), priority: 1001 }])],
    code: 'schema.range',
    path: 'spec.routes[0].priority',
  },
  {
    rule: 'a route has 1..10 weighted targets',
    good: [target, router([http({ prefix: '/' })])],
    bad: [
      target,
      router([{ name: 'a', httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [] } } }]),
    ],
    code: 'schema.items',
    path: 'spec.routes[0].httpRoute.action.weightedTargets',
  },
  {
    rule: 'a weight is 0..100',
    good: [...nodes(1), router([weights(100)])],
    bad: [...nodes(1), router([weights(101)])],
    code: 'schema.range',
    path: 'spec.routes[0].httpRoute.action.weightedTargets[0].weight',
  },
  {
    rule: 'weights add up to at most 100',
    good: [...nodes(2), router([weights(60, 40)])],
    bad: [...nodes(2), router([weights(60, 50)])],
    code: 'route.weight-sum',
    path: 'spec.routes[0].httpRoute.action.weightedTargets',
    message: 'add up to 110',
  },
  {
    rule: 'all-zero weights send traffic nowhere (warning)',
    good: [...nodes(2), router([weights(0, 1)])],
    bad: [...nodes(2), router([weights(0, 0)])],
    code: 'route.zero-weight',
    path: 'spec.routes[0].httpRoute.action.weightedTargets',
    severity: 'warning',
  },
  {
    // Absent is allowed (CRD: not required; API reference VirtualRouterSpec: "Required: No"), empty is not.
    rule: 'listeners, when present, are not empty',
    good: [target, router([http({ prefix: '/' })])],
    bad: [target, router([http({ prefix: '/' })], [])],
    code: 'schema.items',
    path: 'spec.listeners',
  },
  {
    // Issue 16 item 5: App Mesh accepted a router without listeners; it serves no port.
    rule: 'a router without listeners is valid and serves nothing (warning)',
    good: [target, router([http({ prefix: '/' })])],
    bad: [target, vr('r', { routes: [http({ prefix: '/' })] })],
    code: 'vr.no-listener',
    path: 'spec',
    severity: 'warning',
  },
  {
    rule: 'listener ports are unique',
    good: [target, router([http({ prefix: '/', port: 80 })], [listener(80), listener(81)])],
    bad: [target, router([http({ prefix: '/', port: 80 })], [listener(80), listener(80)])],
    code: 'listener.duplicate-port',
    path: 'spec.listeners[1].portMapping.port',
  },
  {
    rule: 'with several listeners a route must set match.port',
    good: [target, router([http({ prefix: '/', port: 81 })], [listener(80), listener(81)])],
    bad: [target, router([http({ prefix: '/' })], [listener(80), listener(81)])],
    code: 'route.port-required',
    path: 'spec.routes[0].httpRoute.match.port',
  },
  {
    rule: 'match.port must be one of the router listeners',
    good: [target, router([http({ prefix: '/', port: 80 })])],
    bad: [target, router([http({ prefix: '/', port: 81 })])],
    code: 'route.port-unknown',
    path: 'spec.routes[0].httpRoute.match.port',
  },
  {
    rule: 'the route type must match the protocol of its listener',
    good: [target, router([grpc({ serviceName: 's' })], [listener(80, 'grpc')])],
    bad: [target, router([grpc({ serviceName: 's' })], [listener(80, 'http')])],
    code: 'route.protocol-mismatch',
    path: 'spec.routes[0].grpcRoute',
  },
  {
    rule: 'gRPC methodName requires serviceName',
    good: [target, router([grpc({ serviceName: 's', methodName: 'm' })], [listener(80, 'grpc')])],
    bad: [target, router([grpc({ methodName: 'm' })], [listener(80, 'grpc')])],
    code: 'route.grpc-method-without-service',
    path: 'spec.routes[0].grpcRoute.match.methodName',
  },
  {
    rule: 'gRPC methodName is at most 50 characters',
    good: [target, router([grpc({ serviceName: 's', methodName: 'm'.repeat(50) })], [listener(80, 'grpc')])],
    bad: [target, router([grpc({ serviceName: 's', methodName: 'm'.repeat(51) })], [listener(80, 'grpc')])],
    code: 'schema.length',
    path: 'spec.routes[0].grpcRoute.match.methodName',
  },
  {
    rule: 'a retry policy needs at least one retry event',
    good: [target, router([http({ prefix: '/' }, retry({ httpRetryEvents: ['server-error'] }))])],
    bad: [target, router([http({ prefix: '/' }, retry({}))])],
    code: 'route.retry-no-events',
    path: 'spec.routes[0].httpRoute.retryPolicy',
  },
  {
    rule: 'grpcRetryEvents only count on a grpcRoute',
    good: [
      target,
      router(
        [grpc({ serviceName: 's' }, retry({ grpcRetryEvents: ['unavailable'] }))],
        [listener(80, 'grpc')],
      ),
    ],
    bad: [target, router([http({ prefix: '/' }, retry({ grpcRetryEvents: ['unavailable'] }))])],
    code: 'route.retry-no-events',
    path: 'spec.routes[0].httpRoute.retryPolicy',
    message: 'grpcRetryEvents only apply to a grpcRoute',
  },
  {
    rule: 'grpcRetryEvents on an httpRoute is an unknown field (warning)',
    good: [target, router([http({ prefix: '/' }, retry({ httpRetryEvents: ['server-error'] }))])],
    bad: [
      target,
      router([
        http({ prefix: '/' }, retry({ httpRetryEvents: ['server-error'], grpcRetryEvents: ['unavailable'] })),
      ]),
    ],
    code: 'schema.unknown-field',
    path: 'spec.routes[0].httpRoute.retryPolicy.grpcRetryEvents',
    severity: 'warning',
  },
  {
    rule: 'httpRetryEvents values are server-error|gateway-error|client-error|stream-error',
    good: [target, router([http({ prefix: '/' }, retry({ httpRetryEvents: ['gateway-error'] }))])],
    bad: [target, router([http({ prefix: '/' }, retry({ httpRetryEvents: ['timeout'] }))])],
    code: 'schema.type',
    path: 'spec.routes[0].httpRoute.retryPolicy.httpRetryEvents[0]',
  },
  {
    rule: 'tcpRetryEvents is exactly [connection-error]',
    good: [target, router([http({ prefix: '/' }, retry({ tcpRetryEvents: ['connection-error'] }))])],
    bad: [
      target,
      router([http({ prefix: '/' }, retry({ tcpRetryEvents: ['connection-error', 'connection-error'] }))]),
    ],
    code: 'schema.items',
    path: 'spec.routes[0].httpRoute.retryPolicy.tcpRetryEvents',
  },
  {
    rule: 'header range start must be below end',
    good: [
      target,
      router([http({ prefix: '/', headers: [{ name: 'x', match: { range: { start: 1, end: 2 } } }] })]),
    ],
    bad: [
      target,
      router([http({ prefix: '/', headers: [{ name: 'x', match: { range: { start: 2, end: 2 } } }] })]),
    ],
    code: 'match.range',
    path: 'spec.routes[0].httpRoute.match.headers[0].match.range',
  },
  {
    rule: 'gRPC metadata range start must be below end',
    good: [
      target,
      router(
        [grpc({ serviceName: 's', metadata: [{ name: 'x', match: { range: { start: 1, end: 2 } } }] })],
        [listener(80, 'grpc')],
      ),
    ],
    bad: [
      target,
      router(
        [grpc({ serviceName: 's', metadata: [{ name: 'x', match: { range: { start: 5, end: 2 } } }] })],
        [listener(80, 'grpc')],
      ),
    ],
    code: 'match.range',
    path: 'spec.routes[0].grpcRoute.match.metadata[0].match.range',
  },
  {
    rule: 'a header has exactly one match method',
    good: [target, router([http({ prefix: '/', headers: [{ name: 'x', match: { exact: 'y' } }] })])],
    bad: [
      target,
      router([http({ prefix: '/', headers: [{ name: 'x', match: { exact: 'y', prefix: 'z' } }] })]),
    ],
    code: 'schema.exactly-one',
    path: 'spec.routes[0].httpRoute.match.headers[0].match',
  },
  {
    rule: 'header lists hold 1..10 items',
    good: [target, router([http({ prefix: '/', headers: [{ name: 'x' }] })])],
    bad: [
      target,
      router([http({ prefix: '/', headers: Array.from({ length: 11 }, (_, i) => ({ name: `h${i}` })) })]),
    ],
    code: 'schema.items',
    path: 'spec.routes[0].httpRoute.match.headers',
  },
  {
    rule: 'header names are 1..50 characters',
    good: [target, router([http({ prefix: '/', headers: [{ name: 'x'.repeat(50) }] })])],
    bad: [target, router([http({ prefix: '/', headers: [{ name: 'x'.repeat(51) }] })])],
    code: 'schema.length',
    path: 'spec.routes[0].httpRoute.match.headers[0].name',
  },
  {
    rule: 'a match prefix starts with /',
    good: [target, router([http({ prefix: '/api' })])],
    bad: [target, router([http({ prefix: 'api' })])],
    code: 'match.prefix-slash',
    path: 'spec.routes[0].httpRoute.match.prefix',
  },
  {
    rule: 'route targets must exist',
    good: [target, router([httpRoute('a', ['t'])])],
    bad: [target, router([httpRoute('a', ['t', 'missing'])])],
    code: 'ref.not-found',
    path: 'spec.routes[0].httpRoute.action.weightedTargets[1].virtualNodeRef',
    message: 'route a targets VirtualNode ns/missing, which does not exist',
  },
  {
    rule: 'a target port is required when the target node has several listeners',
    good: [
      vn('t', { listeners: [listener(80), listener(81)], serviceDiscovery: dns() }),
      router([
        {
          name: 'a',
          httpRoute: {
            match: { prefix: '/' },
            action: { weightedTargets: [{ virtualNodeRef: { name: 't' }, weight: 1, port: 81 }] },
          },
        },
      ]),
    ],
    bad: [
      vn('t', { listeners: [listener(80), listener(81)], serviceDiscovery: dns() }),
      router([httpRoute('a', ['t'])]),
    ],
    code: 'target.port-required',
    path: 'spec.routes[0].httpRoute.action.weightedTargets[0].port',
  },
  {
    rule: 'a target port must be a listener port of the target node',
    good: [
      target,
      router([
        {
          name: 'a',
          httpRoute: {
            match: { prefix: '/' },
            action: { weightedTargets: [{ virtualNodeRef: { name: 't' }, weight: 1, port: 8080 }] },
          },
        },
      ]),
    ],
    bad: [
      target,
      router([
        {
          name: 'a',
          httpRoute: {
            match: { prefix: '/' },
            action: { weightedTargets: [{ virtualNodeRef: { name: 't' }, weight: 1, port: 9 }] },
          },
        },
      ]),
    ],
    code: 'target.port-unknown',
    path: 'spec.routes[0].httpRoute.action.weightedTargets[0].port',
  },
  {
    rule: 'a target without listeners cannot receive traffic (warning)',
    good: [target, router([httpRoute('a', ['t'])])],
    bad: [vn('t', {}), router([httpRoute('a', ['t'])])],
    code: 'target.no-listener',
    path: 'spec.routes[0].httpRoute.action.weightedTargets[0]',
    severity: 'warning',
  },
  {
    rule: 'route names are 1..255 characters',
    good: [target, router([httpRoute('r'.repeat(255), ['t'])])],
    bad: [target, router([httpRoute('r'.repeat(256), ['t'])])],
    code: 'name.aws-name-length',
    path: 'spec.routes[0].name',
  },
  {
    rule: 'a tcpRoute has only an idle timeout (perRequest is unknown, warning)',
    good: [
      target,
      router(
        [
          {
            name: 'a',
            tcpRoute: {
              action: { weightedTargets: [{ virtualNodeRef: { name: 't' }, weight: 1 }] },
              timeout: { idle: { unit: 's', value: 30 } },
            },
          },
        ],
        [listener(80, 'tcp')],
      ),
    ],
    bad: [
      target,
      router(
        [
          {
            name: 'a',
            tcpRoute: {
              action: { weightedTargets: [{ virtualNodeRef: { name: 't' }, weight: 1 }] },
              timeout: { perRequest: { unit: 's', value: 30 } },
            },
          },
        ],
        [listener(80, 'tcp')],
      ),
    ],
    code: 'schema.unknown-field',
    path: 'spec.routes[0].tcpRoute.timeout.perRequest',
    severity: 'warning',
  },
  {
    rule: 'http match method is one of the nine HTTP verbs',
    good: [target, router([http({ prefix: '/', method: 'PATCH' })])],
    bad: [target, router([http({ prefix: '/', method: 'FETCH' })])],
    code: 'schema.type',
    path: 'spec.routes[0].httpRoute.match.method',
  },
  {
    rule: 'http match scheme is http or https',
    good: [target, router([http({ prefix: '/', scheme: 'https' })])],
    bad: [target, router([http({ prefix: '/', scheme: 'ftp' })])],
    code: 'schema.type',
    path: 'spec.routes[0].httpRoute.match.scheme',
  },
];

describe('VirtualRouter rules (appmesh.md §1.2, §2.4)', () => {
  for (const c of cases) it(c.rule, () => void verifyRule(c));

  it('orders routes by priority (unset last), then declaration order, and resolves targets', () => {
    const r = check([
      target,
      vr('r', {
        ...L,
        routes: [
          httpRoute('unset', ['t']),
          { ...httpRoute('p5', ['t']), priority: 5 },
          { ...httpRoute('p0', ['t']), priority: 0 },
          { ...httpRoute('p5b', ['t']), priority: 5 },
        ],
      }),
    ]);
    expect(r.errors).toEqual([]);
    const router = r.graph.meshes.get('m')!.virtualRouters.get('r_ns')!;
    expect(router.routes.map((x) => x.name)).toEqual(['p0', 'p5', 'p5b', 'unset']);
    expect(router.routes[0]!.targets.map((t) => [t.node.awsName, t.weight])).toEqual([['t_ns', 1]]);
    expect(router.routes[0]!.protocol).toBe('http');
    expect(router.routes[0]!.index).toBe(2);
  });

  it('resolves a target by ARN (last path segment is the awsName)', () => {
    const r = check([
      target,
      router([
        {
          name: 'a',
          httpRoute: {
            match: { prefix: '/' },
            action: {
              weightedTargets: [
                { virtualNodeARN: 'arn:aws:appmesh:us-west-2:1:mesh/m/virtualNode/t_ns', weight: 1 },
              ],
            },
          },
        },
      ]),
    ]);
    expect(r.errors).toEqual([]);
    expect(r.graph.meshes.get('m')!.virtualRouters.get('r_ns')!.routes[0]!.targets[0]!.node.id.name).toBe(
      't',
    );
  });

  it('a malformed target ARN names the field', () => {
    const r = check([
      target,
      router([
        {
          name: 'a',
          httpRoute: {
            match: { prefix: '/' },
            action: { weightedTargets: [{ virtualNodeARN: 'not-an-arn', weight: 1 }] },
          },
        },
      ]),
    ]);
    expect(r.errors.map((d) => `${d.code} @ ${d.path}`)).toEqual([
      'ref.arn-invalid @ spec.routes[0].httpRoute.action.weightedTargets[0].virtualNodeARN',
    ]);
  });
});
