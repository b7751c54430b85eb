/**
 * The App Mesh Envoy image against `amime serve`, changing nothing but
 * APPMESH_XDS_ENDPOINT (and trusting Amime's CA): its agent points Envoy at that
 * host:port over TLS and signs every stream with SigV4 (service `appmesh`, the task's
 * credentials) — issue 9 item 8. Then the secured bootstrap `amime bootstrap` writes
 * for Envoys outside Kubernetes, with a token file or a client certificate, loaded by
 * a real Envoy — issue 15 item 17.
 *
 * Server: `amime serve` with a TLS xDS listener (`--xds-tls-listen`, self-signed CA in
 * its data directory), SigV4 secrets in the REST API's credentials-file format
 * (`--xds-sigv4-credentials-file`) and the seed's proxy policy used verbatim for the
 * principal whose accessKeyId the fleet signs with. Region and account are the old
 * App Mesh account's, as the migration guide says, so full ARNs match the policy.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { SEED_AS_WRITTEN } from '../support/fixtures.js';
import { ENVOY, describeWithPrograms, programPath } from '../support/system-programs.js';
import { suiteTempDir } from '../support/temp-dir.js';
import { TYPE_URL } from '../../src/xds/index.js';
import { SotwClient, type StreamEnd } from './support/ads-test-client.js';
import {
  ADS_PATH,
  agentChannelCredentials,
  agentNodeMetadata,
  envoyAwsIamMetadata,
} from './support/appmesh-agent.js';
import { makePki } from './support/certs.js';
import { runEnvoy, type RunningEnvoy } from './support/run-envoy.js';
import { startServe, type ServeProcess } from './support/serve-process.js';
import { CLI } from '../support/cli.js';

const REGION = 'ap-northeast-1';
const ACCOUNT = '111122223333';
const VNODE_X = `arn:aws:appmesh:${REGION}:${ACCOUNT}:mesh/mesh-1/virtualNode/vnode-x_mesh-test`;
const FLEET = {
  accessKeyId: 'AKIAFLEET0000EXAMPLE',
  secretAccessKey: 'fleet/secret/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const OTHER = { accessKeyId: 'AKIAOTHER0000EXAMPLE', secretAccessKey: 'other/secret/EXAMPLEKEY' };
// A task role's temporary credentials whose secret Amime was given (otherwise it cannot verify them).
const SESSION = {
  accessKeyId: 'ASIASESSION00EXAMPLE',
  secretAccessKey: 'session/secret/EXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//////////wEaDmFwLW5vcnRoZWFzdC0x',
};
const TOKEN = 'ecs-fleet-token-5f1c9e';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** The port of `--xds-tls-listen`, from the line `amime serve` announces itself with. */
function tlsPortOf(p: ServeProcess): number {
  const announced = p.logs.find((l) => typeof l.xdsTls === 'string');
  return Number(String(announced?.xdsTls).split(':').pop());
}

const scratch = suiteTempDir('amime-agent-');
let dir: string;
let serve: ServeProcess;
let tlsPort: number;
let ca: Buffer;
const clients: SotwClient[] = [];

function amime(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  dir = scratch();
  const policy = path.join(SEED_AS_WRITTEN, '01-proxy-auth-policy.json');
  writeFileSync(
    path.join(dir, 'proxy-credentials.yaml'),
    YAML.stringify({
      principals: [
        { name: 'ecs-fleet', accessKeyId: FLEET.accessKeyId, policies: [policy] },
        { name: 'task-role', accessKeyId: SESSION.accessKeyId, policies: [policy] },
        { name: 'bootstrap-token', tokenSha256: sha(TOKEN), policies: [policy] },
        {
          name: 'other-mesh-only',
          accessKeyId: OTHER.accessKeyId,
          policies: [
            {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 'appmesh:StreamAggregatedResources',
                  Resource: `arn:aws:appmesh:*:*:mesh/other/*`,
                },
              ],
            },
          ],
        },
      ],
    }),
  );
  writeFileSync(
    path.join(dir, 'sigv4-credentials.yaml'),
    YAML.stringify({ credentials: [FLEET, OTHER, SESSION] }),
  );
  serve = await startServe([
    '--data-dir',
    path.join(dir, 'data'),
    '--region',
    REGION,
    '--account-id',
    ACCOUNT,
    '--xds-tls-listen',
    '127.0.0.1:0',
    '--xds-tls-self-signed',
    '--xds-auth-file',
    path.join(dir, 'proxy-credentials.yaml'),
    '--xds-sigv4-credentials-file',
    path.join(dir, 'sigv4-credentials.yaml'),
  ]);
  tlsPort = tlsPortOf(serve);
  ca = readFileSync(path.join(dir, 'data', 'xds-tls', 'ca.crt'));
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await serve?.stop();
});

function agentClient(
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  clock?: () => Date,
) {
  const c = new SotwClient(tlsPort, {
    credentials: agentChannelCredentials(ca, {
      authority: `127.0.0.1:${tlsPort}`,
      region: REGION,
      credentials,
      ...(clock ? { clock } : {}),
    }),
  });
  clients.push(c);
  return c;
}

