import { describe, expect, it } from 'vitest';
import { encodeMessage, typedConfig } from './codec.js';
import { formatDuration, toJsonView } from './json.js';
import { CLUSTER_TYPE, EXT, LISTENER_TYPE } from './types.js';
import { sampleCluster, sampleListener } from '../../test/support/envoy-samples.js';

describe('toJsonView', () => {
  it('expands nested Anys with @type, and prints durations, wrappers and enums as Envoy does', () => {
    const view = toJsonView(LISTENER_TYPE, encodeMessage(LISTENER_TYPE, sampleListener()));
    expect(view['traffic_direction']).toBe('INBOUND');
    const chain = (view['filter_chains'] as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(chain['filter_chain_match']).toEqual({ destination_port: 8080 });
    const hcm = ((chain['filters'] as Record<string, unknown>[])[0] as Record<string, unknown>)[
      'typed_config'
    ] as Record<string, unknown>;
    expect(hcm['@type']).toBe(`type.googleapis.com/${EXT.httpConnectionManager}`);
    expect(hcm['stream_idle_timeout']).toBe('0.500s');
    expect(hcm['max_request_headers_kb']).toBe(60);
    expect(hcm['codec_type']).toBeUndefined(); // AUTO is the default: left out, as in config_dump
    expect(hcm['http_filters']).toEqual([
      { name: 'envoy.filters.http.router', typed_config: { '@type': `type.googleapis.com/${EXT.router}` } },
    ]);
    const log = (hcm['access_log'] as Record<string, Record<string, unknown>>[])[0]?.['typed_config'];
    expect(log?.['@type']).toBe(`type.googleapis.com/${EXT.fileAccessLog}`);
    expect(log?.['path']).toBe('/dev/stdout');
    // @type comes first in each expanded Any.
    expect(Object.keys(hcm)[0]).toBe('@type');
  });

  it('prints Struct as plain JSON, 64-bit integers as strings, bytes as base64, and is stable', () => {
    const cluster = {
      ...sampleCluster(),
      metadata: {
        filter_metadata: {
          b: {
            fields: {
              n: { numberValue: 1.5 },
              l: { listValue: { values: [{ boolValue: true }, { nullValue: 'NULL_VALUE' }] } },
            },
          },
        },
      },
      per_connection_buffer_limit_bytes: { value: 32768 },
      lb_subset_config: { fallback_policy: 'ANY_ENDPOINT' },
      ring_hash_lb_config: { minimum_ring_size: { value: '1024' } },
      transport_socket: {
        name: 'envoy.transport_sockets.tls',
        typed_config: typedConfig(EXT.upstreamTlsContext, {
          sni: 'svc',
          common_tls_context: { alpn_protocols: ['h2'] },
        }),
      },
    };
    const bytes = encodeMessage(CLUSTER_TYPE, cluster);
    const view = toJsonView(CLUSTER_TYPE, bytes);
    expect(view['metadata']).toEqual({ filter_metadata: { b: { l: [true, null], n: 1.5 } } });
    expect(view['ring_hash_lb_config']).toEqual({ minimum_ring_size: '1024' });
    expect(view['lb_subset_config']).toEqual({ fallback_policy: 'ANY_ENDPOINT' });
    expect(view['connect_timeout']).toBe('1s');
    expect((view['transport_socket'] as Record<string, unknown>)['typed_config']).toEqual({
      '@type': `type.googleapis.com/${EXT.upstreamTlsContext}`,
      common_tls_context: { alpn_protocols: ['h2'] },
      sni: 'svc',
    });
    expect(JSON.stringify(toJsonView(CLUSTER_TYPE, bytes))).toBe(JSON.stringify(view));
    const secret = toJsonView(
      'envoy.config.core.v3.DataSource',
      encodeMessage('envoy.config.core.v3.DataSource', { inline_bytes: Buffer.from('hi') }),
    );
    expect(secret).toEqual({ inline_bytes: 'aGk=' });
  });

  it('shows an Any of an unknown type as its type and raw bytes', () => {
    const any = { type_url: 'type.googleapis.com/acme.Unknown', value: new Uint8Array([1, 2]) };
    const view = toJsonView(
      'envoy.config.core.v3.TypedExtensionConfig',
      encodeMessage('envoy.config.core.v3.TypedExtensionConfig', { name: 'x', typed_config: any }),
    );
    expect(view).toEqual({
      name: 'x',
      typed_config: { '@type': 'type.googleapis.com/acme.Unknown', '@bytes': 'AQI=' },
    });
  });
});

describe('formatDuration', () => {
  it('uses 0, 3, 6 or 9 fractional digits like proto3 JSON', () => {
    expect(formatDuration('15', 0)).toBe('15s');
    expect(formatDuration('0', 500_000_000)).toBe('0.500s');
    expect(formatDuration('1', 1_000)).toBe('1.000001s');
    expect(formatDuration('0', 5)).toBe('0.000000005s');
    expect(formatDuration('-2', -500_000_000)).toBe('-2.500s');
    expect(formatDuration(undefined, undefined)).toBe('0s');
  });
});
