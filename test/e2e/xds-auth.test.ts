/**
 * Stream authentication and IAM-style authorization, end to end: bearer tokens
 * from a credentials file (stored hashed), client certificates over mTLS, the
 * seed proxy policy used verbatim, and the refusal to serve unauthenticated on a
 * non-loopback address.
 */
import { SEED_AS_WRITTEN } from '../support/fixtures.js';
import { suiteTempDir } from '../support/temp-dir.js';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileAuthenticator, SnapshotCache, TYPE_URL, XdsServer } from '../../src/xds/index.js';
import { SotwClient, fetchClientStatus } from './support/ads-test-client.js';
import { makePki, type TestPki } from './support/certs.js';
import { apiListener } from './support/envoy-resources.js';

const SEED = path.join(SEED_AS_WRITTEN, '01-proxy-auth-policy.json');

const ALLOWED = 'mesh/mesh-1/virtualNode/vnode-1_mesh-test';
const OTHER_MESH = 'mesh/other/virtualNode/vnode-1_mesh-test';
const FLEET_TOKEN = 'fleet-token-1c7e0f';
const BARE_TOKEN = 'token-without-policies-9a2b';
const DENY_TOKEN = 'token-with-explicit-deny-33d1';
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const scratch = suiteTempDir('amime-auth-');
let cache: SnapshotCache;
let authFile: string;
let pki: TestPki;

