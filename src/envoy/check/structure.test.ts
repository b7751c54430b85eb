import { describe, expect, it } from 'vitest';
import {
  typedConfig,
  CLUSTER_TYPE,
  EXT,
  LISTENER_TYPE,
  ROUTE_CONFIGURATION_TYPE,
} from '../../proto/index.js';
import { checkMessage } from './index.js';
import {
  sampleCluster,
  sampleHcm,
  sampleListener,
  sampleRoutes,
} from '../../../test/support/envoy-samples.js';

/** Problems of one message as `path rule` strings. */
function shape(typeName: string, obj: object): string[] {
  return checkMessage(typeName, obj).problems.map((p) => `${p.path} ${p.rule}`);
}

function messages(typeName: string, obj: object): string[] {
  return checkMessage(typeName, obj).problems.map((p) => p.message);
}

describe('checkMessage: the object maps 1:1 onto the proto', () => {
  it('accepts the samples, and decoded objects fed back in (oneof names included)', () => {
    expect(shape(CLUSTER_TYPE, sampleCluster())).toEqual([]);
    const { decoded } = checkMessage(CLUSTER_TYPE, sampleCluster());
    expect(decoded?.['cluster_discovery_type']).toBe('type');
    expect(shape(CLUSTER_TYPE, decoded as object)).toEqual([]);
  });

  it('catches misspelled and camelCase field names, with a suggestion', () => {
    const { connect_timeout: t, ...rest } = sampleCluster();
    expect(shape(CLUSTER_TYPE, { ...rest, conect_timeout: t })).toEqual([
      'conect_timeout proto.unknown_field',
    ]);
    expect(messages(CLUSTER_TYPE, { ...rest, conect_timeout: t })).toEqual([
      'envoy.config.cluster.v3.Cluster has no field "conect_timeout" (did you mean "connect_timeout"?)',
    ]);
    expect(messages(CLUSTER_TYPE, { ...rest, connectTimeout: t })[0]).toMatch(
      /did you mean "connect_timeout"/,
    );
    // protobufjs' built-in google.protobuf.Value names its fields in camelCase.
    const meta = {
      ...sampleCluster(),
      metadata: { filter_metadata: { a: { fields: { k: { string_value: 'v' } } } } },
    };
    expect(messages(CLUSTER_TYPE, meta)).toEqual([
      'google.protobuf.Value has no field "string_value" (did you mean "stringValue"?)',
    ]);
  });

  it('sees inside Anys made by typedConfig', () => {
    const hcm = sampleHcm({ stat_prefx: 'x' });
    expect(shape(LISTENER_TYPE, sampleListener(hcm))).toEqual([
      'filter_chains[0].filters[0].typed_config.stat_prefx proto.unknown_field',
    ]);
    const deeper = sampleHcm({
      http_filters: [{ name: 'r', typed_config: typedConfig(EXT.router, { suppress_envoy_headerz: true }) }],
    });
    expect(shape(LISTENER_TYPE, sampleListener(deeper))).toEqual([
      'filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.suppress_envoy_headerz proto.unknown_field',
    ]);
  });

  it('catches unknown enum names, wrong JS types and integers out of range', () => {
    expect(shape(CLUSTER_TYPE, { ...sampleCluster(), lb_policy: 'ROUND_ROBBIN' })).toEqual([
      'lb_policy proto.enum',
    ]);
    expect(messages(CLUSTER_TYPE, { ...sampleCluster(), lb_policy: 'ROUND_ROBBIN' })[0]).toMatch(
      /did you mean "ROUND_ROBIN"/,
    );
    expect(shape(CLUSTER_TYPE, { ...sampleCluster(), name: 5 })).toEqual(['name proto.type']);
    expect(shape(CLUSTER_TYPE, { ...sampleCluster(), respect_dns_ttl: 'yes' })).toEqual([
      'respect_dns_ttl proto.type',
    ]);
    expect(shape(CLUSTER_TYPE, { ...sampleCluster(), health_checks: {} })).toEqual([
      ' proto.encode',
      'health_checks proto.type',
    ]);
    expect(
      shape(CLUSTER_TYPE, { ...sampleCluster(), per_connection_buffer_limit_bytes: { value: -1 } }),
    ).toEqual(['per_connection_buffer_limit_bytes.value proto.range']);
    expect(
      shape(CLUSTER_TYPE, { ...sampleCluster(), per_connection_buffer_limit_bytes: { value: 1.5 } }),
    ).toEqual(['per_connection_buffer_limit_bytes.value proto.type']);
    expect(shape(CLUSTER_TYPE, { ...sampleCluster(), connect_timeout: { seconds: 2 ** 60 } })).toEqual([
      'connect_timeout.seconds proto.type',
      'connect_timeout envoy.duration',
    ]);
    expect(shape(CLUSTER_TYPE, { ...sampleCluster(), connect_timeout: { seconds: '5' } })).toEqual([]);
  });

  it('catches two members of one oneof', () => {
    const routes = sampleRoutes();
    const route = (
      (routes['virtual_hosts'] as Record<string, unknown[]>[])[0]?.['routes'] as Record<
        string,
        Record<string, unknown>
      >[]
    )[0];
    (route?.['route'] as Record<string, unknown>)['cluster'] = 'cds_egress_mesh-1_svc-b_http_8080';
    expect(shape(ROUTE_CONFIGURATION_TYPE, routes)).toEqual([
      'virtual_hosts[0].routes[0].route.cluster_specifier proto.oneof',
    ]);
  });

  it("rejects the JSON { '@type' } form of an Any", () => {
    const cluster = {
      ...sampleCluster(),
      transport_socket: {
        name: 'tls',
        typed_config: { '@type': `type.googleapis.com/${EXT.upstreamTlsContext}`, sni: 'x' },
      },
    };
    expect(shape(CLUSTER_TYPE, cluster)).toEqual(['transport_socket.typed_config proto.any']);
  });

  it('reports an object that does not encode at all, and still names the field', () => {
    expect(shape(CLUSTER_TYPE, { ...sampleCluster(), connect_timeout: 5 })).toEqual([
      ' proto.encode',
      'connect_timeout proto.type',
    ]);
    expect(shape(CLUSTER_TYPE, [] as unknown as object)).toEqual([' proto.type']);
  });

  it('catches an Any whose source was changed after it was encoded', () => {
    const hcm = sampleHcm();
    const listener = sampleListener(hcm);
    hcm['stat_prefix'] = 'changed';
    expect(shape(LISTENER_TYPE, listener)).toEqual([
      'filter_chains[0].filters[0].typed_config.stat_prefix proto.round_trip',
    ]);
  });
});
