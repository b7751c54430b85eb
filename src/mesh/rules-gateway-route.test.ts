import { describe, expect, it } from 'vitest';
import {
  check,
  dns,
  gr,
  listener,
  mesh,
  verifyRule,
  vg,
  vn,
  vs,
  type Raw,
  type RuleCase,
} from './fixtures.testkit.js';

const node = vn('n', { listeners: [listener(8080)], serviceDiscovery: dns() });
const svc = vs('s', { provider: { virtualNode: { virtualNodeRef: { name: 'n' } } } });
const gateway = vg('g', { namespaceSelector: { matchLabels: { mesh: 'm' } }, listeners: [listener(8088)] });
const world = [node, svc, gateway];
const target = { virtualService: { virtualServiceRef: { name: 's' } } };
const http = (match: Raw, action: Raw = {}) =>
  gr('r', { httpRoute: { match, action: { target, ...action } } });
const grpc = (match: Raw) => gr('r', { grpcRoute: { match, action: { target } } });
const grpcWorld = [node, svc, vg('g', { namespaceSelector: {}, listeners: [listener(8088, 'grpc')] })];

const cases: RuleCase[] = [
  {
    rule: 'exactly one of httpRoute/http2Route/grpcRoute',
    good: [...world, http({ prefix: '/' })],
    bad: [
      ...world,
      gr('r', {
        httpRoute: { match: { prefix: '/' }, action: { target } },
        http2Route: { match: { prefix: '/' }, action: { target } },
      }),
    ],
    code: 'schema.exactly-one',
    path: 'spec',
  },
  {
    rule: 'attaches to a VirtualGateway that selects its namespace (none found)',
    good: [...world, http({ prefix: '/' })],
    bad: [
      node,
      svc,
      vg('g', { namespaceSelector: { matchLabels: { team: 'x' } }, listeners: [listener(8088)] }),
      http({ prefix: '/' }),
    ],
    code: 'gr.no-matching-gateway',
    path: 'metadata.labels',
    message: 'failed to find matching virtualGateway for gatewayRoute: r, expecting 1 but found 0',
  },
  {
    rule: "a gateway's absent namespaceSelector selects no namespace",
    good: [...world, http({ prefix: '/' })],
    bad: [node, svc, vg('g', { listeners: [listener(8088)] }), http({ prefix: '/' })],
    code: 'gr.no-matching-gateway',
    path: 'metadata.labels',
  },
  {
    rule: 'gatewayRouteSelector filters routes by label',
    good: [
      node,
      svc,
      vg('g', {
        namespaceSelector: {},
        gatewayRouteSelector: { matchLabels: { gw: 'g' } },
        listeners: [listener(8088)],
      }),
      gr('r', { httpRoute: { match: { prefix: '/' }, action: { target } } }, { labels: { gw: 'g' } }),
    ],
    bad: [
      node,
      svc,
      vg('g', {
        namespaceSelector: {},
        gatewayRouteSelector: { matchLabels: { gw: 'g' } },
        listeners: [listener(8088)],
      }),
      gr('r', { httpRoute: { match: { prefix: '/' }, action: { target } } }, { labels: { gw: 'other' } }),
    ],
    code: 'gr.no-matching-gateway',
    path: 'metadata.labels',
  },
  {
    rule: 'exactly one VirtualGateway may select a route',
    good: [...world, http({ prefix: '/' })],
    bad: [...world, vg('g2', { namespaceSelector: {}, listeners: [listener(8089)] }), http({ prefix: '/' })],
    code: 'gr.multiple-matching-gateways',
    path: 'metadata.labels',
    message: 'expecting 1 but found 2: ns/g,ns/g2',
  },
  {
    rule: "the gateway must be in the route's mesh",
    good: [...world, http({ prefix: '/' })],
    bad: [
      mesh('m2', { namespaceSelector: { matchLabels: { mesh: 'm2' } } }),
      node,
      svc,
      vg('g', { namespaceSelector: {}, listeners: [listener(8088)] }, { namespace: 'other' }),
      http({ prefix: '/' }),
    ],
    code: 'gr.gateway-cross-mesh',
    path: 'metadata.namespace',
    message: "didn't belong to mesh m",
    options: {
      namespaces: [
        { name: 'ns', labels: { mesh: 'm' } },
        { name: 'other', labels: { mesh: 'm2' } },
      ],
    },
  },
  {
    rule: 'http match needs at least one of prefix, path, hostname',
    good: [...world, http({ hostname: { exact: 'a.example.com' } })],
    bad: [...world, http({ method: 'GET' })],
    code: 'schema.at-least-one',
    path: 'spec.httpRoute.match',
  },
  {
    rule: 'http match has prefix xor path',
    good: [...world, http({ path: { exact: '/x' } })],
    bad: [...world, http({ prefix: '/', path: { exact: '/x' } })],
    code: 'schema.at-most-one',
    path: 'spec.httpRoute.match',
  },
  {
    rule: 'path is exact xor regex',
    good: [...world, http({ path: { regex: '/x.*' } })],
    bad: [...world, http({ path: { regex: '/x.*', exact: '/x' } })],
    code: 'schema.exactly-one',
    path: 'spec.httpRoute.match.path',
  },
  {
    rule: 'hostname is exact xor suffix',
    good: [...world, http({ hostname: { suffix: '.example.com' } })],
    bad: [...world, http({ hostname: { suffix: '.example.com', exact: 'a.example.com' } })],
    code: 'schema.exactly-one',
    path: 'spec.httpRoute.match.hostname',
  },
  {
    rule: 'hostname is 1..253 characters',
    good: [...world, http({ hostname: { exact: 'a'.repeat(253) } })],
    bad: [...world, http({ hostname: { exact: 'a'.repeat(254) } })],
    code: 'schema.length',
    path: 'spec.httpRoute.match.hostname.exact',
  },
  {
    rule: 'each header has exactly one match method',
    good: [...world, http({ prefix: '/', headers: [{ name: 'x', match: { suffix: 'y' } }] })],
    bad: [...world, http({ prefix: '/', headers: [{ name: 'x', match: {} }] })],
    code: 'schema.exactly-one',
    path: 'spec.httpRoute.match.headers[0].match',
  },
  {
    rule: 'header range start < end',
    good: [
      ...world,
      http({ prefix: '/', headers: [{ name: 'x', match: { range: { start: 0, end: 10 } } }] }),
    ],
    bad: [...world, http({ prefix: '/', headers: [{ name: 'x', match: { range: { start: 10, end: 0 } } }] })],
    code: 'match.range',
    path: 'spec.httpRoute.match.headers[0].match.range',
  },
  {
    rule: 'a query parameter match block needs match.exact',
    good: [...world, http({ prefix: '/', queryParameters: [{ name: 'q', match: { exact: 'v' } }] })],
    bad: [...world, http({ prefix: '/', queryParameters: [{ name: 'q', match: {} }] })],
    code: 'gr.query-match-exact',
    path: 'spec.httpRoute.match.queryParameters[0].match',
  },
  {
    rule: 'gRPC match needs serviceName or hostname',
    good: [...grpcWorld, grpc({ serviceName: 'pkg.Svc' })],
    bad: [...grpcWorld, grpc({ port: 8088 })],
    code: 'schema.at-least-one',
    path: 'spec.grpcRoute.match',
  },
  {
    rule: 'gateway routes have no gRPC methodName (unknown field, warning)',
    good: [...grpcWorld, grpc({ serviceName: 'pkg.Svc' })],
    bad: [...grpcWorld, grpc({ serviceName: 'pkg.Svc', methodName: 'Get' })],
    code: 'schema.unknown-field',
    path: 'spec.grpcRoute.match.methodName',
    severity: 'warning',
  },
  {
    rule: 'rewrite needs at least one of prefix, path, hostname',
    good: [...world, http({ prefix: '/' }, { rewrite: { hostname: { defaultTargetHostname: 'DISABLED' } } })],
    bad: [...world, http({ prefix: '/' }, { rewrite: {} })],
    code: 'schema.at-least-one',
    path: 'spec.httpRoute.action.rewrite',
  },
  {
    rule: 'rewrite has prefix xor path',
    good: [...world, http({ path: { exact: '/a' } }, { rewrite: { path: { exact: '/b' } } })],
    bad: [...world, http({ prefix: '/' }, { rewrite: { path: { exact: '/b' }, prefix: { value: '/x/' } } })],
    code: 'schema.at-most-one',
    path: 'spec.httpRoute.action.rewrite',
  },
  {
    rule: 'prefix rewrite is defaultPrefix xor value',
    good: [...world, http({ prefix: '/a/' }, { rewrite: { prefix: { defaultPrefix: 'DISABLED' } } })],
    bad: [
      ...world,
      http({ prefix: '/a/' }, { rewrite: { prefix: { defaultPrefix: 'DISABLED', value: '/b/' } } }),
    ],
    code: 'schema.exactly-one',
    path: 'spec.httpRoute.action.rewrite.prefix',
  },
  {
    rule: 'a new prefix starts and ends with /',
    good: [...world, http({ prefix: '/a/' }, { rewrite: { prefix: { value: '/b/' } } })],
    bad: [...world, http({ prefix: '/a/' }, { rewrite: { prefix: { value: '/b' } } })],
    code: 'gr.rewrite-prefix',
    path: 'spec.httpRoute.action.rewrite.prefix.value',
  },
  {
    rule: 'with a prefix rewrite the match prefix starts with /',
    good: [...world, http({ prefix: '/a/' }, { rewrite: { prefix: { value: '/b/' } } })],
    bad: [...world, http({ prefix: 'a/' }, { rewrite: { prefix: { value: '/b/' } } })],
    code: 'match.prefix-slash',
    path: 'spec.httpRoute.match.prefix',
  },
  {
    rule: 'prefixes /aws-appmesh* are reserved',
    good: [...world, http({ prefix: '/aws' })],
    bad: [...world, http({ prefix: '/aws-appmesh/x' })],
    code: 'gr.reserved-name',
    path: 'spec.httpRoute.match.prefix',
  },
  {
    rule: 'paths /aws-app-mesh* are reserved',
    good: [...world, http({ path: { exact: '/app-mesh' } })],
    bad: [...world, http({ path: { exact: '/aws-app-mesh' } })],
    code: 'gr.reserved-name',
    path: 'spec.httpRoute.match.path.exact',
  },
  {
    rule: 'gRPC service names aws.app-mesh* are reserved',
    good: [...grpcWorld, grpc({ serviceName: 'aws.mesh.Svc' })],
    bad: [...grpcWorld, grpc({ serviceName: 'aws.app-mesh.Health' })],
    code: 'gr.reserved-name',
    path: 'spec.grpcRoute.match.serviceName',
  },
  {
    rule: 'gRPC service name aws.appmesh is reserved',
    good: [...grpcWorld, grpc({ serviceName: 'aws.appmeshy' })],
    bad: [...grpcWorld, grpc({ serviceName: 'aws.appmesh' })],
    code: 'gr.reserved-name',
    path: 'spec.grpcRoute.match.serviceName',
  },
  {
    rule: 'priority is 0..1000',
    good: [...world, gr('r', { priority: 0, httpRoute: { match: { prefix: '/' }, action: { target } } })],
    bad: [...world, gr('r', { priority: -1, httpRoute: { match: { prefix: '/' }, action: { target } } })],
    code: 'schema.range',
    path: 'spec.priority',
  },
  {
    rule: 'the target VirtualService must exist',
    good: [...world, http({ prefix: '/' })],
    bad: [node, gateway, http({ prefix: '/' })],
    code: 'ref.not-found',
    path: 'spec.httpRoute.action.target.virtualService.virtualServiceRef',
  },
  {
    rule: 'with several gateway listeners match.port is required',
    good: [
      node,
      svc,
      vg('g', { namespaceSelector: {}, listeners: [listener(8088), listener(8089)] }),
      http({ prefix: '/', port: 8089 }),
    ],
    bad: [
      node,
      svc,
      vg('g', { namespaceSelector: {}, listeners: [listener(8088), listener(8089)] }),
      http({ prefix: '/' }),
    ],
    code: 'gr.port-required',
    path: 'spec.httpRoute.match.port',
  },
  {
    rule: 'match.port must be a gateway listener port',
    good: [...world, http({ prefix: '/', port: 8088 })],
    bad: [...world, http({ prefix: '/', port: 9 })],
    code: 'gr.port-unknown',
    path: 'spec.httpRoute.match.port',
  },
  {
    // Issue 16 item 7: App Mesh accepted it (no evidence its API refused it); it matches no traffic.
    rule: "a route type that does not fit the gateway listener's protocol matches nothing (warning)",
    good: [...grpcWorld, grpc({ serviceName: 'a.B' })],
    bad: [...grpcWorld, http({ prefix: '/' })],
    code: 'gr.protocol-mismatch',
    path: 'spec.httpRoute',
    severity: 'warning',
  },
  {
    rule: "the target port must be a listener of the service's provider",
    good: [
      ...world,
      gr('r', { httpRoute: { match: { prefix: '/' }, action: { target: { ...target, port: 8080 } } } }),
    ],
    bad: [
      ...world,
      gr('r', { httpRoute: { match: { prefix: '/' }, action: { target: { ...target, port: 1 } } } }),
    ],
    code: 'target.port-unknown',
    path: 'spec.httpRoute.action.target.port',
  },
  {
    rule: 'gateway route names are unique per gateway',
    good: [
      ...world,
      http({ prefix: '/' }),
      gr('r2', { httpRoute: { match: { prefix: '/b' }, action: { target } } }),
    ],
    bad: [
      ...world,
      http({ prefix: '/' }),
      gr('r2', { awsName: 'r_ns', httpRoute: { match: { prefix: '/b' }, action: { target } } }),
    ],
    code: 'name.duplicate',
    path: 'spec.awsName',
  },
  {
    // In a store or a cluster the system set the ref, and it decides.
    rule: 'a system-set virtualGatewayRef must name an existing gateway',
    good: [
      ...world,
      gr('r', {
        virtualGatewayRef: { name: 'g', uid: 'u' },
        httpRoute: { match: { prefix: '/' }, action: { target } },
      }),
    ],
    bad: [
      ...world,
      gr('r', {
        virtualGatewayRef: { name: 'nope', uid: 'u' },
        httpRoute: { match: { prefix: '/' }, action: { target } },
      }),
    ],
    code: 'gr.gateway-not-found',
    path: 'spec.virtualGatewayRef.name',
    options: { options: { refsFromFiles: false } },
  },
  {
    // Issue 16 item 4: in files the selectors decide; the controller's mutating webhook set
    // virtualGatewayRef from them (CTRL webhooks/appmesh/gatewayroute_mutator.go).
    rule: 'in manifests, a virtualGatewayRef that disagrees with the selectors is refused',
    good: [...world, http({ prefix: '/' })],
    bad: [
      ...world,
      vg('other', { namespaceSelector: { matchLabels: { none: 'x' } }, listeners: [listener(8088)] }),
      gr('r', {
        virtualGatewayRef: { name: 'other', uid: 'u' },
        httpRoute: { match: { prefix: '/' }, action: { target } },
      }),
    ],
    code: 'gr.gateway-ref-mismatch',
    path: 'spec.virtualGatewayRef.name',
    message: 'but the route is selected by VirtualGateway ns/g',
  },
  {
    // The bug the issue found: the route was attached to a gateway whose selectors do not select it.
    rule: 'in manifests, a virtualGatewayRef naming a gateway that selects nothing is refused',
    good: [...world, http({ prefix: '/' })],
    bad: [
      node,
      svc,
      vg('g', { namespaceSelector: { matchLabels: { none: 'x' } }, listeners: [listener(8088)] }),
      gr('r', {
        virtualGatewayRef: { name: 'g', uid: 'u' },
        httpRoute: { match: { prefix: '/' }, action: { target } },
      }),
    ],
    code: 'gr.gateway-ref-mismatch',
    path: 'spec.virtualGatewayRef.name',
    message: 'which does not select the route: failed to find matching virtualGateway',
  },
  {
    // `kubectl get -o yaml` exports carry the ref: accepted when it agrees.
    rule: 'in manifests, a virtualGatewayRef that agrees with the selectors is ignored (warning)',
    good: [...world, http({ prefix: '/' })],
    bad: [
      ...world,
      gr('r', {
        virtualGatewayRef: { name: 'g', namespace: 'ns', uid: 'u' },
        httpRoute: { match: { prefix: '/' }, action: { target } },
      }),
    ],
    code: 'gr.gateway-ref-ignored',
    path: 'spec.virtualGatewayRef',
    severity: 'warning',
  },
  {
    rule: 'a gRPC rewrite has only hostname (prefix is unknown, warning)',
    good: [
      ...grpcWorld,
      gr('r', {
        grpcRoute: {
          match: { serviceName: 'a.B' },
          action: { target, rewrite: { hostname: { defaultTargetHostname: 'ENABLED' } } },
        },
      }),
    ],
    bad: [
      ...grpcWorld,
      gr('r', {
        grpcRoute: {
          match: { serviceName: 'a.B' },
          action: { target, rewrite: { prefix: { value: '/x/' } } },
        },
      }),
    ],
    code: 'schema.unknown-field',
    path: 'spec.grpcRoute.action.rewrite.prefix',
    severity: 'warning',
  },
  {
    rule: 'the target is a virtualServiceRef or a virtualServiceARN, not both',
    good: [
      ...world,
      gr('r', {
        httpRoute: {
          match: { prefix: '/' },
          action: { target: { virtualService: { virtualServiceARN: 'mesh/m/virtualService/s.ns' } } },
        },
      }),
    ],
    bad: [
      ...world,
      gr('r', {
        httpRoute: {
          match: { prefix: '/' },
          action: {
            target: {
              virtualService: {
                virtualServiceARN: 'mesh/m/virtualService/s.ns',
                virtualServiceRef: { name: 's' },
              },
            },
          },
        },
      }),
    ],
    code: 'schema.exactly-one',
    path: 'spec.httpRoute.action.target.virtualService',
  },
];

