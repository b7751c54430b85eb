/**
 * `amime serve` end to end, as users and proxies meet it: the seed mesh loaded on a
 * fresh start, the AWS CLI and SDK changing it, and a real proxyless gRPC client
 * (`@grpc/grpc-js-xds`) following those changes over ADS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type * as grpc from '@grpc/grpc-js';
import { AWS_CLI_V2, describeWithPrograms } from '../support/system-programs.js';
import { awsCliPath } from './support/api-server.js';
import {
  AppMeshClient,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateRouteCommand,
  CreateVirtualServiceCommand,
} from '@aws-sdk/client-app-mesh';
import { startServe, awsEnv, type ServeProcess } from './support/serve-process.js';
import { setSeedWeights } from './support/seed-weights.js';
import { startBehavingBackend, whoWith, type BehavingBackend } from './support/behaving-backend.js';
import { xdsClient } from './support/xds-clients.js';

const run = promisify(execFile);
const VNODE_X = 'mesh/mesh-1/virtualNode/vnode-x_mesh-test';
const SVC_V = 'svc-v.mesh-test.svc.cluster.local';

// The whole file drives the seed through the aws CLI v2 as well as the SDK.
describeWithPrograms('amime serve, the seed mesh and real clients', [AWS_CLI_V2], () => {
  let dir: string;
  let serve: ServeProcess;
  let a: BehavingBackend;
  let b: BehavingBackend;
  let g: BehavingBackend;
  let sdk: AppMeshClient;
  const clients: grpc.Client[] = [];

  async function aws(...args: string[]): Promise<unknown> {
    const { stdout } = await run(
      awsCliPath(),
      ['appmesh', ...args, '--endpoint-url', serve.apiUrl, '--output', 'json'],
      { env: awsEnv() },
    );
    return stdout.trim() ? JSON.parse(stdout) : undefined;
  }

  /** Calls until `n` in a row answer `name`; resolves with the time that took. */
  async function convergeTo(
    client: grpc.Client,
    name: string,
    metadata: Record<string, string> = {},
    n = 20,
    limitMs = 5000,
  ): Promise<number> {
    const start = Date.now();
    let streak = 0;
    while (Date.now() - start < limitMs) {
      const got = await whoWith(client, metadata).catch(() => 'error');
      streak = got === name ? streak + 1 : 0;
      if (streak >= n) return Date.now() - start;
    }
    throw new Error(`did not converge to ${name} within ${limitMs} ms`);
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'amime-serve-'));
    [a, b, g] = await Promise.all([
      startBehavingBackend('vnode-1'),
      startBehavingBackend('vnode-2'),
      startBehavingBackend('grpc-a'),
    ]);
    const endpointsFile = path.join(dir, 'endpoints.yaml');
    writeFileSync(
      endpointsFile,
      [
        'virtualNodes:',
        `  mesh-1/vnode-1_mesh-test: ["127.0.0.1:${a.port}"]`,
        `  mesh-1/vnode-2_mesh-test: ["127.0.0.1:${b.port}"]`,
        `  mesh-1/grpc-a: ["127.0.0.1:${g.port}"]`,
        '',
      ].join('\n'),
    );
    serve = await startServe([
      '--data-dir',
      path.join(dir, 'data'),
      '--endpoints-file',
      endpointsFile,
      '--log-level',
      'info',
    ]);
    sdk = new AppMeshClient({
      endpoint: serve.apiUrl,
      region: 'us-west-2',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummysecret' },
    });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    sdk?.destroy();
    await serve?.stop();
    a?.close();
    b?.close();
    g?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('amime serve with the seed mesh', () => {
    it('loads the seed into a fresh data directory: the AWS CLI lists its three nodes by App Mesh name', async () => {
      const out = (await aws('list-virtual-nodes', '--mesh-name', 'mesh-1')) as {
        virtualNodes: Array<{ virtualNodeName: string }>;
      };
      expect(out.virtualNodes.map((n) => n.virtualNodeName).sort()).toEqual([
        'vnode-1_mesh-test',
        'vnode-2_mesh-test',
        'vnode-x_mesh-test',
      ]);
      const health = await fetch(`${serve.apiUrl}/readyz`);
      expect(health.status).toBe(200);
    });

    it('splits 1,000 calls from vnode-x to svc-v 1:1 between vnode-1 and vnode-2', async () => {
      const client = xdsClient(serve.xdsPort, VNODE_X, SVC_V);
      clients.push(client);
      const counts: Record<string, number> = {};
      for (let i = 0; i < 1000; i += 25) {
        const names = await Promise.all(Array.from({ length: 25 }, () => whoWith(client, {})));
        for (const n of names) counts[n] = (counts[n] ?? 0) + 1;
      }
      console.log(`1,000 calls: vnode-1 ${counts['vnode-1']}, vnode-2 ${counts['vnode-2']}`);
      // Binomial(1000, 0.5): sd ≈ 15.8; 4.5 sd is far outside chance.
      expect(counts['vnode-1']! + counts['vnode-2']!).toBe(1000);
      expect(Math.abs(counts['vnode-1']! - 500)).toBeLessThan(4.5 * Math.sqrt(250));
    });

    it('follows a weight change made through the SDK within 1 s', async () => {
      const client = clients[0]!;
      await setSeedWeights(sdk, 100, 0);
      const ms = await convergeTo(client, 'vnode-1');
      console.log(`weight change (SDK UpdateRoute → 20 calls in a row on vnode-1): ${ms} ms`);
      expect(ms).toBeLessThan(1000);
    });

    it('routes by header after a route is created through the AWS CLI, within 1 s', async () => {
      const client = clients[0]!;
      const spec = {
        priority: 0,
        httpRoute: {
          match: { prefix: '/', headers: [{ name: 'x-canary', match: { exact: 'yes' } }] },
          action: { weightedTargets: [{ virtualNode: 'vnode-2_mesh-test', weight: 100 }] },
        },
      };
      await aws(
        'create-route',
        '--mesh-name',
        'mesh-1',
        '--virtual-router-name',
        'vrouter-1_mesh-test',
        '--route-name',
        'canary',
        '--spec',
        JSON.stringify(spec),
      );
      const ms = await convergeTo(client, 'vnode-2', { 'x-canary': 'yes' });
      console.log(`new header route (aws appmesh create-route → 20 calls in a row on vnode-2): ${ms} ms`);
      expect(ms).toBeLessThan(1000);
      // Calls without the header still take route-1 (100% vnode-1 since the previous test).
      expect(await whoWith(client, {})).toBe('vnode-1');
    });

    describe('a gRPC route with a timeout and a retry policy, built through the SDK (App Mesh names: a client node called grpc_Client)', () => {
      let client: grpc.Client;
      beforeAll(async () => {
        await sdk.send(
          new CreateVirtualNodeCommand({
            meshName: 'mesh-1',
            virtualNodeName: 'grpc-a',
            spec: {
              listeners: [{ portMapping: { port: 50051, protocol: 'grpc' } }],
              serviceDiscovery: { dns: { hostname: 'grpc-a.local' } },
            },
          }),
        );
        await sdk.send(
          new CreateVirtualRouterCommand({
            meshName: 'mesh-1',
            virtualRouterName: 'grpc-router',
            spec: { listeners: [{ portMapping: { port: 50051, protocol: 'grpc' } }] },
          }),
        );
        await sdk.send(
          new CreateRouteCommand({
            meshName: 'mesh-1',
            virtualRouterName: 'grpc-router',
            routeName: 'who',
            spec: {
              grpcRoute: {
                match: { serviceName: 'amime.test.WhoAmI' },
                action: { weightedTargets: [{ virtualNode: 'grpc-a', weight: 100 }] },
                timeout: { perRequest: { unit: 'ms', value: 300 } },
                retryPolicy: {
                  maxRetries: 3,
                  perRetryTimeout: { unit: 's', value: 1 },
                  grpcRetryEvents: ['unavailable'],
                },
              },
            },
          }),
        );
        await sdk.send(
          new CreateVirtualServiceCommand({
            meshName: 'mesh-1',
            virtualServiceName: 'who.grpc.local',
            spec: { provider: { virtualRouter: { virtualRouterName: 'grpc-router' } } },
          }),
        );
        await sdk.send(
          new CreateVirtualNodeCommand({
            meshName: 'mesh-1',
            virtualNodeName: 'grpc_Client',
            spec: { backends: [{ virtualService: { virtualServiceName: 'who.grpc.local' } }] },
          }),
        );
        client = xdsClient(serve.xdsPort, 'mesh/mesh-1/virtualNode/grpc_Client', 'who.grpc.local');
        clients.push(client);
        await convergeTo(client, 'grpc-a', {}, 3);
      });

      it('retries UNAVAILABLE: two failed attempts, then success', async () => {
        await expect(whoWith(client, { 'x-attempt-key': 'retry-1', 'x-fail-first': '2' })).resolves.toBe(
          'grpc-a',
        );
        expect(g.attempts.get('retry-1')).toBe(3);
      });

      it('gives up after maxRetries', async () => {
        await expect(
          whoWith(client, { 'x-attempt-key': 'retry-2', 'x-fail-first': '10' }),
        ).rejects.toMatchObject({ code: 14 });
        expect(g.attempts.get('retry-2')).toBe(4);
      });

      it('ends a call that outlives the route timeout (300 ms) with DEADLINE_EXCEEDED', async () => {
        const start = Date.now();
        await expect(whoWith(client, { 'x-delay-ms': '2000' }, 10_000)).rejects.toMatchObject({ code: 4 });
        expect(Date.now() - start).toBeLessThan(1500);
        await expect(whoWith(client, { 'x-delay-ms': '50' })).resolves.toBe('grpc-a');
      });
    });

    it('exports metrics about proxies, pushes and API requests', async () => {
      const text = await (await fetch(`${serve.apiUrl}/metrics`)).text();
      expect(text).toMatch(
        /amime_xds_connected_proxies\{group="mesh\/mesh-1\/virtualNode\/vnode-x_mesh-test#grpc"\} 1/,
      );
      expect(text).toMatch(/amime_xds_acks_total\{type="CDS"\} \d+/);
      expect(text).toMatch(/amime_api_requests_total\{operation="UpdateRoute",code="200"\} 1/);
      expect(text).toMatch(/amime_translation_seconds_count \d+/);
    });
  });
});
