/**
 * App Mesh's verdicts on create, ported from the validating webhooks' unit tests of
 * aws/aws-app-mesh-controller-for-k8s (webhooks/appmesh/*_validator_test.go; each case
 * is named after its Go test case). Each object is written here anew, in a mesh where
 * everything else is valid, and `amime validate` must give the same verdict: accepted
 * (no error) or refused (an error). The update-only cases (immutable fields) are in
 * immutability.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { check, dns, gr, listener, summarize, vg, vn, vr, vs, type Raw } from './fixtures.testkit.js';

interface Case {
  /** The Go test function (without `Test_`) and case name. */
  source: string;
  objects: Raw[];
  verdict: 'accepted' | 'refused';
}

const node = vn('n', { listeners: [listener(8080)], serviceDiscovery: dns() });
const svc = vs('s', { provider: { virtualNode: { virtualNodeRef: { name: 'n' } } } });
const target = { virtualService: { virtualServiceRef: { name: 's' } } };
const httpGateway = vg('g', { namespaceSelector: {}, listeners: [listener(8088)] });
const grpcGateway = vg('g', { namespaceSelector: {}, listeners: [listener(8088, 'grpc')] });

const httpGR = (match: Raw, action: Raw = {}): Raw[] => [
  node,
  svc,
  httpGateway,
  gr('r', { httpRoute: { match, action: { target, ...action } } }),
];
const grpcGR = (match: Raw): Raw[] => [
  node,
  svc,
  grpcGateway,
  gr('r', { grpcRoute: { match, action: { target } } }),
];