describe('GatewayRoute rules (appmesh.md §1.2, §2.2, §2.4)', () => {
  for (const c of cases) it(c.rule, () => void verifyRule(c));

  it('attaches routes to their gateway in priority order (unset last), then by name', () => {
    const r = check([
      ...world,
      gr('b', { httpRoute: { match: { prefix: '/b' }, action: { target } } }),
      gr('a', { httpRoute: { match: { prefix: '/a' }, action: { target } } }),
      gr('z', { priority: 3, httpRoute: { match: { prefix: '/z' }, action: { target } } }),
    ]);
    expect(r.errors).toEqual([]);
    const g = r.graph.meshes.get('m')!.virtualGateways.get('g_ns')!;
    expect(g.routes.map((x) => [x.awsName, x.gateway, x.protocol, x.target.service.awsName])).toEqual([
      ['z_ns', 'g_ns', 'http', 's.ns'],
      ['a_ns', 'g_ns', 'http', 's.ns'],
      ['b_ns', 'g_ns', 'http', 's.ns'],
    ]);
  });

  it('without the Namespace object, a gateway in the route namespace is preferred among candidates', () => {
    const r = check(
      [
        mesh('m', { namespaceSelector: {} }),
        node,
        svc,
        vg('g', { namespaceSelector: {}, listeners: [listener(8088)] }),
        vg('g2', { namespaceSelector: {}, listeners: [listener(8088)] }, { namespace: 'other' }),
        http({ prefix: '/' }),
      ],
      { base: false, namespaces: [] },
    );
    expect(r.errors).toEqual([]);
    expect(r.graph.meshes.get('m')!.virtualGateways.get('g_ns')!.routes).toHaveLength(1);
  });
});
