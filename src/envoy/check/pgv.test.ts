import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  decodeMessage,
  encodeMessage,
  typedConfig,
  CLUSTER_LOAD_ASSIGNMENT_TYPE,
  CLUSTER_TYPE,
  EXT,
  LISTENER_TYPE,
  ROUTE_CONFIGURATION_TYPE,
} from '../../proto/index.js';
import { checkPgv, fieldRules, unsupportedPgvRules } from './pgv.js';
import { compileValueRules, type PgvViolation } from './pgv-rules.js';
import {
  sampleCluster,
  sampleEndpoints,
  sampleHcm,
  sampleListener,
  sampleRoutes,
} from '../../../test/support/envoy-samples.js';

/** PGV violations of `obj` after an encode/decode round trip, as `path rule` strings. */
function pgv(typeName: string, obj: object, options = {}): string[] {
  return checkPgv(typeName, decodeMessage(typeName, encodeMessage(typeName, obj)), options).map(
    (v) => `${v.path} ${v.rule}`,
  );
}

function run(
  rules: Record<string, unknown>,
  value: unknown,
  target: Parameters<typeof compileValueRules>[1] = { kind: 'string' },
): string[] {
  const unsupported: string[] = [];
  const check = compileValueRules(rules, target, (r) => unsupported.push(r));
  const out: PgvViolation[] = [];
  check?.(value, 'f', out);
  return [...unsupported.map((r) => `unsupported ${r}`), ...out.map((v) => v.rule)];
}

describe('checkPgv on valid resources', () => {
  it('passes the sample listener, cluster, route configuration and endpoints', () => {
    expect(pgv(LISTENER_TYPE, sampleListener())).toEqual([]);
    expect(pgv(CLUSTER_TYPE, sampleCluster())).toEqual([]);
    expect(pgv(ROUTE_CONFIGURATION_TYPE, sampleRoutes())).toEqual([]);
    expect(pgv(CLUSTER_LOAD_ASSIGNMENT_TYPE, sampleEndpoints())).toEqual([]);
  });
});

