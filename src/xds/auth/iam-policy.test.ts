import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SEED_AS_WRITTEN } from '../../../test/support/fixtures.js';
import { describe, expect, it } from 'vitest';
import { compilePolicy, evaluate, isAllowed, type CompiledPolicy } from './iam-policy.js';

const seedText = readFileSync(path.join(SEED_AS_WRITTEN, '01-proxy-auth-policy.json'), 'utf8');

function compile(doc: unknown): CompiledPolicy {
  const r = compilePolicy(doc, 'test');
  if (!r.policy) throw new Error(r.diagnostics.map((d) => `${d.path}: ${d.message}`).join('\n'));
  return r.policy;
}

const A = 'appmesh:StreamAggregatedResources';
const arn = (
  mesh: string,
  kind: string,
  name: string,
  region = 'ap-northeast-1',
  acct = '111122223333',
): string => `arn:aws:appmesh:${region}:${acct}:mesh/${mesh}/${kind}/${name}`;

describe('IAM policy evaluation', () => {
  const seed = compile(JSON.parse(seedText));

  it('applies the seed proxy policy as written', () => {
    expect(isAllowed([seed], A, arn('mesh-1', 'virtualNode', 'vnode-1_mesh-test'))).toBe(true);
    expect(isAllowed([seed], A, arn('mesh-1', 'virtualGateway', 'gw'))).toBe(true);
    expect(isAllowed([seed], A, arn('other', 'virtualNode', 'vnode-1_mesh-test'))).toBe(false);
    expect(isAllowed([seed], A, arn('mesh-1', 'virtualNode', 'v', 'us-east-1'))).toBe(false);
    expect(isAllowed([seed], A, arn('mesh-1', 'virtualNode', 'v', 'ap-northeast-1', '999999999999'))).toBe(
      false,
    );
    expect(isAllowed([seed], 'appmesh:DescribeMesh', arn('mesh-1', 'virtualNode', 'v'))).toBe(false);
  });

  it('matches actions case-insensitively with * and ?', () => {
    const p = compile({
      Statement: [{ Effect: 'Allow', Action: ['appmesh:Stream*', 'appmesh:?escribeMesh'], Resource: '*' }],
    });
    expect(isAllowed([p], 'AppMesh:streamaggregatedresources', 'x')).toBe(true);
    expect(isAllowed([p], 'appmesh:DescribeMesh', 'x')).toBe(true);
    expect(isAllowed([p], 'appmesh:ListMeshes', 'x')).toBe(false);
    const all = compile({ Statement: { Effect: 'Allow', Action: 'appmesh:*', Resource: '*' } });
    expect(isAllowed([all], A, 'anything')).toBe(true);
    expect(isAllowed([all], 'amime:ReadClientStatus', 'anything')).toBe(false);
  });

  it('keeps wildcards inside ARN segments unless they end one', () => {
    const p = compile({
      Statement: [{ Effect: 'Allow', Action: A, Resource: 'arn:aws:appmesh:*:111122223333:mesh/m?/*' }],
    });
    expect(isAllowed([p], A, arn('m1', 'virtualNode', 'a/b', 'eu-west-1'))).toBe(true);
    expect(isAllowed([p], A, arn('m12', 'virtualNode', 'a'))).toBe(false);
    const mid = compile({
      Statement: [{ Effect: 'Allow', Action: A, Resource: 'arn:aws:appmesh:eu-*-1:111122223333:*' }],
    });
    expect(isAllowed([mid], A, arn('m', 'virtualNode', 'v', 'eu-west-1'))).toBe(true);
    expect(isAllowed([mid], A, 'arn:aws:appmesh:eu-x:y-1:111122223333:mesh/m')).toBe(false);
  });

  it('lets an explicit Deny win and denies by default', () => {
    const allow = compile({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    const deny = compile({
      Statement: [
        { Sid: 'NoOther', Effect: 'Deny', Action: A, Resource: 'arn:aws:appmesh:*:*:mesh/other/*' },
      ],
    });
    expect(evaluate([allow, deny], A, arn('other', 'virtualNode', 'v'))).toEqual({
      decision: 'ExplicitDeny',
      statement: 'test#NoOther',
    });
    expect(evaluate([allow, deny], A, arn('mesh-1', 'virtualNode', 'v')).decision).toBe('Allow');
    expect(evaluate([], A, 'x')).toEqual({ decision: 'ImplicitDeny' });
  });

  it('supports NotAction and NotResource', () => {
    const p = compile({
      Statement: [
        { Effect: 'Allow', NotAction: 'appmesh:Delete*', NotResource: 'arn:aws:appmesh:*:*:mesh/secret/*' },
      ],
    });
    expect(isAllowed([p], A, arn('mesh-1', 'virtualNode', 'v'))).toBe(true);
    expect(isAllowed([p], 'appmesh:DeleteMesh', arn('mesh-1', 'virtualNode', 'v'))).toBe(false);
    expect(isAllowed([p], A, arn('secret', 'virtualNode', 'v'))).toBe(false);
  });

  it('refuses what it cannot honour, with diagnostics', () => {
    const r = compilePolicy(
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: A, Resource: '*', Condition: { StringEquals: {} } },
          { Effect: 'Permit', Action: [], Resource: '${aws:username}' },
        ],
      },
      'p.json',
    );
    expect(r.policy).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.path, d.code])).toEqual([
      ['Statement[0].Condition', 'iam.unsupported'],
      ['Statement[1].Effect', 'iam.effect'],
      ['Statement[1].Action', 'iam.type'],
      ['Statement[1].Resource[0]', 'iam.unsupported'],
    ]);
    expect(compilePolicy({ Version: '2020-01-01', Statement: [] }, 'x').diagnostics[0]!.code).toBe(
      'iam.version',
    );
    expect(compilePolicy('nope', 'x').diagnostics[0]!.code).toBe('iam.type');
    expect(compilePolicy({ Statement: [{ Effect: 'Allow', Resource: '*' }] }, 'x').diagnostics[0]!.code).toBe(
      'iam.action',
    );
  });
});
