/**
 * Issue 14 item 5: every number the schemas accept is one Envoy can hold. A mesh with
 * every numeric field at its largest accepted value, and one with every field at its
 * smallest, validate clean and translate, for every proxy, into resources that pass
 * Envoy's own checks (protoc-gen-validate rules, 64-bit nanosecond durations). A bound
 * loosened past what Envoy can take, or a field added without one, fails here.
 */
import { describe, expect, it } from 'vitest';
import { loadText } from '../../src/load/index.js';
import { validateLoaded } from '../../src/mesh/index.js';
import { checkResources, formatCheckProblems } from '../../src/envoy/check/index.js';
import { NO_ENDPOINTS } from '../../src/envoy/endpoints.js';
import { proxyGroups } from '../../src/envoy/groups.js';
import { translateGroupDetailed } from '../../src/envoy/translate.js';
import {
  MAX_DURATION_MS,
  MAX_DURATION_SECONDS,
  MAX_EXACT_INTEGER,
  MAX_INT32,
  MAX_UINT32,
} from '../../src/model/schema/bounds.js';

interface Edge {
  ports: [number, number, number, number];
  seconds: number;
  millis: number;
  /** Outlier detection's durations: Envoy wants them above 0. */
  positive: number;
  int32: number;
  uint32: number;
  /** maxServerErrors: at least 1. */
  errors: number;
  percent: number;
  priority: number;
  weight: number;
  rangeStart: number;
  rangeEnd: number;
  health: { interval: number; timeout: number; threshold: number };
}

const LARGEST: Edge = {
  ports: [65535, 65534, 65533, 65532],
  seconds: MAX_DURATION_SECONDS,
  millis: MAX_DURATION_MS,
  positive: MAX_DURATION_MS,
  int32: MAX_INT32,
  uint32: MAX_UINT32,
  errors: MAX_UINT32,
  percent: 100,
  priority: 1000,
  weight: 100,
  rangeStart: MAX_EXACT_INTEGER - 1,
  rangeEnd: MAX_EXACT_INTEGER,
  health: { interval: 300000, timeout: 60000, threshold: 10 },
};

const SMALLEST: Edge = {
  ports: [1, 2, 3, 4],
  seconds: 0,
  millis: 0,
  positive: 1,
  int32: 1,
  uint32: 0,
  errors: 1,
  percent: 0,
  priority: 0,
  weight: 1,
  rangeStart: -MAX_EXACT_INTEGER,
  rangeEnd: -MAX_EXACT_INTEGER + 1,
  health: { interval: 5000, timeout: 2000, threshold: 2 },
};