function bearer(token: string): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${token}`);
  return md;
}

beforeAll(() => {
  cache = new SnapshotCache();
  for (const id of [ALLOWED, OTHER_MESH])
    cache.setSnapshot(id, { [TYPE_URL.Listener]: { l1: apiListener('l1', 'r1') } });
  pki = makePki();
  authFile = path.join(scratch(), 'proxy-credentials.yaml');
  writeFileSync(
    authFile,
    [
      'principals:',
      '  - name: envoy-fleet',
      `    tokenSha256: ${sha(FLEET_TOKEN)}`,
      '    policies:',
      `      - ${JSON.stringify(SEED)}`,
      '  - name: no-policies',
      `    tokenSha256: ${sha(BARE_TOKEN)}`,
      '    policies: []',
      '  - name: all-but-vnode-1',
      `    tokenSha256: ${sha(DENY_TOKEN)}`,
      '    policies:',
      '      - Version: "2012-10-17"',
      '        Statement:',
      '          - { Effect: Allow, Action: ["appmesh:*", "amime:ReadClientStatus"], Resource: "*" }',
      '          - Sid: NotVnode1',
      '            Effect: Deny',
      '            Action: appmesh:StreamAggregatedResources',
      '            Resource: "arn:aws:appmesh:*:*:mesh/*/virtualNode/vnode-?_mesh-test"',
      '  - name: vnode-1-workload',
      '    certificate: { uriSan: "spiffe://mesh-1/vnode-1" }',
      '    policies:',
      `      - ${JSON.stringify(SEED)}`,
      '',
    ].join('\n'),
  );
});

describe('bearer tokens', () => {
  let server: XdsServer;
  let port: number;
  const clients: SotwClient[] = [];

  beforeAll(async () => {
    server = new XdsServer({
      cache,
      authenticator: await FileAuthenticator.fromFile(authFile),
      arn: { region: 'ap-northeast-1', account: '111122223333' },
      logger: quiet,
    });
    port = await server.listen('127.0.0.1', 0);
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await server.close(500);
  });

  function stream(token: string | undefined, nodeId: string): SotwClient {
    const c = new SotwClient(port, token ? { metadata: bearer(token) } : {});
    clients.push(c);
    c.send({ type_url: TYPE_URL.Listener, node: { id: nodeId, user_agent_name: 'envoy' } });
    return c;
  }

  it('ends a stream without credentials with UNAUTHENTICATED', async () => {
    const end = await stream(undefined, ALLOWED).ended;
    expect(end.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(end.details).toMatch(/missing credentials/);
    expect((await stream('not-a-known-token', ALLOWED).ended).code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('ends a stream with PERMISSION_DENIED when no policy allows the node', async () => {
    const end = await stream(BARE_TOKEN, ALLOWED).ended;
    expect(end.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(end.details).toContain(
      'principal "no-policies" may not appmesh:StreamAggregatedResources on arn:aws:appmesh:ap-northeast-1:111122223333:mesh/mesh-1/virtualNode/vnode-1_mesh-test',
    );
  });

  it('lets the seed policy stream mesh-1 nodes and denies mesh "other"', async () => {
    const ok = stream(FLEET_TOKEN, ALLOWED);
    const lds = await ok.next();
    expect(lds.names).toEqual(['l1']);
    expect(server.clientStatus().find((s) => s.nodeId === ALLOWED)?.principal).toBe('envoy-fleet');
    const denied = await stream(FLEET_TOKEN, OTHER_MESH).ended;
    expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(denied.details).toMatch(/mesh\/other\/virtualNode.*no policy allows it/);
    // A full ARN in another account is not covered by the seed policy either.
    const foreign = await stream(
      FLEET_TOKEN,
      'arn:aws:appmesh:ap-northeast-1:999999999999:mesh/mesh-1/virtualNode/vnode-1_mesh-test',
    ).ended;
    expect(foreign.code).toBe(grpc.status.PERMISSION_DENIED);
  });

  it('lets an explicit Deny win over an Allow', async () => {
    const end = await stream(DENY_TOKEN, ALLOWED).ended;
    expect(end.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(end.details).toMatch(/an explicit Deny applies$/);
    // Which statement of which file decided is for the server's log only.
    expect(end.details).not.toMatch(/NotVnode1|proxy-credentials|Statement/);
  });

  it('requires credentials for CSDS too', async () => {
    await expect(fetchClientStatus(port)).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    // The fleet token may stream but not read status (amime:ReadClientStatus is not in the seed policy).
    const res = (await fetchClientStatus(port, {}, { metadata: bearer(FLEET_TOKEN) })) as {
      config?: unknown[];
    };
    expect(res.config ?? []).toHaveLength(0);
    const all = (await fetchClientStatus(port, {}, { metadata: bearer(DENY_TOKEN) })) as {
      config?: { node: { id: string } }[];
    };
    expect(all.config?.map((c) => c.node.id)).toContain(ALLOWED);
  });
});

describe('client certificates (mTLS)', () => {
  let server: XdsServer;
  let port: number;
  const clients: SotwClient[] = [];

  beforeAll(async () => {
    server = new XdsServer({
      cache,
      authenticator: await FileAuthenticator.fromFile(authFile),
      arn: { region: 'ap-northeast-1', account: '111122223333' },
      logger: quiet,
    });
    port = await server.listen('127.0.0.1', 0, {
      ca: pki.ca,
      cert: pki.server.cert,
      key: pki.server.key,
      requireClientCert: true,
    });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await server.close(500);
  });

  function stream(clientCert: { key: Buffer; cert: Buffer }, nodeId: string): SotwClient {
    const c = new SotwClient(port, {
      credentials: grpc.credentials.createSsl(pki.ca, clientCert.key, clientCert.cert),
      channelOptions: { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' },
    });
    clients.push(c);
    c.send({ type_url: TYPE_URL.Listener, node: { id: nodeId, user_agent_name: 'envoy' } });
    return c;
  }

  it('maps a certificate URI SAN to a principal and applies its policy', async () => {
    const cert = pki.client('vnode-1', 'vnode-1', 'spiffe://mesh-1/vnode-1');
    const ok = stream(cert, ALLOWED);
    expect((await ok.next()).names).toEqual(['l1']);
    expect(server.clientStatus()[0]!.principal).toBe('vnode-1-workload');
    expect((await stream(cert, OTHER_MESH).ended).code).toBe(grpc.status.PERMISSION_DENIED);
  });

  it('rejects a verified certificate that maps to no principal with UNAUTHENTICATED', async () => {
    const stranger = pki.client('stranger', 'stranger', 'spiffe://mesh-1/stranger');
    const end = await stream(stranger, ALLOWED).ended;
    expect(end.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(end.details).toMatch(/CN=stranger, URI:spiffe:\/\/mesh-1\/stranger.*not mapped/);
  });
});

describe('listening without authentication', () => {
  it('is refused on a non-loopback address unless insecure is set', async () => {
    const s = new XdsServer({ cache, logger: quiet });
    await expect(s.listen('0.0.0.0', 0)).rejects.toThrow(
      /refusing to serve xDS without authentication on 0\.0\.0\.0/,
    );
    await s.close(100);
    const warnings: string[] = [];
    const insecure = new XdsServer({
      cache,
      insecure: true,
      logger: { ...quiet, warn: (_o: object, m?: string) => warnings.push(m ?? '') },
    });
    expect(await insecure.listen('0.0.0.0', 0)).toBeGreaterThan(0);
    expect(warnings.join()).toMatch(/WITHOUT authentication/);
    await insecure.close(100);
  });

  it('needs region and account to authorize', () => {
    expect(() => new XdsServer({ cache, authenticator: new FileAuthenticator({ principals: [] }) })).toThrow(
      /arn: \{ region, account \}/,
    );
  });
});
