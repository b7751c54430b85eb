import { describe, expect, it } from 'vitest';
import { messageType } from '../proto/index.js';
import { decodeDeltaDiscoveryRequest, decodeDiscoveryRequest } from './codec.js';

const enc = (typeName: string, obj: Record<string, unknown>): Buffer => {
  const t = messageType(typeName);
  return Buffer.from(t.encode(t.fromObject(obj)).finish());
};

describe('request decoding', () => {
  it('reads every DiscoveryRequest field the server uses', () => {
    const buf = enc('envoy.service.discovery.v3.DiscoveryRequest', {
      version_info: 'v1',
      node: {
        id: 'mesh/m/virtualNode/v',
        cluster: 'v',
        user_agent_name: 'gRPC Node Pure JS',
        user_agent_version: '1.14.1',
        client_features: ['envoy.lb.does_not_support_overprovisioning'],
        metadata: { fields: { k: { string_value: 'x' } } },
      },
      resource_names: ['b', 'a', 'ünïcode'],
      resource_locators: [{ name: 'xdstp://x' }],
      type_url: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
      response_nonce: 'n7',
      error_detail: {
        code: 14,
        message: 'bad things',
        details: [{ type_url: 'x', value: Buffer.from([1, 2]) }],
      },
    });
    expect(decodeDiscoveryRequest(buf)).toEqual({
      versionInfo: 'v1',
      node: {
        id: 'mesh/m/virtualNode/v',
        cluster: 'v',
        userAgentName: 'gRPC Node Pure JS',
        userAgentVersion: '1.14.1',
        clientFeatures: ['envoy.lb.does_not_support_overprovisioning'],
      },
      resourceNames: ['b', 'a', 'ünïcode'],
      typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
      responseNonce: 'n7',
      errorDetail: { code: 14, message: 'bad things' },
    });
  });

  it('gives defaults for an empty request and a build version for Envoy nodes', () => {
    expect(decodeDiscoveryRequest(Buffer.alloc(0))).toEqual({
      versionInfo: '',
      node: null,
      resourceNames: [],
      typeUrl: '',
      responseNonce: '',
      errorDetail: null,
    });
    const buf = enc('envoy.service.discovery.v3.DiscoveryRequest', {
      node: {
        id: 'x',
        user_agent_name: 'envoy',
        user_agent_build_version: { version: { major_number: 1, minor_number: 29, patch: 4 } },
      },
    });
    expect(decodeDiscoveryRequest(buf).node?.userAgentVersion).toBe('1.29.4');
    // A truncated node or varint is refused (gRPC then ends the call); protobufjs clamps a truncated string.
    expect(() => decodeDiscoveryRequest(Buffer.from([0x12, 0x05, 0x0a]))).toThrow(/index out of range/);
    expect(() => decodeDiscoveryRequest(Buffer.from([0x0a, 0x85]))).toThrow(/index out of range/);
  });

  it('reads DeltaDiscoveryRequests', () => {
    const buf = enc('envoy.service.discovery.v3.DeltaDiscoveryRequest', {
      node: { id: 'n' },
      type_url: 't',
      resource_names_subscribe: ['a', '*'],
      resource_names_unsubscribe: ['b'],
      initial_resource_versions: { a: '1' },
      response_nonce: '3',
      error_detail: { code: 3, message: 'no' },
    });
    const d = decodeDeltaDiscoveryRequest(buf);
    expect(d).toMatchObject({
      typeUrl: 't',
      subscribe: ['a', '*'],
      unsubscribe: ['b'],
      responseNonce: '3',
      errorDetail: { code: 3, message: 'no' },
    });
    expect(d.node?.id).toBe('n');
    expect([...d.initialResourceVersions]).toEqual([['a', '1']]);
  });
});
