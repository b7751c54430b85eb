import { describe, expect, it } from 'vitest';
import {
  ANY_SOURCE,
  anyFromBytes,
  anyOf,
  anySourceOf,
  decodeMessage,
  encodeMessage,
  isPlainAny,
  typedConfig,
  unpackAny,
  type PlainAny,
} from './codec.js';
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE,
  CLUSTER_TYPE_URL,
  EXT,
  LISTENER_TYPE,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
  SECRET_TYPE_URL,
  XDS_TYPE_URL,
  resourceNameOf,
  typeUrlOf,
  xdsKindOfTypeUrl,
} from './types.js';
import { findType } from './reflect.js';
import { sampleCluster, sampleHcm, sampleListener } from '../../test/support/envoy-samples.js';

describe('type URLs', () => {
  it('names the five xDS types as Envoy subscribes to them', () => {
    expect(LISTENER_TYPE_URL).toBe('type.googleapis.com/envoy.config.listener.v3.Listener');
    expect(ROUTE_CONFIGURATION_TYPE_URL).toBe('type.googleapis.com/envoy.config.route.v3.RouteConfiguration');
    expect(CLUSTER_TYPE_URL).toBe('type.googleapis.com/envoy.config.cluster.v3.Cluster');
    expect(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL).toBe(
      'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
    );
    expect(SECRET_TYPE_URL).toBe('type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret');
    expect(xdsKindOfTypeUrl(CLUSTER_TYPE_URL)).toBe('clusters');
    expect(xdsKindOfTypeUrl('type.googleapis.com/foo.Bar')).toBeUndefined();
    expect(typeUrlOf('.envoy.config.cluster.v3.Cluster')).toBe(CLUSTER_TYPE_URL);
    expect(resourceNameOf('endpoints', { cluster_name: 'c' })).toBe('c');
    expect(resourceNameOf('clusters', { name: 'c' })).toBe('c');
  });

  it('has every xDS and extension type in the loaded Root', () => {
    for (const url of Object.values(XDS_TYPE_URL)) expect(findType(url), url).toBeDefined();
    for (const name of Object.values(EXT)) expect(findType(name), name).toBeDefined();
  });
});

describe('encodeMessage / decodeMessage', () => {
  it('round-trips a cluster into the decoded form (enum names, 64-bit strings, no defaults, oneof names)', () => {
    const bytes = encodeMessage(CLUSTER_TYPE, sampleCluster());
    expect(bytes).toBeInstanceOf(Uint8Array);
    const d = decodeMessage(CLUSTER_TYPE, bytes);
    expect(d['name']).toBe('cds_egress_mesh-1_svc-b_http_8080');
    expect(d['type']).toBe('EDS');
    expect(d['cluster_discovery_type']).toBe('type');
    expect(d['connect_timeout']).toEqual({ seconds: '1' });
    expect(d).not.toHaveProperty('dns_lookup_family');
  });

  it('gives the same bytes for the same input, whatever the map insertion order', () => {
    const a = sampleCluster();
    const b = sampleCluster();
    expect(
      Buffer.from(encodeMessage(CLUSTER_TYPE, a)).equals(Buffer.from(encodeMessage(CLUSTER_TYPE, b))),
    ).toBe(true);
    const m1 = {
      name: 'x',
      metadata: {
        filter_metadata: { zeta: { fields: { b: { numberValue: 1 }, a: { numberValue: 2 } } }, alpha: {} },
      },
    };
    const m2 = {
      name: 'x',
      metadata: {
        filter_metadata: { alpha: {}, zeta: { fields: { a: { numberValue: 2 }, b: { numberValue: 1 } } } },
      },
    };
    const e1 = Buffer.from(encodeMessage(CLUSTER_TYPE, m1));
    const e2 = Buffer.from(encodeMessage(CLUSTER_TYPE, m2));
    expect(e1.equals(e2)).toBe(true);
    expect(e1.indexOf('alpha')).toBeLessThan(e1.indexOf('zeta'));
    // The input objects are left as they were.
    expect(Object.keys(m1.metadata.filter_metadata)).toEqual(['zeta', 'alpha']);
  });

  it('throws on a type that is not loaded and on a value protobufjs cannot convert', () => {
    expect(() => encodeMessage('envoy.config.cluster.v3.Clusterr', {})).toThrow(
      /unknown protobuf message type/,
    );
    expect(() => encodeMessage(CLUSTER_TYPE, { connect_timeout: 5 })).toThrow(/object expected/);
  });
});

describe('Anys', () => {
  it('typedConfig makes { type_url, value } and keeps its source out of sight', () => {
    const hcm = sampleHcm();
    const any = typedConfig(EXT.httpConnectionManager, hcm);
    expect(Object.keys(any)).toEqual(['type_url', 'value']);
    expect(any.type_url).toBe(`type.googleapis.com/${EXT.httpConnectionManager}`);
    expect(isPlainAny(any)).toBe(true);
    expect(anySourceOf(any)).toEqual({ typeName: EXT.httpConnectionManager, object: hcm });
    expect(ANY_SOURCE in any).toBe(true);
    expect(JSON.stringify(Object.keys(structuredClone(any)))).toBe('["type_url","value"]');
  });

  it('encodes nested Anys: listener → HCM → router', () => {
    const decoded = decodeMessage(LISTENER_TYPE, encodeMessage(LISTENER_TYPE, sampleListener()));
    const filter = (decoded['filter_chains'] as { filters: { typed_config: PlainAny }[] }[])[0]?.filters[0];
    const hcm = unpackAny(filter?.typed_config as PlainAny);
    expect(hcm?.typeName).toBe(EXT.httpConnectionManager);
    expect(hcm?.message['stat_prefix']).toBe('ingress_http_8080');
    const router = unpackAny(
      (hcm?.message['http_filters'] as { typed_config: PlainAny }[])[0]?.typed_config as PlainAny,
    );
    expect(router).toEqual({ typeName: EXT.router, message: {} });
  });

  it('anyOf builds DiscoveryResponse resources, and anyFromBytes reuses encoded bytes', () => {
    const bytes = encodeMessage(CLUSTER_TYPE, sampleCluster());
    const viaObject = anyOf(CLUSTER_TYPE, sampleCluster());
    const viaBytes = anyFromBytes(CLUSTER_TYPE, bytes);
    expect(Buffer.from(viaObject.value).equals(Buffer.from(viaBytes.value))).toBe(true);
    const type = 'envoy.service.discovery.v3.DiscoveryResponse';
    const resp = decodeMessage(
      type,
      encodeMessage(type, {
        version_info: '1',
        type_url: CLUSTER_TYPE_URL,
        resources: [viaObject, viaBytes],
        nonce: 'n',
      }),
    );
    const resources = resp['resources'] as PlainAny[];
    expect(resources).toHaveLength(2);
    expect(unpackAny(resources[1] as PlainAny)?.message['name']).toBe('cds_egress_mesh-1_svc-b_http_8080');
  });

  it('unpackAny returns undefined for a type that is not loaded, and uses the cache', () => {
    expect(
      unpackAny({ type_url: 'type.googleapis.com/not.a.Type', value: new Uint8Array() }),
    ).toBeUndefined();
    const cache = new WeakMap();
    const any = typedConfig(EXT.router, {});
    const first = unpackAny(any, cache);
    expect(unpackAny(any, cache)).toBe(first);
  });
});