describe('checkPgv rules read from the Envoy protos', () => {
  it('string.min_len: an empty (or unset) cluster name fails', () => {
    expect(pgv(CLUSTER_TYPE, { ...sampleCluster(), name: '' })).toEqual(['name string.min_len']);
    const { name: _drop, ...noName } = sampleCluster();
    expect(pgv(CLUSTER_TYPE, noName)).toEqual(['name string.min_len']);
  });

  it('duration.gt: a zero connect_timeout fails, an unset one is skipped', () => {
    expect(pgv(CLUSTER_TYPE, { ...sampleCluster(), connect_timeout: {} })).toEqual([
      'connect_timeout duration.gt',
    ]);
    const { connect_timeout: _drop, ...noTimeout } = sampleCluster();
    expect(pgv(CLUSTER_TYPE, noTimeout)).toEqual([]);
    expect(pgv(CLUSTER_TYPE, { ...sampleCluster(), dns_refresh_rate: { nanos: 999_999 } })).toEqual([
      'dns_refresh_rate duration.gt',
    ]);
  });

  it('envoy.duration: a Duration out of range fails anywhere, Any payloads included', () => {
    expect(pgv(CLUSTER_TYPE, { ...sampleCluster(), connect_timeout: { seconds: 400_000_000_000 } })).toEqual([
      'connect_timeout envoy.duration',
    ]);
    expect(pgv(CLUSTER_TYPE, { ...sampleCluster(), connect_timeout: { seconds: 10_000_000_000 } })).toEqual([
      'connect_timeout envoy.duration',
    ]);
    expect(
      pgv(CLUSTER_TYPE, { ...sampleCluster(), connect_timeout: { seconds: 1, nanos: 1_000_000_000 } }),
    ).toEqual(['connect_timeout envoy.duration']);
    expect(pgv(CLUSTER_TYPE, { ...sampleCluster(), connect_timeout: { seconds: -1 } })).toEqual([
      'connect_timeout duration.gt',
      'connect_timeout envoy.duration',
    ]);
    const listener = sampleListener(sampleHcm({ request_timeout: { nanos: -5 } }));
    expect(pgv(LISTENER_TYPE, listener)).toEqual([
      'filter_chains[0].filters[0].typed_config.request_timeout envoy.duration',
    ]);
    expect(pgv(LISTENER_TYPE, listener, { envoy: false })).toEqual([]);
  });

  it('message.required and oneof.required', () => {
    const hcm = sampleHcm({ rds: { route_config_name: 'r' } });
    expect(pgv(LISTENER_TYPE, sampleListener(hcm))).toEqual([
      'filter_chains[0].filters[0].typed_config.rds.config_source message.required',
    ]);
    const routes = sampleRoutes();
    const vh = (routes['virtual_hosts'] as Record<string, unknown>[])[0] as Record<string, unknown>;
    vh['routes'] = [
      { match: { prefix: '/' }, route: { timeout: { seconds: 1 } } },
      { match: { prefix: '/x' } },
    ];
    expect(pgv(ROUTE_CONFIGURATION_TYPE, routes)).toEqual([
      'virtual_hosts[0].routes[0].route.cluster_specifier oneof.required',
      'virtual_hosts[0].routes[1].action oneof.required',
    ]);
  });

  it('repeated.min_items: weighted clusters need at least one cluster', () => {
    const routes = sampleRoutes();
    const route = (
      (routes['virtual_hosts'] as Record<string, unknown[]>[])[0]?.['routes'] as Record<
        string,
        Record<string, unknown>
      >[]
    )[0] as Record<string, Record<string, unknown>>;
    (route['route'] as Record<string, unknown>)['weighted_clusters'] = { clusters: [] };
    expect(pgv(ROUTE_CONFIGURATION_TYPE, routes)).toEqual([
      'virtual_hosts[0].routes[0].route.weighted_clusters.clusters repeated.min_items',
    ]);
  });

  it('uint32 rules on scalars and on wrappers (only when the wrapper is set)', () => {
    const withPort = (port: number): Record<string, unknown> => ({
      ...sampleCluster(),
      load_assignment: {
        cluster_name: 'x',
        endpoints: [
          {
            lb_endpoints: [
              { endpoint: { address: { socket_address: { address: '10.0.0.9', port_value: port } } } },
            ],
          },
        ],
      },
    });
    expect(pgv(CLUSTER_TYPE, withPort(65535))).toEqual([]);
    expect(pgv(CLUSTER_TYPE, withPort(65536))).toEqual([
      'load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value uint32.lte',
    ]);
    expect(pgv(LISTENER_TYPE, sampleListener(sampleHcm({ max_request_headers_kb: { value: 0 } })))).toEqual([
      'filter_chains[0].filters[0].typed_config.max_request_headers_kb uint32.gt',
    ]);
    expect(
      pgv(LISTENER_TYPE, sampleListener(sampleHcm({ max_request_headers_kb: { value: 9000 } }))),
    ).toEqual(['filter_chains[0].filters[0].typed_config.max_request_headers_kb uint32.lte']);
    const listener = sampleListener();
    ((listener['filter_chains'] as Record<string, unknown>[])[0] as Record<string, unknown>)[
      'filter_chain_match'
    ] = { destination_port: { value: 0 } };
    expect(pgv(LISTENER_TYPE, listener)).toEqual([
      'filter_chains[0].filter_chain_match.destination_port uint32.gte',
    ]);
  });

  it('enum.defined_only', () => {
    expect(pgv(CLUSTER_TYPE, { ...sampleCluster(), lb_policy: 42 })).toEqual(['lb_policy enum.defined_only']);
  });

  it('string well_known_regex on repeated items, and map keys', () => {
    const routes = sampleRoutes();
    const vh = (routes['virtual_hosts'] as Record<string, unknown>[])[0] as Record<string, unknown>;
    vh['request_headers_to_remove'] = ['x-ok', 'bad\nheader'];
    vh['domains'] = ['ok.example', 'bad\rdomain'];
    expect(pgv(ROUTE_CONFIGURATION_TYPE, routes)).toEqual([
      'virtual_hosts[0].domains[1] string.well_known_regex',
      'virtual_hosts[0].request_headers_to_remove[1] string.well_known_regex',
    ]);
    expect(pgv(CLUSTER_TYPE, { ...sampleCluster(), metadata: { filter_metadata: { '': {} } } })).toEqual([
      'metadata.filter_metadata[""] string.min_len',
    ]);
  });

  it('any.required, and rules inside Any payloads', () => {
    const cluster = {
      ...sampleCluster(),
      load_balancing_policy: { policies: [{ typed_extension_config: { name: 'rr' } }] },
    };
    expect(pgv(CLUSTER_TYPE, cluster)).toEqual([
      'load_balancing_policy.policies[0].typed_extension_config.typed_config any.required',
    ]);
    expect(pgv(LISTENER_TYPE, sampleListener(sampleHcm({ stat_prefix: '' })))).toEqual([
      'filter_chains[0].filters[0].typed_config.stat_prefix string.min_len',
    ]);
    const tls = {
      ...sampleCluster(),
      transport_socket: {
        name: 'tls',
        typed_config: typedConfig(EXT.upstreamTlsContext, { sni: 'x'.repeat(256) }),
      },
    };
    expect(pgv(CLUSTER_TYPE, tls)).toEqual(['transport_socket.typed_config.sni string.max_bytes']);
  });

  it('reports an Any whose type is not loaded, or whose bytes do not decode', () => {
    const unknown = {
      ...sampleCluster(),
      transport_socket: {
        name: 't',
        typed_config: { type_url: 'type.googleapis.com/acme.Socket', value: new Uint8Array([8, 1]) },
      },
    };
    expect(pgv(CLUSTER_TYPE, unknown)).toEqual(['transport_socket.typed_config any.type_url']);
    const garbage = {
      ...sampleCluster(),
      transport_socket: {
        name: 't',
        typed_config: {
          type_url: `type.googleapis.com/${EXT.upstreamTlsContext}`,
          value: new Uint8Array([0x0a, 0x05, 1]),
        },
      },
    };
    expect(pgv(CLUSTER_TYPE, garbage)).toEqual(['transport_socket.typed_config any.decode']);
  });

  it('deprecated fields fail unless allowed by full name', () => {
    const routes = sampleRoutes();
    const route = (
      (routes['virtual_hosts'] as Record<string, unknown[]>[])[0]?.['routes'] as Record<
        string,
        Record<string, Record<string, unknown>>
      >[]
    )[0];
    (route?.['route']?.['weighted_clusters'] as Record<string, unknown>)['total_weight'] = { value: 100 };
    expect(pgv(ROUTE_CONFIGURATION_TYPE, routes)).toEqual([
      'virtual_hosts[0].routes[0].route.weighted_clusters.total_weight envoy.deprecated',
    ]);
    expect(
      pgv(ROUTE_CONFIGURATION_TYPE, routes, {
        allowDeprecated: ['envoy.config.route.v3.WeightedCluster.total_weight'],
      }),
    ).toEqual([]);
  });

  it('gives readable messages', () => {
    const decoded = decodeMessage(
      CLUSTER_TYPE,
      encodeMessage(CLUSTER_TYPE, { ...sampleCluster(), name: '', connect_timeout: {} }),
    );
    expect(checkPgv(CLUSTER_TYPE, decoded)).toEqual([
      { path: 'name', rule: 'string.min_len', message: 'must not be empty' },
      { path: 'connect_timeout', rule: 'duration.gt', message: 'must be greater than 0s (is 0s)' },
    ]);
    expect(checkPgv(CLUSTER_TYPE, decoded, {}, 'clusters[3]')[0]?.path).toBe('clusters[3].name');
  });
});