const GR = 'gatewayRouteValidator_';
const gatewayRoutes: Case[] = [
  {
    source: `${GR}validateGRPCGatewayRouteSpec: ValidCase: No Match filter for one of the metadata`,
    objects: grpcGR({
      serviceName: 'color.ColorService',
      metadata: [{ name: 'client', match: { exact: 'mobile' } }, { name: 'service_type' }],
    }),
    verdict: 'accepted',
  },
  {
    source: `${GR}validateGRPCGatewayRouteSpec: Invalid MatchRange for metadata`,
    objects: grpcGR({
      serviceName: 'user.ProfileService',
      metadata: [{ name: 'userId', match: { range: { start: 30, end: 20 } } }],
    }),
    verdict: 'refused',
  },
  {
    source: `${GR}validateQueryParamsIfAny: Valid case`,
    objects: httpGR({ prefix: '/', queryParameters: [{ name: 'user', match: { exact: 'Test' } }] }),
    verdict: 'accepted',
  },
  {
    source: `${GR}validateQueryParamsIfAny: No matching filters for single query parameter`,
    objects: httpGR({ prefix: '/', queryParameters: [{ name: 'user', match: {} }] }),
    verdict: 'refused',
  },
  {
    source: `${GR}validateQueryParamsIfAny: QueryParams with only name and no match block specified`,
    objects: httpGR({ prefix: '/', queryParameters: [{ name: 'user' }] }),
    verdict: 'accepted',
  },
  {
    source: `${GR}validateHeadersIfAny: Multiple matching filters for single header`,
    objects: httpGR({
      prefix: '/',
      headers: [{ name: 'user', match: { exact: 'Test', prefix: 'App' }, invert: false }],
    }),
    verdict: 'refused',
  },
  {
    source: `${GR}validateHeadersIfAny: No matching filters for single header`,
    objects: httpGR({ prefix: '/', headers: [{ name: 'user', match: {} }] }),
    verdict: 'refused',
  },
  {
    source: `${GR}validateHeadersIfAny: Header with only name and no match block specified`,
    objects: httpGR({ prefix: '/', headers: [{ name: 'user' }] }),
    verdict: 'accepted',
  },
  {
    source: `${GR}validateMetadataIfAny: Multiple Match Filters for single metadata`,
    objects: grpcGR({
      serviceName: 'svc.S',
      metadata: [{ name: 'service_name', match: { exact: 'checkout', suffix: '/item' } }],
    }),
    verdict: 'refused',
  },
  {
    source: `${GR}validateMetadataIfAny: Invalid Match Range`,
    objects: grpcGR({
      serviceName: 'svc.S',
      metadata: [{ name: 'service_name', match: { range: { start: 4, end: 2 } } }],
    }),
    verdict: 'refused',
  },
  {
    source: `${GR}validateMetadataIfAny: Valid Case`,
    objects: grpcGR({
      serviceName: 'svc.S',
      metadata: [{ name: 'service_name', match: { range: { start: 4, end: 8 } } }],
    }),
    verdict: 'accepted',
  },
  {
    source: `${GR}validatePathForHTTPGatewayRoute: Only Exact path specified`,
    objects: httpGR({ path: { exact: '/paths/green' } }),
    verdict: 'accepted',
  },
  {
    source: `${GR}validatePathForHTTPGatewayRoute: Only Regex specified`,
    objects: httpGR({ path: { regex: '/pathss/green.*test' } }),
    verdict: 'accepted',
  },
  {
    source: `${GR}validatePathForHTTPGatewayRoute: Both Exact and Regex specified`,
    objects: httpGR({ path: { exact: '/paths/green', regex: '/pathss/green.*test' } }),
    verdict: 'refused',
  },
  {
    source: `${GR}validatePathForHTTPGatewayRoute: Neither Exact nor Regex specified`,
    objects: httpGR({ path: {} }),
    verdict: 'refused',
  },
  {
    source: `${GR}validateHTTPRouteRewrite: Missing Rewrite filters`,
    objects: httpGR({ prefix: '/' }, { rewrite: {} }),
    verdict: 'refused',
  },
  {
    source: `${GR}validateHTTPRouteRewrite: Both Prefix and Path Rewrite specified`,
    objects: httpGR(
      { prefix: '/' },
      { rewrite: { prefix: { value: '/test-prefix/' }, path: { exact: '/payment' } } },
    ),
    verdict: 'refused',
  },
  {
    source: `${GR}validateHTTPRouteRewrite: Incorrect Prefix Rewrite format`,
    objects: httpGR({ prefix: '/red/' }, { rewrite: { prefix: { value: '/test' } } }),
    verdict: 'refused',
  },
  {
    source: `${GR}validateHTTPRouteRewrite: Incorrect Prefix Match format - case2`,
    objects: httpGR({ prefix: 'red/' }, { rewrite: { prefix: { value: '/test/' } } }),
    verdict: 'refused',
  },
  {
    source: `${GR}validateHTTPRouteRewrite: Incorrect Prefix Rewrite format - case2`,
    objects: httpGR({ prefix: '/red/' }, { rewrite: { prefix: { value: 'test/' } } }),
    verdict: 'refused',
  },
  {
    source: `${GR}validateHTTPRouteRewrite: Both DefaultPrefix and Prefix for Rewrite specified`,
    objects: httpGR(
      { prefix: '/red/' },
      { rewrite: { prefix: { defaultPrefix: 'DISABLED', value: '/test/' } } },
    ),
    verdict: 'refused',
  },
  {
    source: `${GR}validateHTTPRouteRewrite: ValidCase: Only DefaultPrefix specified`,
    objects: httpGR({ prefix: '/red/' }, { rewrite: { prefix: { defaultPrefix: 'DISABLED' } } }),
    verdict: 'accepted',
  },
  {
    source: `${GR}validateHTTPRouteRewrite: Only DefaultTargetHostname specified`,
    objects: httpGR({ prefix: '/red/' }, { rewrite: { hostname: { defaultTargetHostname: 'DISABLED' } } }),
    verdict: 'accepted',
  },
  {
    source: `${GR}validateHostnameAndServicename: Hostname and Servicename both nil`,
    objects: grpcGR({}),
    verdict: 'refused',
  },
  {
    source: `${GR}validateHostnameAndServicename: Invalid Hostname with both Exact and Suffix specified`,
    objects: grpcGR({ hostname: { exact: 'www.github.com', suffix: '.github.com' } }),
    verdict: 'refused',
  },
  {
    source: `${GR}validateHostnameAndServicename: Invalid Hostname with neither Exact nor Suffix specified`,
    objects: grpcGR({ hostname: {} }),
    verdict: 'refused',
  },
  {
    source: `${GR}validateHostnameAndServicename: Valid Hostname Case`,
    objects: grpcGR({ hostname: { exact: 'www.github.com' } }),
    verdict: 'accepted',
  },
  {
    source: `${GR}validateHostnameAndServicename: Valid Servicename Case`,
    objects: grpcGR({ serviceName: 'test-service' }),
    verdict: 'accepted',
  },
  {
    source: `${GR}validatePrefixOrPathOrHostnameOrServicename: HTTPGateway Route with Missing Prefix, Path and Hostname`,
    objects: httpGR({}),
    verdict: 'refused',
  },
  {
    source: `${GR}validatePrefixOrPathOrHostnameOrServicename: HTTPGateway Route with Prefix and Path specified`,
    objects: httpGR({ prefix: '/payment', path: { exact: '/payment/items' } }),
    verdict: 'refused',
  },
  {
    source: `${GR}validatePrefixOrPathOrHostnameOrServicename: HTTPGateway Route with Prefix or Path specified with Hostname`,
    objects: httpGR({ hostname: { exact: 'www.hotels.com' }, prefix: '/payment/' }),
    verdict: 'accepted',
  },
  {
    source: `${GR}validatePrefixOrPathOrHostnameOrServicename: HTTPGateway with Exact and Suffix both specified for Hostname`,
    objects: httpGR({ hostname: { exact: 'www.hotels.com', suffix: '/payment' } }),
    verdict: 'refused',
  },
  {
    source: `${GR}validateNumOfRoutes: Only HTTPRoute specified`,
    objects: httpGR({ prefix: '/' }),
    verdict: 'accepted',
  },
  {
    source: `${GR}validateNumOfRoutes: HTTPRoute and GRPCRoute specified`,
    objects: [
      node,
      svc,
      httpGateway,
      gr('r', {
        httpRoute: { match: { prefix: '/' }, action: { target } },
        grpcRoute: { match: { serviceName: 'a.B' }, action: { target } },
      }),
    ],
    verdict: 'refused',
  },
  {
    source: `${GR}validateNumOfRoutes: No route specified`,
    objects: [node, svc, httpGateway, gr('r', {})],
    verdict: 'refused',
  },
];

