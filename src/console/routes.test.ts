import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  encodeMessage,
  SECRET_TYPE,
  SECRET_TYPE_URL,
  LISTENER_TYPE,
  LISTENER_TYPE_URL,
} from '../proto/index.js';
import { SnapshotCache, type ClientStatus } from '../xds/index.js';
import { AppMeshClientError, AppMeshHttpClient, createSigV4Verifier } from '../api/index.js';
import { makePki } from '../../test/e2e/support/certs.js';
import { ConsoleAccess, sessionValue, SESSION_COOKIE, type ConsoleAccessOptions } from './access.js';
import { consoleApi, EVENTS_PATH, PROXIES_PATH, PROXY_CONFIG_PATH, type ProxiesResponse } from './routes.js';
import { ChangeFeed } from './change-feed.js';
import type { ProxyConfig } from './proxy-config.js';
import { proxyStatusRow } from './proxy-status.js';
import { PRIVATE_KEY_HIDDEN } from './secret-metadata.js';

const NODE = 'mesh/mesh-1/virtualNode/vnode-x_mesh-test';
const TOKEN = 'a-console-token-of-some-length';
const pki = makePki();

function client(): ClientStatus {
  const at = new Date().toISOString();
  const snap = snapshotCache().getSnapshot(NODE)!;
  const type = (typeUrl: string, version: string, names: string[]) => ({
    typeUrl,
    wildcard: true,
    names: [],
    ackedVersion: version,
    lastSent: { version, nonce: '1', at },
    pendingAck: false,
    lastNack: null,
    resources: names.map((name) => ({
      name,
      version: snap.types.get(typeUrl)!.resources.get(name)!.wireVersion,
    })),
  });
  return {
    streamId: 1,
    nodeId: NODE,
    cluster: 'vnode-x',
    group: NODE,
    flavour: 'envoy',
    protocol: 'sotw',
    userAgent: 'envoy',
    peer: '127.0.0.1:5',
    principal: null,
    connectedSince: at,
    waiting: false,
    types: [
      type(LISTENER_TYPE_URL, snap.types.get(LISTENER_TYPE_URL)!.version, ['lds-ingress']),
      type(SECRET_TYPE_URL, snap.types.get(SECRET_TYPE_URL)!.version, ['cert']),
    ],
  };
}