describe('compiled value rules', () => {
  it('numbers: const, ranges (inclusive, exclusive, outside), in, not_in, 64-bit', () => {
    expect(run({ uint32: { gt: 0 } }, undefined, { kind: 'uint32' })).toEqual(['uint32.gt']);
    expect(run({ uint32: { gte: 1, lte: 3 } }, 3, { kind: 'uint32' })).toEqual([]);
    expect(run({ uint32: { gte: 1, lt: 3 } }, 3, { kind: 'uint32' })).toEqual(['uint32.lt']);
    // gt > lt: the value must lie outside [lt, gt]
    expect(run({ int32: { gt: 10, lt: 5 } }, 7, { kind: 'int32' })).toEqual(['int32.lt']);
    expect(run({ int32: { gt: 10, lt: 5 } }, 11, { kind: 'int32' })).toEqual([]);
    expect(run({ int32: { gt: 10, lt: 5 } }, 4, { kind: 'int32' })).toEqual([]);
    expect(run({ int32: { const: 3 } }, 4, { kind: 'int32' })).toEqual(['int32.const']);
    expect(run({ uint32: { in: [1, 2], not_in: 2 } }, 2, { kind: 'uint32' })).toEqual(['uint32.not_in']);
    expect(run({ uint32: { in: [1, 2] } }, 5, { kind: 'uint32' })).toEqual(['uint32.in']);
    expect(
      run({ uint64: { lte: '18446744073709551614' } }, '18446744073709551615', { kind: 'uint64' }),
    ).toEqual(['uint64.lte']);
    expect(run({ int64: { gte: -1 } }, '-2', { kind: 'int64' })).toEqual(['int64.gte']);
    expect(run({ double: { gt: 0, lte: 1 } }, 0, { kind: 'double' })).toEqual(['double.gt']);
    expect(run({ float: { lt: 1 } }, 0.5, { kind: 'float' })).toEqual([]);
    expect(run({ uint32: { gt: 5, ignore_empty: true } }, 0, { kind: 'uint32' })).toEqual([]);
  });

  it('strings: lengths in runes and bytes, affixes, pattern, in, well-known formats', () => {
    expect(run({ string: { min_len: 2 } }, '€')).toEqual(['string.min_len']);
    expect(run({ string: { max_len: 1 } }, '€')).toEqual([]);
    expect(run({ string: { max_bytes: 2 } }, '€')).toEqual(['string.max_bytes']);
    expect(run({ string: { min_bytes: 4 } }, 'abc')).toEqual(['string.min_bytes']);
    expect(run({ string: { len: 2 } }, '😀')).toEqual(['string.len']);
    expect(run({ string: { prefix: 'a', suffix: 'z', contains: 'm' } }, 'abc')).toEqual([
      'string.suffix',
      'string.contains',
    ]);
    expect(run({ string: { not_contains: 'b' } }, 'abc')).toEqual(['string.not_contains']);
    expect(run({ string: { pattern: '^[^?#]+[^?#/]$' } }, '/a/')).toEqual(['string.pattern']);
    expect(run({ string: { in: ['http', 'https'] } }, 'ftp')).toEqual(['string.in']);
    expect(run({ string: { not_in: 'x' } }, 'x')).toEqual(['string.not_in']);
    expect(run({ string: { const: 'x' } }, 'y')).toEqual(['string.const']);
    expect(run({ string: { hostname: true } }, 'svc-b.apps.svc.cluster.local')).toEqual([]);
    expect(run({ string: { hostname: true } }, '-bad-.example')).toEqual(['string.hostname']);
    expect(run({ string: { ip: true } }, '10.0.0.1')).toEqual([]);
    expect(run({ string: { ipv6: true } }, '10.0.0.1')).toEqual(['string.ipv6']);
    expect(run({ string: { address: true } }, '::1')).toEqual([]);
    expect(run({ string: { uuid: true } }, 'nope')).toEqual(['string.uuid']);
    expect(run({ string: { email: true } }, 'a@b.example')).toEqual([]);
    expect(run({ string: { uri: true } }, 'relative/path')).toEqual(['string.uri']);
    expect(run({ string: { well_known_regex: 'HTTP_HEADER_NAME' } }, ':authority')).toEqual([]);
    expect(run({ string: { well_known_regex: 'HTTP_HEADER_NAME' } }, 'bad header')).toEqual([
      'string.well_known_regex',
    ]);
    expect(run({ string: { well_known_regex: 'HTTP_HEADER_NAME', strict: false } }, 'odd header')).toEqual(
      [],
    );
    expect(run({ string: { well_known_regex: 'HTTP_HEADER_VALUE' } }, 'a\u0001b')).toEqual([
      'string.well_known_regex',
    ]);
    expect(run({ string: { min_len: 3, ignore_empty: true } }, '')).toEqual([]);
  });

  it('bytes, enums, bools, durations, timestamps and anys', () => {
    expect(run({ bytes: { min_len: 1, max_len: 2 } }, new Uint8Array(3), { kind: 'bytes' })).toEqual([
      'bytes.max_len',
    ]);
    expect(run({ bytes: { min_len: 1 } }, undefined, { kind: 'bytes' })).toEqual(['bytes.min_len']);
    expect(run({ bytes: { ipv4: true } }, new Uint8Array([10, 0, 0, 1]), { kind: 'bytes' })).toEqual([]);
    const e = new protobuf.Enum('Method', { METHOD_UNSPECIFIED: 0, GET: 1, CONNECT: 6 });
    expect(
      run({ enum: { defined_only: true, not_in: 6 } }, 'CONNECT', { kind: 'enum', enumType: e }),
    ).toEqual(['enum.not_in']);
    expect(run({ enum: { defined_only: true } }, 9, { kind: 'enum', enumType: e })).toEqual([
      'enum.defined_only',
    ]);
    expect(run({ enum: { in: [1] } }, 'METHOD_UNSPECIFIED', { kind: 'enum', enumType: e })).toEqual([
      'enum.in',
    ]);
    expect(run({ bool: { const: true } }, undefined, { kind: 'bool' })).toEqual(['bool.const']);
    const dur = { kind: 'message', wellKnown: 'Duration' } as const;
    expect(
      run({ duration: { lt: { seconds: 300 }, gte: { nanos: 1_000_000 } } }, { seconds: '300' }, dur),
    ).toEqual(['duration.lt']);
    expect(run({ duration: { lte: { seconds: 1 } } }, { seconds: '1' }, dur)).toEqual([]);
    expect(run({ duration: { in: [{ seconds: 1 }] } }, { seconds: '2' }, dur)).toEqual(['duration.in']);
    expect(run({ duration: { gt: {} } }, undefined, dur)).toEqual([]); // unset: the field's `required` decides
    expect(
      run(
        { timestamp: { gt: { seconds: 10 } } },
        { seconds: '5' },
        { kind: 'message', wellKnown: 'Timestamp' },
      ),
    ).toEqual(['timestamp.gt']);
    expect(
      run({ timestamp: { lt_now: true } }, { seconds: '5' }, { kind: 'message', wellKnown: 'Timestamp' }),
    ).toEqual(['unsupported timestamp.lt_now']);
    const anyRules = { any: { in: ['type.googleapis.com/a.B'] } };
    expect(
      run(
        anyRules,
        { type_url: 'type.googleapis.com/c.D', value: new Uint8Array() },
        { kind: 'message', wellKnown: 'Any' },
      ),
    ).toEqual(['any.in']);
    expect(run({ uint32: { gt: 0 } }, { value: 0 }, { kind: 'message', wellKnown: 'UInt32Value' })).toEqual([
      'uint32.gt',
    ]);
    expect(run({ uint32: { gt: 0 } }, {}, { kind: 'message', wellKnown: 'UInt32Value' })).toEqual([
      'uint32.gt',
    ]);
    expect(run({ uint32: { gt: 0 } }, undefined, { kind: 'message', wellKnown: 'UInt32Value' })).toEqual([]);
  });
});

describe('rule tables', () => {
  it('read both parsed and flattened protobufjs options', () => {
    const parsed = new protobuf.Field('name', 1, 'string');
    (parsed as unknown as { parsedOptions: unknown }).parsedOptions = [
      { '(validate.rules)': { string: { min_len: 1 } } },
      { '(validate.rules)': { message: { required: true } } },
    ];
    expect(fieldRules(parsed)).toEqual({ string: { min_len: 1 }, message: { required: true } });
    const flat = new protobuf.Field('name', 1, 'string', 'optional', undefined, {
      '(validate.rules).string.min_len': 1,
      '(validate.rules).string.max_bytes': 9,
      deprecated: true,
    });
    expect(fieldRules(flat)).toEqual({ string: { min_len: 1, max_bytes: 9 } });
    expect(fieldRules(new protobuf.Field('x', 1, 'string'))).toBeUndefined();
  });

  it('cover every rule used by the loaded Envoy protos', () => {
    expect(unsupportedPgvRules()).toEqual([]);
  });
});
