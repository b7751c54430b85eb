import { describe, it } from 'vitest';
import { listener, verifyRule, vg, type RuleCase } from './fixtures.testkit.js';

const hc = (protocol: string, more: Record<string, unknown> = {}) => ({
  protocol,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
  intervalMillis: 5000,
  timeoutMillis: 2000,
  ...more,
});
const gw = (listeners: unknown[]) => vg('g', { namespaceSelector: {}, listeners });

const cases: RuleCase[] = [
  {
    rule: 'listener protocols are grpc, http or http2 (no tcp)',
    good: [gw([listener(8088, 'http2')])],
    bad: [gw([listener(8088, 'tcp')])],
    code: 'schema.type',
    path: 'spec.listeners[0].portMapping.protocol',
  },
  {
    rule: 'at most one connectionPool type per listener',
    good: [gw([listener(8088, 'http', { connectionPool: { http: { maxConnections: 1024 } } })])],
    bad: [
      gw([
        listener(8088, 'http', {
          connectionPool: { http: { maxConnections: 1024 }, grpc: { maxRequests: 1 } },
        }),
      ]),
    ],
    code: 'schema.exactly-one',
    path: 'spec.listeners[0].connectionPool',
  },
  {
    rule: 'the connectionPool type should match the listener protocol (warning: App Mesh documents, not enforces, it)',
    good: [gw([listener(8088, 'http2', { connectionPool: { http2: { maxRequests: 10 } } })])],
    bad: [gw([listener(8088, 'http', { connectionPool: { http2: { maxRequests: 10 } } })])],
    code: 'listener.connection-pool-protocol',
    path: 'spec.listeners[0].connectionPool.http2',
    severity: 'warning',
  },
  {
    rule: 'App Mesh requires healthCheck.healthyThreshold (the CRD does not)',
    good: [gw([listener(8088, 'http', { healthCheck: hc('http', { path: '/' }) })])],
    bad: [
      gw([
        listener(8088, 'http', {
          healthCheck: {
            protocol: 'http',
            path: '/',
            unhealthyThreshold: 2,
            intervalMillis: 5000,
            timeoutMillis: 2000,
          },
        }),
      ]),
    ],
    code: 'listener.health-check-healthy-threshold',
    path: 'spec.listeners[0].healthCheck.healthyThreshold',
  },
  {
    rule: 'health check path is only used for http/http2 (warning)',
    good: [gw([listener(8088, 'grpc', { healthCheck: hc('grpc') })])],
    bad: [gw([listener(8088, 'grpc', { healthCheck: hc('grpc', { path: '/' }) })])],
    code: 'listener.health-check-path-ignored',
    path: 'spec.listeners[0].healthCheck.path',
    severity: 'warning',
  },
  {
    // App Mesh's API requires VirtualGatewaySpec.listeners (botocore appmesh 2019-01-25).
    rule: 'a gateway needs spec.listeners',
    good: [gw([listener(8088)])],
    bad: [vg('g', { namespaceSelector: {} })],
    code: 'vg.listener-required',
    path: 'spec.listeners',
  },
  {
    // The API sets no minimum length on the list: an empty one is accepted and serves nothing.
    rule: 'a gateway with an empty listener list serves nothing (warning)',
    good: [gw([listener(8088)])],
    bad: [gw([])],
    code: 'vg.no-listener',
    path: 'spec.listeners',
    severity: 'warning',
  },
  {
    rule: 'listener ports are unique',
    good: [gw([listener(8088), listener(8089)])],
    bad: [gw([listener(8088), listener(8088, 'grpc')])],
    code: 'listener.duplicate-port',
    path: 'spec.listeners[1].portMapping.port',
  },
  {
    rule: 'gateway listeners accept ACM trust (1..3 CA ARNs)',
    good: [
      gw([
        listener(8088, 'http', {
          tls: {
            mode: 'STRICT',
            certificate: { acm: { certificateARN: 'arn:c' } },
            validation: { trust: { acm: { certificateAuthorityARNs: ['arn:ca'] } } },
          },
        }),
      ]),
    ],
    bad: [
      gw([
        listener(8088, 'http', {
          tls: {
            mode: 'STRICT',
            certificate: { acm: { certificateARN: 'arn:c' } },
            validation: { trust: { acm: { certificateAuthorityARNs: ['a', 'b', 'c', 'd'] } } },
          },
        }),
      ]),
    ],
    code: 'schema.items',
    path: 'spec.listeners[0].tls.validation.trust.acm.certificateAuthorityARNs',
  },
  {
    rule: 'selectors must be valid label selectors',
    good: [
      vg('g', {
        namespaceSelector: { matchExpressions: [{ key: 'mesh', operator: 'In', values: ['m'] }] },
        listeners: [listener(8088)],
      }),
    ],
    bad: [
      vg('g', {
        namespaceSelector: { matchExpressions: [{ key: 'mesh', operator: 'In' }] },
        listeners: [listener(8088)],
      }),
    ],
    code: 'selector.invalid',
    path: 'spec.namespaceSelector.matchExpressions[0].values',
  },
  {
    rule: 'gateway listeners have no outlierDetection or timeout (unknown field, warning)',
    good: [gw([listener(8088)])],
    bad: [
      gw([
        listener(8088, 'http', {
          outlierDetection: {
            maxServerErrors: 1,
            maxEjectionPercent: 10,
            interval: { unit: 's', value: 1 },
            baseEjectionDuration: { unit: 's', value: 1 },
          },
        }),
      ]),
    ],
    code: 'schema.unknown-field',
    path: 'spec.listeners[0].outlierDetection',
    severity: 'warning',
  },
];

describe('VirtualGateway rules (appmesh.md §1.2, §2.4)', () => {
  for (const c of cases) it(c.rule, () => void verifyRule(c));
});