function snapshotCache(): SnapshotCache {
  const cache = new SnapshotCache();
  cache.setSnapshot(NODE, {
    [LISTENER_TYPE_URL]: { 'lds-ingress': encodeMessage(LISTENER_TYPE, { name: 'lds-ingress' }) },
    [SECRET_TYPE_URL]: {
      cert: encodeMessage(SECRET_TYPE, {
        name: 'cert',
        tls_certificate: {
          certificate_chain: { inline_string: pki.server.cert.toString() },
          private_key: { inline_string: pki.server.key.toString() },
        },
      }),
    },
  });
  return cache;
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(access: ConsoleAccessOptions, feed?: ChangeFeed): Promise<FastifyInstance> {
  const cache = snapshotCache();
  app = Fastify();
  await app.register(consoleApi, {
    sources: {
      replica: 'r1',
      clients: () => [client()],
      snapshots: (g) => [cache.getSnapshot(g)!],
      ...(feed ? { feed } : {}),
    },
    access: new ConsoleAccess(access),
  });
  return app;
}

describe('the console JSON (/ui/api)', () => {
  it('lists proxies on loopback without a credential, as the API does', async () => {
    const res = await (await serve({ exposed: false })).inject(PROXIES_PATH);
    expect(res.statusCode).toBe(200);
    const body = res.json<ProxiesResponse>();
    expect(body.proxies.map((p) => [p.nodeId, p.replica, p.types.LDS.state])).toEqual([
      [NODE, 'r1', 'SYNCED'],
    ]);
  });

  it("lists the other replicas' proxies with theirs, sorted, and says how many they left out", async () => {
    const cache = snapshotCache();
    const local = client();
    const there = {
      ...proxyStatusRow({ ...local, nodeId: 'mesh/mesh-1/virtualNode/a' }, 'r2', Date.now(), null),
    };
    app = Fastify();
    await app.register(consoleApi, {
      sources: {
        replica: 'r1',
        clients: () => [local],
        elsewhere: () => [there],
        omitted: () => 3,
        snapshots: (g) => [cache.getSnapshot(g)!],
      },
      access: new ConsoleAccess({ exposed: false }),
    });
    const body = (await app.inject(PROXIES_PATH)).json<ProxiesResponse>();
    expect(body.proxies.map((p) => [p.nodeId, p.replica])).toEqual([
      ['mesh/mesh-1/virtualNode/a', 'r2'],
      [NODE, 'r1'],
    ]);
    expect(body.omitted).toBe(3);
    const config = await app.inject(`${PROXY_CONFIG_PATH}?proxy=virtualNode/a`);
    expect(config.statusCode).toBe(404);
    expect(config.json<{ message: string; replica: string }>()).toMatchObject({ replica: 'r2' });
  });

  it('answers 401 and no data when exposed without a credential, naming the flag', async () => {
    const res = await (await serve({ exposed: true })).inject(PROXIES_PATH);
    expect(res.statusCode).toBe(401);
    expect(res.body).not.toContain('vnode-x');
    expect(res.json<{ message: string }>().message).toContain('--console-token-file');
  });

  it('with a token: the bearer token or the session cookie, nothing else', async () => {
    const a = await serve({ exposed: true, token: TOKEN });
    expect((await a.inject(PROXIES_PATH)).statusCode).toBe(401);
    expect(
      (await a.inject({ url: PROXIES_PATH, headers: { authorization: 'Bearer wrong-token-xxxxxxxx' } }))
        .statusCode,
    ).toBe(401);
    expect(
      (await a.inject({ url: PROXIES_PATH, headers: { authorization: `Bearer ${TOKEN}` } })).statusCode,
    ).toBe(200);
    const cookie = `${SESSION_COOKIE}=${sessionValue(TOKEN)}`;
    expect((await a.inject({ url: PROXIES_PATH, headers: { cookie } })).statusCode).toBe(200);
    const login = await a.inject({
      method: 'POST',
      url: '/ui/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${TOKEN}`,
    });
    expect(login.statusCode).toBe(303);
    expect(login.headers['set-cookie']).toBe(`${cookie}; Path=/ui; HttpOnly; SameSite=Strict`);
    const wrong = await a.inject({
      method: 'POST',
      url: '/ui/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'token=nope',
    });
    expect([wrong.statusCode, wrong.headers['set-cookie']]).toEqual([401, undefined]);
    // The token itself is not a session.
    expect(
      (await a.inject({ url: PROXIES_PATH, headers: { cookie: `${SESSION_COOKIE}=${TOKEN}` } })).statusCode,
    ).toBe(401);
  });

  it('proxy-config: secrets as certificate metadata, never the private key', async () => {
    const res = await (
      await serve({ exposed: false })
    ).inject(`${PROXY_CONFIG_PATH}?proxy=vnode-x&type=secrets`);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('PRIVATE KEY');
    expect(res.body).not.toContain(pki.server.key.toString().split('\n')[1]);
    const secret = res.json<ProxyConfig>().resources.secrets![0] as {
      tls_certificate: { private_key: string; certificate_chain: { certificates: { subject: string }[] } };
    };
    expect(secret.tls_certificate.private_key).toBe(PRIVATE_KEY_HIDDEN);
    expect(secret.tls_certificate.certificate_chain.certificates[0]!.subject).toBeTruthy();
  });

  it('proxy-config: --acked shows what the proxy holds; an unknown proxy is a 404 listing the connected ones', async () => {
    const a = await serve({ exposed: false });
    const acked = (
      await a.inject(`${PROXY_CONFIG_PATH}?proxy=${encodeURIComponent(NODE)}&type=listeners&acked=true`)
    ).json<ProxyConfig>();
    expect(acked.acked).toBe(true);
    expect(acked.resources.listeners).toEqual([{ name: 'lds-ingress' }]);
    const missing = await a.inject(`${PROXY_CONFIG_PATH}?proxy=vnode-9`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ candidates: string[] }>().candidates).toEqual([NODE]);
    expect((await a.inject(`${PROXY_CONFIG_PATH}?proxy=x&type=nope`)).statusCode).toBe(400);
  });

  it('with SigV4 on the API: a signed request passes (the CLI with AWS variables), a wrong secret is a 401', async () => {
    const a = await serve({
      exposed: true,
      verifier: createSigV4Verifier({
        credentials: [{ accessKeyId: 'AKIDCONSOLE', secretAccessKey: 'right-secret' }],
      }),
    });
    const server = await a.listen({ host: '127.0.0.1', port: 0 });
    const client = (secretAccessKey: string) =>
      new AppMeshHttpClient({
        server,
        region: 'us-west-2',
        credentials: { accessKeyId: 'AKIDCONSOLE', secretAccessKey },
      });
    const ok = await client('right-secret').request<ProxiesResponse>('GET', PROXIES_PATH);
    expect(ok.proxies.map((p) => p.nodeId)).toEqual([NODE]);
    const refused = await client('wrong-secret')
      .request('GET', PROXIES_PATH)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppMeshClientError);
    expect((refused as AppMeshClientError).status).toBe(401);
    expect((await a.inject(PROXIES_PATH)).statusCode).toBe(401);
  });

  it(
    'streams a change event to an open page, and ends open streams when the server closes',
    { timeout: 15_000 },
    async () => {
      const feed = new ChangeFeed(10);
      const a = await serve({ exposed: false }, feed);
      const url = await a.listen({ host: '127.0.0.1', port: 0 });
      const res = await fetch(`${url}${EVENTS_PATH}`);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const reader = res.body!.getReader();
      let text = '';
      feed.notify();
      while (!text.includes('event: change')) text += new TextDecoder().decode((await reader.read()).value);
      expect(text).toContain('data: 1');
      // The stream ends (done) instead of holding the close up.
      const ended = (async () => {
        for (;;) if ((await reader.read()).done) return 'closed';
      })();
      const deadline = new Promise((resolve) =>
        setTimeout(() => resolve('still open after 5 s'), 5000).unref(),
      );
      app = undefined;
      const closed = a.close().then(() => ended);
      expect(await Promise.race([closed, deadline])).toBe('closed');
    },
  );
});
