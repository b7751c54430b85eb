import { describe, expect, it } from 'vitest';
import { defaultGroupKeyFor, detectFlavour, parseNodeId, resourceArn, type NodeInfo } from './identity.js';

const ctx = { region: 'ap-northeast-1', accountId: '111122223333' };
const node = (over: Partial<NodeInfo>): NodeInfo => ({
  id: 'mesh/m/virtualNode/v',
  cluster: '',
  userAgentName: '',
  userAgentVersion: '',
  clientFeatures: [],
  ...over,
});

function ok(id: string) {
  const r = parseNodeId(id);
  if (!r.ok) throw new Error(r.message);
  return r.identity;
}

describe('parseNodeId', () => {
  it('reads the short forms App Mesh injects', () => {
    expect(ok('mesh/mesh-1/virtualNode/vnode-1_mesh-test')).toEqual({
      nodeId: 'mesh/mesh-1/virtualNode/vnode-1_mesh-test',
      mesh: 'mesh-1',
      kind: 'virtualNode',
      name: 'vnode-1_mesh-test',
      shortId: 'mesh/mesh-1/virtualNode/vnode-1_mesh-test',
    });
    expect(ok('mesh/mesh-1/virtualGateway/gw_ns').kind).toBe('virtualGateway');
    const shared = ok('mesh/mesh-1@210987654321/virtualNode/v');
    expect(shared).toMatchObject({
      mesh: 'mesh-1',
      meshOwner: '210987654321',
      shortId: 'mesh/mesh-1/virtualNode/v',
    });
  });

  it('reads full ARNs and normalises them to the short form', () => {
    const id = ok('arn:aws:appmesh:eu-west-1:123456789012:mesh/m/virtualGateway/gw');
    expect(id).toMatchObject({
      region: 'eu-west-1',
      partition: 'aws',
      meshOwner: '123456789012',
      shortId: 'mesh/m/virtualGateway/gw',
    });
    expect(ok('arn:aws-cn:appmesh:cn-north-1:123456789012:mesh/m@210987654321/virtualNode/v').meshOwner).toBe(
      '210987654321',
    );
  });

  it('explains what it expected for anything else', () => {
    for (const bad of [
      '',
      'sidecar~1.2.3.4~x',
      'mesh/m/virtualService/v',
      'mesh/m/virtualNode/',
      'mesh/m/virtualNode/a/b',
      'arn:aws:s3:::bucket',
    ]) {
      const r = parseNodeId(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/expected mesh\/<mesh>\/virtualNode\/<name>/);
    }
  });
});

describe('resourceArn', () => {
  it('completes short ids with the configured region and account', () => {
    expect(resourceArn(ok('mesh/mesh-1/virtualNode/v'), ctx)).toBe(
      'arn:aws:appmesh:ap-northeast-1:111122223333:mesh/mesh-1/virtualNode/v',
    );
  });
  it('keeps a full ARN as sent and uses a shared mesh owner as the account', () => {
    const arn = 'arn:aws:appmesh:eu-west-1:123456789012:mesh/m/virtualGateway/gw';
    expect(resourceArn(ok(arn), ctx)).toBe(arn);
    expect(resourceArn(ok('mesh/m@210987654321/virtualNode/v'), ctx)).toBe(
      'arn:aws:appmesh:ap-northeast-1:210987654321:mesh/m/virtualNode/v',
    );
  });
});

describe('flavour and group key', () => {
  it('recognises proxyless gRPC clients', () => {
    expect(
      detectFlavour(
        node({
          userAgentName: 'gRPC Node Pure JS',
          clientFeatures: ['envoy.lb.does_not_support_overprovisioning'],
        }),
      ),
    ).toBe('grpc');
    expect(detectFlavour(node({ userAgentName: 'grpc-go' }))).toBe('grpc');
    expect(detectFlavour(node({ userAgentName: 'grpc-java' }))).toBe('grpc');
    expect(detectFlavour(node({ clientFeatures: ['xds.config.resource-in-sotw'] }))).toBe('grpc');
    expect(
      detectFlavour(
        node({ userAgentName: 'envoy', clientFeatures: ['envoy.lb.does_not_support_overprovisioning'] }),
      ),
    ).toBe('envoy');
    expect(detectFlavour(node({}))).toBe('envoy');
  });
  it('groups by short id with a #grpc flavour suffix', () => {
    const identity = ok('arn:aws:appmesh:eu-west-1:123456789012:mesh/m/virtualNode/v');
    expect(defaultGroupKeyFor({ node: node({}), identity, flavour: 'envoy' })).toBe('mesh/m/virtualNode/v');
    expect(defaultGroupKeyFor({ node: node({}), identity, flavour: 'grpc' })).toBe(
      'mesh/m/virtualNode/v#grpc',
    );
  });
});
