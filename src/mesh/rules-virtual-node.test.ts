import { describe, expect, it } from 'vitest';
import type { AnyResource } from '../model/index.js';
import { buildMeshGraph } from './build.js';
import {
  check,
  dns,
  listener,
  mesh,
  verifyRule,
  vn,
  vs,
  vsRef,
  bg,
  type Checked,
  type RuleCase,
} from './fixtures.testkit.js';

const arn = (name: string, m = 'm') =>
  `arn:aws:appmesh:us-west-2:000000000000:mesh/${m}/virtualService/${name}`;
const base = { serviceDiscovery: dns() };

const cases: RuleCase[] = [
  {
    rule: 'listeners need serviceDiscovery',
    good: [vn('a')],
    bad: [vn('a', { listeners: [listener()] })],
    code: 'vn.service-discovery-required',
    path: 'spec.serviceDiscovery',
    message: 'ServiceDiscovery must be specified when a listener is specified',
  },
  {
    rule: 'an empty listeners list still needs serviceDiscovery (App Mesh checks presence)',
    good: [vn('a', {})],
    bad: [vn('a', { listeners: [] })],
    code: 'vn.service-discovery-required',
    path: 'spec.serviceDiscovery',
  },
  {
    rule: 'duplicate backends by ref are rejected',
    good: [vs('s'), vs('t'), vn('a', { ...base, backends: [vsRef('s'), vsRef('t')] })],
    bad: [
      vs('s'),
      vn('a', {
        ...base,
        backends: [vsRef('s'), { virtualService: { virtualServiceRef: { name: 's', namespace: 'ns' } } }],
      }),
    ],
    code: 'vn.duplicate-backend',
    path: 'spec.backends[1].virtualService',
    message: 'already listed at spec.backends[0]',
  },
  {
    rule: 'duplicate backends by ARN are rejected',
    good: [vs('s'), vn('a', { ...base, backends: [{ virtualService: { virtualServiceARN: arn('s.ns') } }] })],
    bad: [
      vs('s'),
      vn('a', {
        ...base,
        backends: [
          { virtualService: { virtualServiceARN: arn('s.ns') } },
          { virtualService: { virtualServiceARN: arn('s.ns') } },
        ],
      }),
    ],
    code: 'vn.duplicate-backend',
    path: 'spec.backends[1].virtualService',
  },
  {
    rule: 'at most one connectionPool type per listener',
    good: [
      vn('a', {
        ...base,
        listeners: [listener(80, 'http', { connectionPool: { http: { maxConnections: 10 } } })],
      }),
    ],
    bad: [
      vn('a', {
        ...base,
        listeners: [
          listener(80, 'http', {
            connectionPool: { http: { maxConnections: 10 }, tcp: { maxConnections: 1 } },
          }),
        ],
      }),
    ],
    code: 'schema.exactly-one',
    path: 'spec.listeners[0].connectionPool',
  },
  {
    rule: 'the connectionPool type should match the listener protocol (warning: App Mesh documents, not enforces, it)',
    good: [
      vn('a', {
        ...base,
        listeners: [listener(80, 'grpc', { connectionPool: { grpc: { maxRequests: 10 } } })],
      }),
    ],
    bad: [
      vn('a', {
        ...base,
        listeners: [listener(80, 'http', { connectionPool: { tcp: { maxConnections: 1 } } })],
      }),
    ],
    code: 'listener.connection-pool-protocol',
    path: 'spec.listeners[0].connectionPool.tcp',
    severity: 'warning',
  },
  {
    rule: 'the listener timeout type should match the listener protocol (warning: App Mesh documents, not enforces, it)',
    good: [
      vn('a', {
        ...base,
        listeners: [listener(80, 'tcp', { timeout: { tcp: { idle: { unit: 's', value: 5 } } } })],
      }),
    ],
    bad: [
      vn('a', {
        ...base,
        listeners: [listener(80, 'tcp', { timeout: { http: { idle: { unit: 's', value: 5 } } } })],
      }),
    ],
    code: 'listener.timeout-protocol',
    path: 'spec.listeners[0].timeout.http',
    severity: 'warning',
  },
  {
    rule: 'health check path is only used for http/http2 (warning)',
    good: [vn('a', { ...base, listeners: [listener(80, 'http', { healthCheck: hc('http', '/ping') })] })],
    bad: [vn('a', { ...base, listeners: [listener(80, 'tcp', { healthCheck: hc('tcp', '/ping') })] })],
    code: 'listener.health-check-path-ignored',
    path: 'spec.listeners[0].healthCheck.path',
    severity: 'warning',
  },
  {
    rule: 'health check intervalMillis is 5000..300000',
    good: [vn('a', { ...base, listeners: [listener(80, 'http', { healthCheck: hc('http', '/') })] })],
    bad: [
      vn('a', {
        ...base,
        listeners: [listener(80, 'http', { healthCheck: { ...hc('http', '/'), intervalMillis: 1000 } })],
      }),
    ],
    code: 'schema.range',
    path: 'spec.listeners[0].healthCheck.intervalMillis',
  },
  {
    rule: 'health check thresholds are 2..10',
    good: [vn('a', { ...base, listeners: [listener(80, 'http', { healthCheck: hc('http', '/') })] })],
    bad: [
      vn('a', {
        ...base,
        listeners: [listener(80, 'http', { healthCheck: { ...hc('http', '/'), unhealthyThreshold: 11 } })],
      }),
    ],
    code: 'schema.range',
    path: 'spec.listeners[0].healthCheck.unhealthyThreshold',
  },
  {
    rule: 'outlierDetection needs all four fields',
    good: [vn('a', { ...base, listeners: [listener(80, 'http', { outlierDetection: od() })] })],
    bad: [
      vn('a', {
        ...base,
        listeners: [listener(80, 'http', { outlierDetection: without(od(), 'interval') })],
      }),
    ],
    code: 'schema.required',
    path: 'spec.listeners[0].outlierDetection.interval',
  },
  {
    rule: 'outlierDetection maxEjectionPercent is 0..100',
    good: [vn('a', { ...base, listeners: [listener(80, 'http', { outlierDetection: od() })] })],
    bad: [
      vn('a', {
        ...base,
        listeners: [listener(80, 'http', { outlierDetection: { ...od(), maxEjectionPercent: 101 } })],
      }),
    ],
    code: 'schema.range',
    path: 'spec.listeners[0].outlierDetection.maxEjectionPercent',
  },
  {
    rule: 'serviceDiscovery is one of dns or awsCloudMap',
    good: [
      vn('a', {
        listeners: [listener()],
        serviceDiscovery: { awsCloudMap: { namespaceName: 'n', serviceName: 's' } },
      }),
    ],
    bad: [
      vn('a', {
        listeners: [listener()],
        serviceDiscovery: { dns: { hostname: 'h' }, awsCloudMap: { namespaceName: 'n', serviceName: 's' } },
      }),
    ],
    code: 'schema.exactly-one',
    path: 'spec.serviceDiscovery',
  },
  {
    rule: 'awsCloudMap serviceName is 1..1024 characters',
    good: [
      vn('a', {
        listeners: [listener()],
        serviceDiscovery: { awsCloudMap: { namespaceName: 'n', serviceName: 's' } },
      }),
    ],
    bad: [
      vn('a', {
        listeners: [listener()],
        serviceDiscovery: { awsCloudMap: { namespaceName: 'n', serviceName: '' } },
      }),
    ],
    code: 'schema.length',
    path: 'spec.serviceDiscovery.awsCloudMap.serviceName',
  },
  {
    rule: 'no ACM trust on virtual node listeners',
    good: [
      vn('a', {
        ...base,
        listeners: [
          listener(80, 'http', {
            tls: {
              mode: 'STRICT',
              certificate: { sds: { secretName: 'c' } },
              validation: { trust: { sds: { secretName: 'ca' } } },
            },
          }),
        ],
      }),
    ],
    bad: [
      vn('a', {
        ...base,
        listeners: [
          listener(80, 'http', {
            tls: {
              mode: 'STRICT',
              certificate: { sds: { secretName: 'c' } },
              validation: { trust: { acm: { certificateAuthorityARNs: ['x'] } } },
            },
          }),
        ],
      }),
    ],
    code: 'schema.exactly-one',
    path: 'spec.listeners[0].tls.validation.trust',
  },
  {
    rule: 'listener ports are unique',
    good: [vn('a', { ...base, listeners: [listener(80), listener(81)] })],
    bad: [vn('a', { ...base, listeners: [listener(80), listener(80, 'grpc')] })],
    code: 'listener.duplicate-port',
    path: 'spec.listeners[1].portMapping.port',
  },
  {
    rule: 'a backend that does not exist is allowed but warned about',
    good: [vs('s'), vn('a', { ...base, backends: [vsRef('s')] })],
    bad: [vn('a', { ...base, backends: [vsRef('s')] })],
    code: 'ref.backend-not-found',
    path: 'spec.backends[0].virtualService.virtualServiceRef',
    severity: 'warning',
    message: 'VirtualService ns/s, which does not exist',
  },
  {
    rule: 'a backend in another mesh is rejected',
    good: [vs('s'), vn('a', { ...base, backends: [vsRef('s')] })],
    bad: [
      mesh('m2', { namespaceSelector: { matchLabels: { mesh: 'm2' } } }),
      vs('s', {}, { namespace: 'other' }),
      vn('a', {
        ...base,
        backends: [{ virtualService: { virtualServiceRef: { name: 's', namespace: 'other' } } }],
      }),
    ],
    code: 'ref.cross-mesh',
    path: 'spec.backends[0].virtualService.virtualServiceRef',
    message: "didn't belong to mesh m",
    options: {
      namespaces: [
        { name: 'ns', labels: { mesh: 'm' } },
        { name: 'other', labels: { mesh: 'm2' } },
      ],
    },
  },
  {
    rule: 'backend ARN must name a virtualService',
    good: [vs('s'), vn('a', { ...base, backends: [{ virtualService: { virtualServiceARN: arn('s.ns') } }] })],
    bad: [
      vs('s'),
      vn('a', {
        ...base,
        backends: [
          { virtualService: { virtualServiceARN: 'arn:aws:appmesh:us-west-2:1:mesh/m/virtualNode/s.ns' } },
        ],
      }),
    ],
    code: 'ref.arn-type',
    path: 'spec.backends[0].virtualService.virtualServiceARN',
  },
  {
    rule: 'backend ARN must be in the same mesh',
    good: [vs('s'), vn('a', { ...base, backends: [{ virtualService: { virtualServiceARN: arn('s.ns') } }] })],
    bad: [
      vs('s'),
      vn('a', { ...base, backends: [{ virtualService: { virtualServiceARN: arn('s.ns', 'other') } }] }),
    ],
    code: 'ref.cross-mesh',
    path: 'spec.backends[0].virtualService.virtualServiceARN',
  },
  {
    rule: 'backend is exactly one of virtualServiceRef or virtualServiceARN',
    good: [vs('s'), vn('a', { ...base, backends: [vsRef('s')] })],
    bad: [
      vs('s'),
      vn('a', {
        ...base,
        backends: [{ virtualService: { virtualServiceRef: { name: 's' }, virtualServiceARN: arn('s.ns') } }],
      }),
    ],
    code: 'schema.exactly-one',
    path: 'spec.backends[0].virtualService',
  },
  {
    rule: 'backendGroups are ignored (warning) when BackendGroup support is off',
    good: [
      vs('s'),
      bg('g', { virtualservices: [{ name: 's' }] }),
      vn('a', { ...base, backendGroups: [{ name: 'g' }] }),
    ],
    bad: [
      vs('s'),
      bg('g', { virtualservices: [{ name: 's' }] }),
      vn('a', { ...base, backendGroups: [{ name: 'g' }] }),
    ],
    code: 'vn.backend-groups-disabled',
    path: 'spec.backendGroups',
    severity: 'warning',
  },
  {
    rule: 'a missing BackendGroup is an error',
    good: [
      vs('s'),
      bg('g', { virtualservices: [{ name: 's' }] }),
      vn('a', { ...base, backendGroups: [{ name: 'g' }] }),
    ],
    bad: [vs('s'), vn('a', { ...base, backendGroups: [{ name: 'g' }] })],
    code: 'ref.not-found',
    path: 'spec.backendGroups[0].name',
  },
];

