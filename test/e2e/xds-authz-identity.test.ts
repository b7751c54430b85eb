/**
 * Issue 14 item 1, the attack as it was run: `amime serve` with proxy tokens and
 * IAM policies, and streams whose `node.id` dresses one resource up as another
 * (another region, partition or account, a `<mesh>@<owner>` suffix). The server
 * must authorise exactly the resource it would serve, and serve nothing for a
 * resource that is not its own. App Mesh's Envoy management service ends a stream
 * it may not serve with status 7 (aws/aws-app-mesh-roadmap#80: "gRPC config stream
 * closed: 7").
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TYPE_URL } from '../../src/xds/index.js';
import { SotwClient, type StreamEnd } from './support/ads-test-client.js';
import { startServe, type ServeProcess } from './support/serve-process.js';

const ACCOUNT = '111122223333';
const REGION = 'us-west-2';
const VNODE_1 = 'mesh/mesh-1/virtualNode/vnode-1_mesh-test';
const VNODE_2 = 'mesh/mesh-1/virtualNode/vnode-2_mesh-test';
const ALL_BUT_VNODE_2 = 'all-but-vnode-2-token';
const OTHER_ACCOUNT_ONLY = 'other-account-only-token';
const TEAM_ACCOUNT_ONLY = 'account-111111111111-only-token';
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

const allowAccount = (account: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'appmesh:*', Resource: `arn:*:appmesh:*:${account}:*` }],
});

describe('xDS authorization covers exactly the resource served', () => {
  let dir: string;
  let serve: ServeProcess;
  const clients: SotwClient[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'amime-authz-'));
    const authFile = path.join(dir, 'proxy-credentials.yaml');
    const principals = [
      {
        name: 'all-but-vnode-2',
        tokenSha256: sha(ALL_BUT_VNODE_2),
        policies: [
          {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: '*', Resource: '*' },
              {
                Sid: 'NotVnode2',
                Effect: 'Deny',
                Action: 'appmesh:StreamAggregatedResources',
                Resource: `arn:aws:appmesh:${REGION}:${ACCOUNT}:${VNODE_2}`,
              },
            ],
          },
        ],
      },
      {
        name: 'other-account',
        tokenSha256: sha(OTHER_ACCOUNT_ONLY),
        policies: [allowAccount('999999999999')],
      },
      { name: 'team-account', tokenSha256: sha(TEAM_ACCOUNT_ONLY), policies: [allowAccount('111111111111')] },
    ];
    writeFileSync(authFile, JSON.stringify({ principals }));
    serve = await startServe([
      '--store',
      'memory',
      '--region',
      REGION,
      '--account-id',
      ACCOUNT,
      '--xds-auth-file',
      authFile,
      '--log-level',
      'warn',
    ]);
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function stream(token: string, nodeId: string): SotwClient {
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${token}`);
    const c = new SotwClient(serve.xdsPort, { metadata: md });
    clients.push(c);
    c.send({ type_url: TYPE_URL.Listener, node: { id: nodeId, user_agent_name: 'envoy' } });
    return c;
  }

  /** The stream ends with `code` before any configuration reached it. */
  async function refusedWith(token: string, nodeId: string, code: grpc.status): Promise<StreamEnd> {
    const c = stream(token, nodeId);
    const end = await Promise.race([
      c.ended,
      c.next(10_000).then(
        (r) => {
          throw new Error(`${nodeId} received ${r.type_url} ${JSON.stringify(r.names)}`);
        },
        () => c.ended,
      ),
    ]);
    expect(c.received, `${nodeId} received configuration`).toEqual([]);
    expect(end.code, `${nodeId}: ${end.details}`).toBe(code);
    return end;
  }

  it('serves the allowed node in every form that names it', async () => {
    for (const id of [
      VNODE_1,
      `arn:aws:appmesh:${REGION}:${ACCOUNT}:${VNODE_1}`,
      `mesh/mesh-1@${ACCOUNT}/virtualNode/vnode-1_mesh-test`,
    ]) {
      const lds = await stream(ALL_BUT_VNODE_2, id).next(10_000);
      expect(lds.names, id).toContain('lds_ingress_0.0.0.0_15000');
    }
  });

  it('denies vnode-2 to Allow * + Deny vnode-2, whatever region or partition node.id claims', async () => {
    const denied = await refusedWith(ALL_BUT_VNODE_2, VNODE_2, grpc.status.PERMISSION_DENIED);
    // Item 15: which action on which resource, nothing about the server's files.
    expect(denied.details).toBe(
      `principal "all-but-vnode-2" may not appmesh:StreamAggregatedResources on arn:aws:appmesh:${REGION}:${ACCOUNT}:${VNODE_2}: an explicit Deny applies`,
    );
    expect(denied.details).not.toContain(dir);
    for (const id of [
      `arn:aws:appmesh:eu-west-1:${ACCOUNT}:${VNODE_2}`,
      `arn:aws-cn:appmesh:${REGION}:${ACCOUNT}:${VNODE_2}`,
      `arn:aws-cn:appmesh:cn-north-1:${ACCOUNT}:${VNODE_2}`,
    ])
      await refusedWith(ALL_BUT_VNODE_2, id, grpc.status.PERMISSION_DENIED);
  });

  it("does not serve the local mesh to a principal allowed only another account's meshes", async () => {
    for (const id of [
      'mesh/mesh-1@999999999999/virtualNode/vnode-1_mesh-test',
      `arn:aws:appmesh:${REGION}:999999999999:${VNODE_1}`,
    ]) {
      const end = await refusedWith(OTHER_ACCOUNT_ONLY, id, grpc.status.PERMISSION_DENIED);
      expect(end.details).toMatch(/not a resource of this control plane/);
    }
    // Its own name for the local node is refused by its policy.
    await refusedWith(OTHER_ACCOUNT_ONLY, VNODE_1, grpc.status.PERMISSION_DENIED);
  });

  it('never serves mesh-1 to mesh-1@<another account>', async () => {
    await refusedWith(
      TEAM_ACCOUNT_ONLY,
      'mesh/mesh-1@111111111111/virtualNode/vnode-1_mesh-test',
      grpc.status.PERMISSION_DENIED,
    );
    await refusedWith(
      ALL_BUT_VNODE_2,
      'arn:aws:appmesh:us-west-2:111122223333:mesh/mesh-1@111111111111/virtualNode/vnode-1_mesh-test',
      grpc.status.INVALID_ARGUMENT,
    );
  });
});