const route = (name: string, prefix: Raw) => ({
  name,
  httpRoute: {
    match: { method: 'GET', ...prefix },
    action: { weightedTargets: [{ virtualNodeRef: { name: 'n' }, weight: 1 }] },
  },
});
const router = (routes: Raw[]): Raw[] => [node, vr('my-vr', { listeners: [listener(8080)], routes })];

const VR = 'virtualRouterValidator_';
const virtualRouters: Case[] = [
  {
    source: `${VR}checkForDuplicateRouteEntries: VirtualRouter has duplicate routes`,
    objects: router([route('testRoute', { prefix: '/' }), route('testRoute', { prefix: '/test' })]),
    verdict: 'refused',
  },
  {
    source: `${VR}checkForDuplicateRouteEntries: No duplicate routes`,
    objects: router([route('testRoute', { prefix: '/' })]),
    verdict: 'accepted',
  },
  {
    source: `${VR}validateRoute: Prefix and Path both specified`,
    objects: router([route('r', { prefix: '/', path: { exact: '/a' } })]),
    verdict: 'refused',
  },
  {
    source: `${VR}validateRoute: Prefix and Path both not specified`,
    objects: router([route('r', {})]),
    verdict: 'refused',
  },
  {
    source: `${VR}validateRoute: Valid Case`,
    objects: router([route('r', { path: { exact: '/color/blue' } })]),
    verdict: 'accepted',
  },
  {
    source: `${VR}validateRoute: Invalid Case for HTTP2 Route`,
    objects: [
      node,
      vr('my-vr', {
        listeners: [listener(8080, 'http2')],
        routes: [
          {
            name: 'r',
            http2Route: {
              match: { prefix: '/', path: { exact: '/a' } },
              action: { weightedTargets: [{ virtualNodeRef: { name: 'n' }, weight: 1 }] },
            },
          },
        ],
      }),
    ],
    verdict: 'refused',
  },
];

const backend = (name: string, namespace?: string) => ({
  virtualService: { virtualServiceRef: { name, ...(namespace ? { namespace } : {}) } },
});
const arnBackend = (arn: string) => ({ virtualService: { virtualServiceARN: arn } });
const cloudMap = { awsCloudMap: { namespaceName: 'cloudmap-ns', serviceName: 'cloudmap-svc' } };
const pool = (p: Raw) => [
  vn('my-vn', { listeners: [listener(8080, 'http', { connectionPool: p })], serviceDiscovery: cloudMap }),
];
const ARN = 'arn:aws:appmesh:us-west-2:111122223333:mesh/m/virtualService/testARN';