function hc(protocol: string, path: string) {
  return {
    protocol,
    path,
    healthyThreshold: 2,
    unhealthyThreshold: 2,
    intervalMillis: 5000,
    timeoutMillis: 2000,
  };
}
function without(o: Record<string, unknown>, key: string) {
  const { [key]: _drop, ...rest } = o;
  return rest;
}
function od() {
  return {
    maxServerErrors: 5,
    maxEjectionPercent: 50,
    interval: { unit: 's', value: 10 },
    baseEjectionDuration: { unit: 's', value: 30 },
  };
}

describe('VirtualNode rules (appmesh.md §1.2, §2.4)', () => {
  for (const c of cases) {
    if (c.code === 'vn.backend-groups-disabled') {
      it(c.rule, () => {
        expect(check(c.good).warnings.some((d) => d.code === c.code)).toBe(false);
        const bad = check(c.bad, { options: { enableBackendGroups: false } });
        expect(bad.warnings.find((d) => d.code === c.code)?.path).toBe(c.path);
      });
      continue;
    }
    it(c.rule, () => {
      verifyRule(c);
    });
  }

  it('expands BackendGroups ("*" = every VirtualService of the namespace) after declared backends, without duplicates', () => {
    const r = check(
      [
        vs('a'),
        vs('b'),
        vs('c', {}, { namespace: 'ns2' }),
        bg('all', { virtualservices: [{ name: '*' }, { name: 'c', namespace: 'ns2' }] }),
        vn('n', { ...base, backends: [vsRef('b')], backendGroups: [{ name: 'all' }] }),
      ],
      {
        namespaces: [
          { name: 'ns', labels: { mesh: 'm' } },
          { name: 'ns2', labels: { mesh: 'm' } },
        ],
      },
    );
    expect(r.errors).toEqual([]);
    const node = r.graph.meshes.get('m')!.virtualNodes.get('n_ns')!;
    expect(node.backends.map((b) => [b.serviceName, b.origin])).toEqual([
      ['b.ns', 'spec.backends[0]'],
      ['a.ns', 'BackendGroup ns/all'],
      ['c.ns2', 'BackendGroup ns/all'],
    ]);
    expect(node.backends.every((b) => b.found)).toBe(true);
  });

  it('keeps a dangling backend with its App Mesh name and no service', () => {
    const r = check([vn('n', { ...base, backends: [vsRef('later')] })]);
    const node = r.graph.meshes.get('m')!.virtualNodes.get('n_ns')!;
    expect(node.backends).toEqual([{ serviceName: 'later.ns', origin: 'spec.backends[0]', found: false }]);
    expect(node.inactive).toBeUndefined();
  });

  const nsBoth = {
    namespaces: [
      { name: 'ns', labels: { mesh: 'm' } },
      { name: 'ns2', labels: { mesh: 'm' } },
    ],
  };
  const backendsOf = (r: Checked) =>
    r.graph.meshes
      .get('m')!
      .virtualNodes.get('n_ns')!
      .backends.map((b) => b.serviceName);

  it('a duplicate backend names the first, by Ref (its namespace defaulted) or by ARN', () => {
    const arn = 'mesh/m/virtualService/s.ns';
    const r = check([
      vs('s'),
      vn('n', {
        ...base,
        backends: [
          vsRef('s'),
          { virtualService: { virtualServiceRef: { name: 's', namespace: 'ns' } } },
          { virtualService: { virtualServiceARN: arn } },
          { virtualService: { virtualServiceARN: arn } },
        ],
      }),
    ]);
    expect(r.errors.map((d) => [d.path, d.message, d.related])).toEqual([
      [
        'spec.backends[1].virtualService',
        'duplicate backend: VirtualService ns/s is already listed at spec.backends[0]',
        [
          {
            resource: { kind: 'VirtualNode', namespace: 'ns', name: 'n' },
            path: 'spec.backends[0].virtualService',
            message: 'first listed here',
          },
        ],
      ],
      [
        'spec.backends[3].virtualService',
        `duplicate backend: VirtualService ARN ${arn} is already listed at spec.backends[2]`,
        [expect.objectContaining({ path: 'spec.backends[2].virtualService' })],
      ],
    ]);
  });

  it('two backends by different ARNs are not duplicates', () => {
    const r = check([
      vs('a'),
      vs('b'),
      vn('n', {
        ...base,
        backends: [
          { virtualService: { virtualServiceARN: 'mesh/m/virtualService/a.ns' } },
          { virtualService: { virtualServiceARN: 'mesh/m/virtualService/b.ns' } },
        ],
      }),
    ]);
    expect(r.errors).toEqual([]);
    expect(backendsOf(r)).toEqual(['a.ns', 'b.ns']);
  });

  it('backends that are not services (as left by a schema error) are neither duplicates nor links', () => {
    const g = buildMeshGraph({
      resources: [
        mesh(),
        vn('n', { ...base, backends: [null, {}, { virtualService: {} }, { virtualService: {} }] }),
      ].map((resource) => ({ resource: resource as unknown as AnyResource })),
      namespaces: [{ name: 'ns', labels: { mesh: 'm' } }],
    });
    expect(g.diagnostics).toEqual([]);
    expect(g.meshes.get('m')!.virtualNodes.get('n_ns')!.backends).toEqual([]);
  });

  it('dangling backends are warnings and stay apart; unusable ones are no backends; client policies come along', () => {
    const clientPolicy = {
      tls: { enforce: false, validation: { trust: { file: { certificateChain: '/c' } } } },
    };
    const r = check([
      vs('s'),
      vn('n', {
        ...base,
        backends: [
          vsRef('x'),
          vsRef('y'),
          { virtualService: { virtualServiceARN: 'not an arn' } },
          { virtualService: { virtualServiceRef: { name: 's' }, clientPolicy } },
        ],
      }),
    ]);
    expect(r.warnings.map((d) => [d.code, d.message])).toEqual([
      ['ref.backend-not-found', 'backend VirtualService ns/x, which does not exist'],
      ['ref.backend-not-found', 'backend VirtualService ns/y, which does not exist'],
    ]);
    const node = r.graph.meshes.get('m')!.virtualNodes.get('n_ns')!;
    expect(node.backends.map((b) => b.serviceName)).toEqual(['x.ns', 'y.ns', 's.ns']);
    expect(node.backends[2]).toMatchObject({ found: true, clientPolicy });
  });

  it('backendGroups disabled: a warning only when some are listed, and no expansion', () => {
    const members = [vs('s'), bg('g', { virtualservices: [{ name: 's' }] })];
    const off = { options: { enableBackendGroups: false } };
    const listed = check([...members, vn('n', { ...base, backendGroups: [{ name: 'g' }] })], off);
    expect(listed.warnings.map((d) => d.message)).toEqual([
      'backendGroups are ignored because BackendGroup support is disabled',
    ]);
    expect(backendsOf(listed)).toEqual([]);
    expect(check([...members, vn('n', { ...base, backendGroups: [] })], off).warnings).toEqual([]);
  });

  it('a missing BackendGroup is an error naming it, and nothing is expanded', () => {
    const r = check([vn('n', { ...base, backendGroups: [{ name: 'g' }] })]);
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['ref.not-found', 'backendGroups names BackendGroup ns/g, which does not exist'],
    ]);
  });

  it('a group member that does not exist is one warning on the group, however many nodes use it', () => {
    const r = check([
      vs('a'),
      vs('b'),
      bg('g', { virtualservices: [{ name: 'a' }, { name: 'gone' }] }),
      vn('n', { ...base, backendGroups: [{ name: 'g' }] }),
      vn('n2', { ...base, backendGroups: [{ name: 'g' }] }),
    ]);
    expect(r.diagnostics.map((d) => [d.severity, d.code, d.path, d.message, d.resource?.name])).toEqual([
      [
        'warning',
        'ref.backend-not-found',
        'spec.virtualservices[1]',
        'VirtualService ns/gone does not exist; it is left out of the group',
        'g',
      ],
    ]);
    expect(backendsOf(r)).toEqual(['a.ns']);
  });

  it('"*" stands for the services of its namespace only, and may be empty; a schema-invalid member is not missing', () => {
    const r = check(
      [
        vs('a'),
        vs('b', {}, { namespace: 'ns2' }),
        vs('broken', { awsName: 7 }, { namespace: 'ns2' }),
        bg('g', {
          virtualservices: [
            { name: '*' },
            { name: '*', namespace: 'ns3' },
            { name: 'broken', namespace: 'ns2' },
          ],
        }),
        vn('n', { ...base, backendGroups: [{ name: 'g' }] }),
      ],
      { namespaces: [...nsBoth.namespaces, { name: 'ns3', labels: { mesh: 'm' } }] },
    );
    expect(r.diagnostics.map((d) => d.code)).toEqual(['schema.type']);
    expect(backendsOf(r)).toEqual(['a.ns']);
  });

  it('a group member in another mesh is refused when named, skipped when only "*" covers it', () => {
    const m2 = mesh('m2', { namespaceSelector: { matchLabels: { mesh: 'm2' } } });
    const namespaces = [
      { name: 'ns', labels: { mesh: 'm' } },
      { name: 'ns2', labels: { mesh: 'm2' } },
      { name: 'none', labels: {} as Record<string, string> },
    ];
    const named = check(
      [
        m2,
        vs('c', {}, { namespace: 'ns2' }),
        bg('g', { virtualservices: [{ name: 'c', namespace: 'ns2' }] }),
        vn('n', { ...base, backendGroups: [{ name: 'g' }] }),
      ],
      { namespaces },
    );
    expect(named.errors.map((d) => [d.code, d.path, d.message, d.resource?.kind])).toEqual([
      [
        'ref.cross-mesh',
        'spec.virtualservices[0]',
        "VirtualService ns2/c didn't belong to mesh m",
        'BackendGroup',
      ],
    ]);
    const star = check(
      [
        m2,
        vs('c', {}, { namespace: 'ns2' }),
        bg('g', { virtualservices: [{ name: '*', namespace: 'ns2' }] }),
        vn('n', { ...base, backendGroups: [{ name: 'g' }] }),
      ],
      { namespaces },
    );
    expect(star.errors).toEqual([]);
    expect(backendsOf(star)).toEqual([]);
    // A member without a mesh is not in another mesh.
    const nowhere = check(
      [
        vs('c', {}, { namespace: 'none' }),
        bg('g', { virtualservices: [{ name: 'c', namespace: 'none' }] }),
        vn('n', { ...base, backendGroups: [{ name: 'g' }] }),
      ],
      { namespaces },
    );
    expect(nowhere.diagnostics.map((d) => d.code)).not.toContain('ref.cross-mesh');
    expect(backendsOf(nowhere)).toEqual(['c.none']);
  });
});
