import { describe, expect, it } from 'vitest';
import {
  defaultGroupKeyFor,
  parseNodeId,
  resolveIdentity,
  type IdentityResult,
  type NodeInfo,
  type ProxyIdentity,
} from './identity.js';

const ctx = { region: 'ap-northeast-1', account: '111122223333' };
const node = (over: Partial<NodeInfo>): NodeInfo => ({
  id: 'mesh/m/virtualNode/v',
  cluster: '',
  userAgentName: '',
  userAgentVersion: '',
  clientFeatures: [],
  ...over,
});

function claim(id: string) {
  const r = parseNodeId(id);
  if (!r.ok) throw new Error(r.message);
  return r.claim;
}

function ok(id: string, owners: Record<string, string> = {}): ProxyIdentity {
  const r = resolveIdentity(id, ctx, (m) => owners[m]);
  if (!r.ok) throw new Error(r.message);
  return r.identity;
}

function refused(id: string, owners: Record<string, string> = {}): Exclude<IdentityResult, { ok: true }> {
  const r = resolveIdentity(id, ctx, (m) => owners[m]);
  if (r.ok) throw new Error(`${id} was accepted as ${r.identity.arn}`);
  return r;
}

describe('parseNodeId', () => {
  it('reads the short forms App Mesh injects', () => {
    expect(claim('mesh/mesh-1/virtualNode/vnode-1_mesh-test')).toEqual({
      mesh: 'mesh-1',
      kind: 'virtualNode',
      name: 'vnode-1_mesh-test',
    });
    expect(claim('mesh/mesh-1/virtualGateway/gw_ns').kind).toBe('virtualGateway');
    expect(claim('mesh/mesh-1@210987654321/virtualNode/v')).toMatchObject({
      mesh: 'mesh-1',
      meshOwner: '210987654321',
    });
  });

  it('reads full ARNs with their partition, region and account', () => {
    expect(claim('arn:aws-cn:appmesh:cn-north-1:123456789012:mesh/m/virtualGateway/gw')).toEqual({
      mesh: 'm',
      kind: 'virtualGateway',
      name: 'gw',
      partition: 'aws-cn',
      region: 'cn-north-1',
      account: '123456789012',
    });
  });

  it('explains what it expected for anything else', () => {
    for (const bad of [
      '',
      'sidecar~1.2.3.4~x',
      'mesh/m/virtualService/v',
      'mesh/m/virtualNode/',
      'mesh/m/virtualNode/a/b',
      'mesh/team@x@111111111111/virtualNode/v',
      'arn:aws:s3:::bucket',
    ]) {
      const r = parseNodeId(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/expected mesh\/<mesh>\/virtualNode\/<name>/);
    }
  });
});

describe('resolveIdentity: the resource authorised is the resource served', () => {
  const local = 'arn:aws:appmesh:ap-northeast-1:111122223333:mesh/mesh-1/virtualNode/v';

  it("completes short ids with this server's partition, region and account", () => {
    expect(ok('mesh/mesh-1/virtualNode/v')).toEqual({
      nodeId: 'mesh/mesh-1/virtualNode/v',
      mesh: 'mesh-1',
      kind: 'virtualNode',
      name: 'v',
      shortId: 'mesh/mesh-1/virtualNode/v',
      arn: local,
    });
    const cn = resolveIdentity('mesh/m/virtualGateway/g', { ...ctx, partition: 'aws-cn' });
    expect(cn.ok && cn.identity.arn).toBe(
      'arn:aws-cn:appmesh:ap-northeast-1:111122223333:mesh/m/virtualGateway/g',
    );
  });

  it("accepts this server's own ARN and its own account as owner, as the same resource", () => {
    expect(ok(local).arn).toBe(local);
    expect(ok(local).shortId).toBe('mesh/mesh-1/virtualNode/v');
    expect(ok('mesh/mesh-1@111122223333/virtualNode/v').arn).toBe(local);
  });

  it('refuses ARNs of another partition, region or account with PERMISSION_DENIED', () => {
    const cases: [string, RegExp][] = [
      [
        'arn:aws:appmesh:eu-west-1:111122223333:mesh/mesh-1/virtualNode/v',
        /region eu-west-1, but this server serves region ap-northeast-1/,
      ],
      [
        'arn:aws-cn:appmesh:ap-northeast-1:111122223333:mesh/mesh-1/virtualNode/v',
        /partition aws-cn, but this server serves partition aws/,
      ],
      [
        'arn:aws:appmesh:ap-northeast-1:999999999999:mesh/mesh-1/virtualNode/v',
        /account 999999999999, but mesh mesh-1 here belongs to account 111122223333/,
      ],
      ['mesh/mesh-1@999999999999/virtualNode/v', /account 999999999999, but mesh mesh-1 here belongs/],
    ];
    for (const [id, why] of cases) {
      const r = refused(id);
      expect(r.code, id).toBe(7);
      expect(r.message, id).toMatch(why);
      expect(r.message).toMatch(/not a resource of this control plane/);
    }
  });

  it('never serves mesh "team" to a node id naming team@<another account>', () => {
    expect(refused('mesh/team@111111111111/virtualNode/v').code).toBe(7);
    // ...unless mesh team here is the mesh that account shares.
    const shared = ok('mesh/team@111111111111/virtualNode/v', { team: '111111111111' });
    expect(shared.arn).toBe('arn:aws:appmesh:ap-northeast-1:111111111111:mesh/team/virtualNode/v');
    expect(
      ok('arn:aws:appmesh:ap-northeast-1:111111111111:mesh/team/virtualNode/v', { team: '111111111111' }).arn,
    ).toBe(shared.arn);
    // A shared mesh is not this account's mesh of the same name.
    expect(refused('mesh/team/virtualNode/v', { team: '111111111111' }).message).toMatch(
      /use mesh\/team@111111111111\/virtualNode\/v/,
    );
  });

  it('refuses an ARN whose account and mesh owner disagree with INVALID_ARGUMENT', () => {
    expect(
      refused('arn:aws:appmesh:ap-northeast-1:111122223333:mesh/m@999999999999/virtualNode/v').code,
    ).toBe(3);
    expect(refused('not-a-node').code).toBe(3);
  });
});

describe('group key', () => {
  it('groups by short id with a #grpc flavour suffix', () => {
    const identity = ok('arn:aws:appmesh:ap-northeast-1:111122223333:mesh/m/virtualNode/v');
    expect(defaultGroupKeyFor({ node: node({}), identity, flavour: 'envoy' })).toBe('mesh/m/virtualNode/v');
    expect(defaultGroupKeyFor({ node: node({}), identity, flavour: 'grpc' })).toBe(
      'mesh/m/virtualNode/v#grpc',
    );
  });
});