const VN = 'virtualNodeValidator_';
const virtualNodes: Case[] = [
  {
    source: `${VN}checkVirtualNodeBackendsForDuplicates: Duplicate VirtualService Reference (By Name) included`,
    objects: [vn('my-vn', { backends: [backend('testVS'), backend('testVS')] })],
    verdict: 'refused',
  },
  {
    source: `${VN}checkVirtualNodeBackendsForDuplicates: Duplicate VirtualService ARN included`,
    objects: [vn('my-vn', { backends: [arnBackend(ARN), arnBackend(ARN)] })],
    verdict: 'refused',
  },
  {
    source: `${VN}checkVirtualNodeBackendsForDuplicates: No Duplicate Backends`,
    objects: [vn('my-vn', { backends: [backend('testVS'), backend('otherVS')] })],
    verdict: 'accepted',
  },
  {
    source: `${VN}checkVirtualNodeBackendsForDuplicates: Same VirtualService name across different namespaces`,
    objects: [vn('my-vn', { backends: [backend('testVS', 'ns'), backend('testVS', 'other')] })],
    verdict: 'accepted',
  },
  {
    source: `${VN}checkRequiredFields: ServiceDiscovery is Optional if listeners are not specified`,
    objects: [vn('my-vn', {})],
    verdict: 'accepted',
  },
  {
    source: `${VN}checkRequiredFields: ServiceDiscovery is Mandatory if listeners are specified`,
    objects: [vn('my-vn', { listeners: [listener(8080)] })],
    verdict: 'refused',
  },
  {
    source: `${VN}checkForConnectionPoolProtocols: Virtual node listener with one connection pool type`,
    objects: pool({ http: { maxConnections: 100, maxPendingRequests: 30 } }),
    verdict: 'accepted',
  },
  {
    source: `${VN}checkForConnectionPoolProtocols: Virtual node listener with HTTP and TCP connection pools`,
    objects: pool({ http: { maxConnections: 100 }, tcp: { maxConnections: 10 } }),
    verdict: 'refused',
  },
  {
    source: `${VN}checkForConnectionPoolProtocols: Virtual node listener with HTTP and HTTP2 connection pools`,
    objects: pool({ http: { maxConnections: 100 }, http2: { maxRequests: 10 } }),
    verdict: 'refused',
  },
  {
    source: `${VN}checkForConnectionPoolProtocols: Virtual node listener with HTTP, HTTP2, TCP, GRPC connection pools`,
    objects: pool({
      http: { maxConnections: 100 },
      http2: { maxRequests: 10 },
      tcp: { maxConnections: 10 },
      grpc: { maxRequests: 10 },
    }),
    verdict: 'refused',
  },
  {
    source: `${VN}checkForConnectionPoolProtocols: Virtual node listener with no connection pools`,
    objects: [vn('my-vn', { listeners: [listener(8080)], serviceDiscovery: cloudMap })],
    verdict: 'accepted',
  },
];

const gwPool = (p: Raw) => [
  vg('my-vg', { namespaceSelector: {}, listeners: [listener(8088, 'http', { connectionPool: p })] }),
];
const VG = 'virtualGatewayValidator_';
const virtualGateways: Case[] = [
  {
    source: `${VG}checkForConnectionPoolProtocols: Virtual gateway listener with one connection pool type`,
    objects: gwPool({ http: { maxConnections: 100, maxPendingRequests: 30 } }),
    verdict: 'accepted',
  },
  {
    source: `${VG}checkForConnectionPoolProtocols: Virtual gateway listener with HTTP and HTTP2 connection pool`,
    objects: gwPool({ http: { maxConnections: 100 }, http2: { maxRequests: 10 } }),
    verdict: 'refused',
  },
  {
    source: `${VG}checkForConnectionPoolProtocols: Virtual gateway listener with HTTP, GRPC and HTTP2 connection pool`,
    objects: gwPool({ http: { maxConnections: 100 }, http2: { maxRequests: 10 }, grpc: { maxRequests: 10 } }),
    verdict: 'refused',
  },
  {
    source: `${VG}checkForConnectionPoolProtocols: Virtual gateway listener with no connection pools`,
    objects: [vg('my-vg', { namespaceSelector: {}, listeners: [listener(8088)] })],
    verdict: 'accepted',
  },
];

describe("App Mesh's webhook verdicts on create (the controller's validator unit tests)", () => {
  it.each([...gatewayRoutes, ...virtualRouters, ...virtualNodes, ...virtualGateways])('$source', (c) => {
    const { errors, diagnostics } = check(c.objects);
    const shown = summarize(diagnostics).join('\n');
    if (c.verdict === 'accepted') expect(errors, shown).toEqual([]);
    else expect(errors.length, shown).toBeGreaterThan(0);
  });
});