const agentNode = { id: VNODE_X, cluster: VNODE_X, user_agent_name: 'envoy', metadata: agentNodeMetadata() };

async function ended(c: SotwClient): Promise<StreamEnd> {
  c.send({ type_url: TYPE_URL.Cluster, node: agentNode });
  return c.ended;
}

describe('the App Mesh image through APPMESH_XDS_ENDPOINT: TLS + SigV4', { timeout: 60_000 }, () => {
  it('announces the TLS listener and logs where the self-signed CA is', () => {
    expect(tlsPort).toBeGreaterThan(0);
    expect(serve.logs.some((l) => l.caFile === path.join(dir, 'data', 'xds-tls', 'ca.crt'))).toBe(true);
  });

  it("streams vnode-x's configuration to a client signing as the agent's Envoy, with the agent's node metadata", async () => {
    const c = agentClient(FLEET);
    c.send({ type_url: TYPE_URL.Cluster, node: agentNode });
    const cds = await c.next(10_000);
    expect(cds.names).toContain('cds_egress_mesh-1_vnode-1_mesh-test_http_80');
    c.ack(cds);
    c.send({ type_url: TYPE_URL.Listener });
    const lds = await c.next(10_000);
    expect(lds.names).toEqual(expect.arrayContaining(['lds_egress_0.0.0.0_15001']));
    c.ack(lds);
    await expect
      .poll(async () => {
        const r = (await (await fetch(`${serve.apiUrl}/debug/proxies`)).json()) as {
          proxies: Array<{ nodeId: string }>;
        };
        return r.proxies.map((p) => p.nodeId);
      })
      .toContain(VNODE_X);
  });

  it('verifies temporary credentials it knows the secret of (x-amz-security-token signed)', async () => {
    const c = agentClient(SESSION);
    c.send({ type_url: TYPE_URL.Cluster, node: agentNode });
    expect((await c.next(10_000)).names.length).toBeGreaterThan(0);
  });

  it('a wrong signature gets UNAUTHENTICATED (16)', async () => {
    const end = await ended(agentClient({ ...FLEET, secretAccessKey: 'not-the-secret' }));
    expect(end.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(end.details).toMatch(
      /^SigV4: InvalidSignatureException: The request signature we calculated does not match/,
    );
  });

  it('an access key Amime does not know gets 16: it cannot verify a task role it was not given', async () => {
    const end = await ended(agentClient({ ...SESSION, accessKeyId: 'ASIAUNKNOWN00EXAMPLE' }));
    expect(end.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(end.details).toMatch(/UnrecognizedClientException/);
  });

  it('a signature older than 15 minutes gets 16', async () => {
    const end = await ended(agentClient(FLEET, () => new Date(Date.now() - 20 * 60_000)));
    expect(end.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(end.details).toMatch(/Signature expired/);
  });

  it('a principal whose policy does not cover the node gets PERMISSION_DENIED (7)', async () => {
    const end = await ended(agentClient(OTHER));
    expect(end.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(end.details).toContain(
      `principal "other-mesh-only" may not appmesh:StreamAggregatedResources on ${VNODE_X}`,
    );
  });

  it('refuses SigV4 over the plaintext listener too when the signature is wrong (no listener skips the check)', async () => {
    const md = new grpc.Metadata();
    for (const [k, v] of envoyAwsIamMetadata({
      authority: `127.0.0.1:${serve.xdsPort}`,
      path: ADS_PATH,
      region: REGION,
      credentials: { ...FLEET, secretAccessKey: 'wrong' },
      date: new Date(),
    }))
      md.set(k, v);
    const c = new SotwClient(serve.xdsPort, { metadata: md });
    clients.push(c);
    expect((await ended(c)).code).toBe(grpc.status.UNAUTHENTICATED);
  });
});

describeWithPrograms('real Envoy', [ENVOY], (programs) => {
  const envoyBin = programPath(programs, ENVOY);
  const envoys: RunningEnvoy[] = [];
  afterAll(async () => {
    for (const e of envoys) await e.stop();
  });

  /** Waits until Envoy has CDS and LDS from Amime and has ACKed them. */
  async function expectConfigured(e: RunningEnvoy): Promise<void> {
    await expect.poll(() => e.stat('control_plane.connected_state'), { timeout: 30_000 }).toBe(1);
    await expect
      .poll(() => e.stat('cluster_manager.cds.update_success'), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await expect
      .poll(() => e.stat('listener_manager.lds.update_success'), { timeout: 30_000 })
      .toBeGreaterThan(0);
    expect(await e.stat('cluster_manager.cds.update_rejected')).toBe(0);
    expect(await e.stat('listener_manager.lds.update_rejected')).toBe(0);
  }

  /** `amime bootstrap --proxy <vnode-x> --xds 127.0.0.1:<port> <flags>` run by a real Envoy. */
  async function envoyFromCli(port: number, flags: string[], name: string): Promise<RunningEnvoy> {
    const r = amime(['bootstrap', '--proxy', VNODE_X, '--xds', `127.0.0.1:${port}`, ...flags, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const e = await runEnvoy(envoyBin, withTestAdmin(r.stdout, name), dir);
    envoys.push(e);
    return e;
  }

  /** The bootstrap with its admin moved to a free loopback port. */
  function withTestAdmin(json: string, name: string): string {
    const b = JSON.parse(json) as { admin: { address: unknown } };
    b.admin.address = { socket_address: { address: '127.0.0.1', port_value: 0 } };
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify(b));
    return file;
  }

  it(
    "ACKs vnode-x's configuration over TLS with the agent's SigV4 headers (signed once: Envoy 1.40 no longer has aws_iam)",
    { timeout: 90_000 },
    async () => {
      // The App Mesh image's Envoy computes these per stream with envoy.grpc_credentials.aws_iam; upstream
      // Envoy removed that extension in 1.35 (envoyproxy/envoy#37621), so the same headers are sent as
      // initial_metadata here, signed for this authority and path just before Envoy starts.
      const signed = envoyAwsIamMetadata({
        authority: `127.0.0.1:${tlsPort}`,
        path: ADS_PATH,
        region: REGION,
        credentials: FLEET,
        date: new Date(),
      });
      writeFileSync(path.join(dir, 'ca.pem'), ca);
      const r = amime(
        ['bootstrap', '--xds', `127.0.0.1:${tlsPort}`, '--tls-ca', path.join(dir, 'ca.pem'), '-o', 'json'],
        { APPMESH_RESOURCE_ARN: VNODE_X, ENABLE_ENVOY_STATS_TAGS: '1' },
      );
      expect(r.code, r.stderr).toBe(0);
      const b = JSON.parse(r.stdout) as {
        dynamic_resources: { ads_config: { grpc_services: Array<{ initial_metadata?: unknown }> } };
      };
      b.dynamic_resources.ads_config.grpc_services[0]!.initial_metadata = signed.map(([key, value]) => ({
        key,
        value,
      }));
      const e = await runEnvoy(envoyBin, withTestAdmin(JSON.stringify(b), 'agent-sigv4.json'), dir);
      envoys.push(e);
      await expectConfigured(e);
    },
  );

  it(
    'ACKs with the bootstrap `amime bootstrap --tls-ca --token-file` writes (Envoys outside Kubernetes)',
    { timeout: 90_000 },
    async () => {
      writeFileSync(path.join(dir, 'ca.pem'), ca);
      writeFileSync(path.join(dir, 'xds-token'), TOKEN);
      const flags = ['--tls-ca', path.join(dir, 'ca.pem'), '--token-file', path.join(dir, 'xds-token')];
      const e = await envoyFromCli(tlsPort, flags, 'token.json');
      await expectConfigured(e);
    },
  );

  describe('over mTLS', () => {
    let mtls: ServeProcess;
    let pki: ReturnType<typeof makePki>;
    beforeAll(async () => {
      pki = makePki();
      for (const [name, content] of [
        ['mtls-ca.pem', pki.ca],
        ['server.crt', pki.server.cert],
        ['server.key', pki.server.key],
      ] as const)
        writeFileSync(path.join(dir, name), content);
      const client = pki.client('vnode-x', 'vnode-x.mesh-1');
      writeFileSync(path.join(dir, 'vnode-x.crt'), client.cert);
      writeFileSync(path.join(dir, 'vnode-x.key'), client.key);
      writeFileSync(
        path.join(dir, 'mtls-credentials.yaml'),
        YAML.stringify({
          principals: [
            {
              name: 'vnode-x-certificate',
              certificate: { subjectCN: 'vnode-x.mesh-1' },
              policies: [path.join(SEED_AS_WRITTEN, '01-proxy-auth-policy.json')],
            },
          ],
        }),
      );
      mtls = await startServe([
        '--data-dir',
        path.join(dir, 'mtls-data'),
        '--region',
        REGION,
        '--account-id',
        ACCOUNT,
        '--xds-tls-listen',
        '127.0.0.1:0',
        '--xds-tls-cert',
        path.join(dir, 'server.crt'),
        '--xds-tls-key',
        path.join(dir, 'server.key'),
        '--xds-tls-client-ca',
        path.join(dir, 'mtls-ca.pem'),
        '--xds-auth-file',
        path.join(dir, 'mtls-credentials.yaml'),
      ]);
    }, 60_000);
    afterAll(async () => {
      await mtls?.stop();
    });

    it(
      'ACKs with the bootstrap `amime bootstrap --tls-ca --tls-cert --tls-key` writes',
      { timeout: 90_000 },
      async () => {
        const flags = ['--tls-ca', path.join(dir, 'mtls-ca.pem')];
        flags.push('--tls-cert', path.join(dir, 'vnode-x.crt'), '--tls-key', path.join(dir, 'vnode-x.key'));
        const e = await envoyFromCli(tlsPortOf(mtls), flags, 'mtls.json');
        await expectConfigured(e);
      },
    );
  });
});