function manifests(e: Edge): string {
  const [http, http2, grpc, tcp] = e.ports;
  const s = (value: number) => ({ unit: 's', value });
  const ms = (value: number) => ({ unit: 'ms', value });
  const healthCheck = (protocol: string, port: number) => ({
    protocol,
    port,
    ...(protocol === 'http' ? { path: '/ping' } : {}),
    intervalMillis: e.health.interval,
    timeoutMillis: e.health.timeout,
    healthyThreshold: e.health.threshold,
    unhealthyThreshold: e.health.threshold,
  });
  const range = { range: { start: e.rangeStart, end: e.rangeEnd } };
  const retry = (events: Record<string, unknown>) => ({
    maxRetries: e.uint32,
    perRetryTimeout: ms(e.millis),
    ...events,
  });
  const target = (port: number) => ({
    weightedTargets: [{ virtualNodeRef: { name: 'server' }, weight: e.weight, port }],
  });
  const objects = [
    {
      kind: 'Mesh',
      metadata: { name: 'bounds' },
      spec: { namespaceSelector: { matchLabels: { mesh: 'bounds' } } },
    },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b', labels: { mesh: 'bounds' } } },
    {
      kind: 'VirtualNode',
      metadata: { name: 'server', namespace: 'b' },
      spec: {
        podSelector: { matchLabels: { app: 'server' } },
        serviceDiscovery: { dns: { hostname: 'server.b.svc.cluster.local' } },
        listeners: [
          {
            portMapping: { port: http, protocol: 'http' },
            connectionPool: { http: { maxConnections: e.int32, maxPendingRequests: e.int32 } },
            healthCheck: healthCheck('http', http),
            outlierDetection: {
              maxServerErrors: e.errors,
              maxEjectionPercent: e.percent,
              interval: ms(e.positive),
              baseEjectionDuration: ms(e.positive),
            },
            timeout: { http: { idle: s(e.seconds), perRequest: ms(e.millis) } },
          },
          {
            portMapping: { port: http2, protocol: 'http2' },
            connectionPool: { http2: { maxRequests: e.int32 } },
            healthCheck: healthCheck('http2', http2),
            timeout: { http2: { idle: ms(e.millis), perRequest: s(e.seconds) } },
          },
          {
            portMapping: { port: grpc, protocol: 'grpc' },
            connectionPool: { grpc: { maxRequests: e.int32 } },
            healthCheck: healthCheck('grpc', grpc),
            timeout: { grpc: { idle: s(e.seconds), perRequest: s(e.seconds) } },
          },
          {
            portMapping: { port: tcp, protocol: 'tcp' },
            connectionPool: { tcp: { maxConnections: e.int32 } },
            healthCheck: healthCheck('tcp', tcp),
            timeout: { tcp: { idle: ms(e.millis) } },
          },
        ],
      },
    },
    {
      kind: 'VirtualNode',
      metadata: { name: 'client', namespace: 'b' },
      spec: {
        podSelector: { matchLabels: { app: 'client' } },
        backends: [{ virtualService: { virtualServiceRef: { name: 'svc' } } }],
        backendDefaults: {
          clientPolicy: {
            tls: { ports: [http], validation: { trust: { file: { certificateChain: '/certs/ca.pem' } } } },
          },
        },
      },
    },
    {
      kind: 'VirtualRouter',
      metadata: { name: 'router', namespace: 'b' },
      spec: {
        listeners: [
          { portMapping: { port: http, protocol: 'http' } },
          { portMapping: { port: http2, protocol: 'http2' } },
          { portMapping: { port: grpc, protocol: 'grpc' } },
          { portMapping: { port: tcp, protocol: 'tcp' } },
        ],
        routes: [
          {
            name: 'http',
            priority: e.priority,
            httpRoute: {
              match: { prefix: '/', port: http, headers: [{ name: 'x-n', match: range }] },
              action: target(http),
              retryPolicy: retry({ httpRetryEvents: ['server-error'], tcpRetryEvents: ['connection-error'] }),
              timeout: { idle: ms(e.millis), perRequest: s(e.seconds) },
            },
          },
          {
            name: 'http2',
            priority: e.priority,
            http2Route: {
              match: { prefix: '/', port: http2 },
              action: target(http2),
              retryPolicy: retry({ httpRetryEvents: ['gateway-error'] }),
              timeout: { idle: s(e.seconds), perRequest: ms(e.millis) },
            },
          },
          {
            name: 'grpc',
            priority: e.priority,
            grpcRoute: {
              match: { serviceName: 'pkg.Svc', port: grpc, metadata: [{ name: 'x-n', match: range }] },
              action: target(grpc),
              retryPolicy: retry({ grpcRetryEvents: ['unavailable'] }),
              timeout: { idle: s(e.seconds), perRequest: s(e.seconds) },
            },
          },
          {
            name: 'tcp',
            priority: e.priority,
            tcpRoute: { match: { port: tcp }, action: target(tcp), timeout: { idle: s(e.seconds) } },
          },
        ],
      },
    },
    {
      kind: 'VirtualService',
      metadata: { name: 'svc', namespace: 'b' },
      spec: { provider: { virtualRouter: { virtualRouterRef: { name: 'router' } } } },
    },
    {
      kind: 'VirtualGateway',
      metadata: { name: 'gateway', namespace: 'b' },
      spec: {
        namespaceSelector: { matchLabels: { mesh: 'bounds' } },
        podSelector: { matchLabels: { app: 'gateway' } },
        listeners: [
          {
            portMapping: { port: http, protocol: 'http' },
            connectionPool: { http: { maxConnections: e.int32, maxPendingRequests: e.int32 } },
            healthCheck: healthCheck('http', http),
          },
        ],
      },
    },
    {
      kind: 'GatewayRoute',
      metadata: { name: 'to-svc', namespace: 'b' },
      spec: {
        priority: e.priority,
        httpRoute: {
          match: { prefix: '/', port: http, headers: [{ name: 'x-n', match: range }] },
          action: { target: { virtualService: { virtualServiceRef: { name: 'svc' } }, port: http } },
        },
      },
    },
  ];
  return objects.map((o) => JSON.stringify({ apiVersion: 'appmesh.k8s.aws/v1beta2', ...o })).join('\n---\n');
}

describe.each([
  ['largest', LARGEST],
  ['smallest', SMALLEST],
])('every numeric field at its %s accepted value', (_name, edge) => {
  const { graph, diagnostics } = validateLoaded(loadText(manifests(edge), 'bounds.yaml'));

  it('validates without errors', () => {
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('translates, for every proxy, into resources Envoy accepts', () => {
    const groups = proxyGroups(graph);
    expect(groups.length).toBeGreaterThanOrEqual(3);
    for (const group of groups) {
      const { resources } = translateGroupDetailed(graph, group, NO_ENDPOINTS);
      const problems = checkResources(resources);
      expect(problems, `${group.key}:\n${formatCheckProblems(problems)}`).toEqual([]);
    }
  });
});

describe('one past the largest (or below the smallest) accepted value is refused', () => {
  const past = (edit: (e: Edge) => Edge) =>
    validateLoaded(loadText(manifests(edit({ ...LARGEST })), 'past.yaml')).diagnostics.filter(
      (d) => d.severity === 'error',
    );

  it.each([
    ['a duration in seconds', (e: Edge) => ({ ...e, seconds: MAX_DURATION_SECONDS + 1 })],
    ['a duration in milliseconds', (e: Edge) => ({ ...e, millis: MAX_DURATION_MS + 1 })],
    ['a 32-bit count', (e: Edge) => ({ ...e, int32: MAX_INT32 + 1 })],
    ['an unsigned 32-bit count', (e: Edge) => ({ ...e, uint32: MAX_UINT32 + 1 })],
    ['a header range', (e: Edge) => ({ ...e, rangeEnd: MAX_EXACT_INTEGER + 2 })],
    ['an outlier detection interval of 0', (e: Edge) => ({ ...e, positive: 0 })],
  ])('%s', (_what, edit) => {
    const errors = past(edit);
    expect(errors.length).toBeGreaterThan(0);
    expect(
      errors.every((d) => d.code === 'schema.range'),
      JSON.stringify(errors, null, 1),
    ).toBe(true);
  });
});
