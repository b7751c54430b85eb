/**
 * `amime proxy-status` and `amime proxy-config` against a real `amime serve` with the
 * seed mesh and an ADS test client standing in for vnode-x's Envoy: SYNCED once it
 * ACKs everything, NACKED with Envoy's message after it rejects a weight change made
 * through the REST API; the console token guards the same data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { TYPE_URL } from '../../src/xds/index.js';
import type { ProxiesResponse } from '../../src/console/index.js';
import { amime } from '../support/cli.js';
import { startServe, type ServeProcess } from './support/serve-process.js';
import { setSeedWeights } from './support/seed-weights.js';
import { SotwClient, subscribeAllTypes, type SotwResponse } from './support/ads-test-client.js';

const VNODE_X = 'mesh/mesh-1/virtualNode/vnode-x_mesh-test';
const TOKEN = 'e2e-console-token-0123456789';
const { RouteConfiguration: RDS } = TYPE_URL;

describe('amime proxy-status / proxy-config against amime serve', () => {
  let dir: string;
  let tokenFile: string;
  let serve: ServeProcess;
  let envoy: SotwClient;
  let sdk: AppMeshClient;
  let lastRds: SotwResponse;

  const cli = (...args: string[]) =>
    amime([...args, '--server', serve.apiUrl, '--token-file', tokenFile], {
      withoutEnv: ['AWS_', 'AMIME_CONSOLE'],
    });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'amime-console-'));
    tokenFile = path.join(dir, 'console-token');
    writeFileSync(tokenFile, `${TOKEN}\n`);
    serve = await startServe(['--data-dir', path.join(dir, 'data'), '--console-token-file', tokenFile]);
    sdk = new AppMeshClient({
      endpoint: serve.apiUrl,
      region: 'us-west-2',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummysecret' },
    });
    // vnode-x's Envoy, as far as the status goes: every type subscribed and ACKed.
    envoy = new SotwClient(serve.xdsPort);
    lastRds = await subscribeAllTypes(
      envoy,
      { id: VNODE_X, cluster: 'vnode-x', user_agent_name: 'envoy' },
      10_000,
    );
  }, 60_000);

  afterAll(async () => {
    envoy?.close();
    sdk?.destroy();
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function status(): Promise<ProxiesResponse> {
    const run = await cli('proxy-status', '-o', 'json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as ProxiesResponse;
  }

  async function until<T>(read: () => Promise<T>, ok: (t: T) => boolean, ms = 15_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await read();
      if (ok(v) || Date.now() > deadline) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('lists vnode-x SYNCED for CDS, LDS, EDS and RDS (no SDS without TLS), in a table and as JSON', async () => {
    const res = await until(status, (r) =>
      r.proxies.some((p) => p.nodeId === VNODE_X && p.state === 'SYNCED'),
    );
    const x = res.proxies.find((p) => p.nodeId === VNODE_X)!;
    expect(x.replica).toBe(res.replica);
    expect([
      x.types.CDS.state,
      x.types.LDS.state,
      x.types.EDS.state,
      x.types.RDS.state,
      x.types.SDS.state,
    ]).toEqual(['SYNCED', 'SYNCED', 'SYNCED', 'SYNCED', 'NOT SENT']);
    const table = await cli('proxy-status');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+REPLICA\s+CDS\s+LDS\s+EDS\s+RDS\s+SDS\s+VERSION\s+AGE$/m);
    expect(table.stdout).toMatch(
      new RegExp(
        `^${VNODE_X}\\s+\\S+\\s+SYNCED\\s+SYNCED\\s+SYNCED\\s+SYNCED\\s+NOT SENT\\s+\\S+\\s+\\d+s$`,
        'm',
      ),
    );
  });

  it('proxy-config shows the routes the server sends vnode-x, with the seed 50/50 weights', async () => {
    const run = await cli('proxy-config', 'vnode-x', 'routes', '-o', 'json');
    expect(run.code).toBe(0);
    const routes = (JSON.parse(run.stdout) as { routes: unknown[] }).routes;
    expect(JSON.stringify(routes)).toMatch(/"weight":50/);
  });

  it('lists vnode-x NACKED with its message after it rejects a weight change; --acked still shows 50/50', async () => {
    await setSeedWeights(sdk, 90, 10);
    const update = await envoy.next(10_000);
    expect(update.type_url).toBe(RDS);
    envoy.nack(update, lastRds.version_info, 'injected by the test: weights 90/10 refused');
    const res = await until(status, (r) =>
      r.proxies.some((p) => p.nodeId === VNODE_X && p.state === 'NACKED'),
    );
    const x = res.proxies.find((p) => p.nodeId === VNODE_X)!;
    expect(x.types.RDS).toMatchObject({
      state: 'NACKED',
      error: 'injected by the test: weights 90/10 refused',
      ackedVersion: lastRds.version_info,
      rejectedVersion: update.version_info,
    });
    expect(x.types.CDS.state).toBe('SYNCED');
    const table = await cli('proxy-status');
    expect(table.stdout).toContain(
      `${VNODE_X} rejected RDS version ${update.version_info}: injected by the test`,
    );

    const sent = await cli('proxy-config', 'vnode-x', 'routes', '-o', 'json');
    expect(JSON.stringify(JSON.parse(sent.stdout))).toMatch(/"weight":90/);
    const held = await cli('proxy-config', 'vnode-x', 'routes', '-o', 'json', '--acked');
    expect(held.stderr).toBe('');
    const heldJson = JSON.stringify(JSON.parse(held.stdout));
    expect(heldJson).toMatch(/"weight":50/);
    expect(heldJson).not.toMatch(/"weight":90/);
  });

  it('without the token: 401 and no data; an unknown proxy: exit 2 naming the connected ones', async () => {
    const res = await fetch(`${serve.apiUrl}/ui/api/proxies`);
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('vnode-x');
    const page = await fetch(`${serve.apiUrl}/ui/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    const html = await page.text();
    expect(html).toContain('action="/ui/login"');
    expect(html).not.toContain('vnode-x');
    // The login page exchanges the token for a session cookie that opens the console.
    const login = await fetch(`${serve.apiUrl}/ui/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${TOKEN}`,
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const topology = await fetch(`${serve.apiUrl}/ui/api/topology?mesh=mesh-1`, { headers: { cookie } });
    expect(topology.status).toBe(200);
    expect(await topology.text()).toContain('vnode-x');
    const bare = await amime(['proxy-status', '--server', serve.apiUrl], {
      withoutEnv: ['AWS_', 'AMIME_CONSOLE'],
    });
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain('--console-token-file');
    const unknown = await cli('proxy-config', 'vnode-9');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(VNODE_X);
  });
});
