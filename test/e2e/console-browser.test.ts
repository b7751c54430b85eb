/**
 * The web console in Debian's Chromium (playwright-core) against `amime serve` with the
 * seed mesh, a proxyless gRPC client as vnode-x and an ADS test client as vnode-1:
 * the topology gateway-v → svc-v → vrouter-1 → route-1 → vnode-1/vnode-2 at 50/50 with
 * vnode-x's one connected proxy; a weight change through the REST API on the open page
 * within 2 s without a reload; a NACK turning vnode-1 red with Envoy's message; the
 * resource page; and a generated 200-node mesh served read-only (--from) rendered in
 * under 2 s. Each page's screenshot lands in test-results/console/.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { TYPE_URL } from '../../src/xds/index.js';
import { CHROMIUM, describeWithPrograms, programPath } from '../support/system-programs.js';
import { startServe, type ServeProcess } from './support/serve-process.js';
import { setSeedWeights } from './support/seed-weights.js';
import { SotwClient } from './support/ads-test-client.js';
import { xdsClient } from './support/xds-clients.js';
import { openBrowser, type ConsoleBrowser } from './support/console-browser.js';

const VNODE_X = 'mesh/mesh-1/virtualNode/vnode-x_mesh-test';
const VNODE_1 = 'mesh/mesh-1/virtualNode/vnode-1_mesh-test';
const NACK_TEXT = 'injected by the test: listener refused';

/** 40 routers with one route each, their 40 services and 80 virtual nodes: 200 nodes in the picture. */
function bigMesh(): string {
  const docs: string[] = [
    'apiVersion: appmesh.k8s.aws/v1beta2\nkind: Mesh\nmetadata:\n  name: mesh-big\nspec:\n  namespaceSelector:\n    matchLabels:\n      mesh: mesh-big',
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: big\n  labels:\n    mesh: mesh-big',
  ];
  for (let j = 0; j < 40; j++) {
    docs.push(
      `apiVersion: appmesh.k8s.aws/v1beta2\nkind: VirtualRouter\nmetadata:\n  name: vr-${j}\n  namespace: big\nspec:\n  listeners:\n    - portMapping: {port: 80, protocol: http}\n  routes:\n    - name: r-${j}\n      httpRoute:\n        match: {prefix: /}\n        action:\n          weightedTargets:\n            - {virtualNodeRef: {name: vn-${2 * j}}, weight: 1}\n            - {virtualNodeRef: {name: vn-${2 * j + 1}}, weight: 1}`,
      `apiVersion: appmesh.k8s.aws/v1beta2\nkind: VirtualService\nmetadata:\n  name: vs-${j}\n  namespace: big\nspec:\n  provider:\n    virtualRouter:\n      virtualRouterRef: {name: vr-${j}}`,
    );
  }
  for (let i = 0; i < 80; i++)
    docs.push(
      `apiVersion: appmesh.k8s.aws/v1beta2\nkind: VirtualNode\nmetadata:\n  name: vn-${i}\n  namespace: big\nspec:\n  podSelector:\n    matchLabels: {app: vn-${i}}\n  listeners:\n    - portMapping: {port: 80, protocol: http}\n  serviceDiscovery:\n    dns: {hostname: vn-${i}.big.svc.cluster.local}\n  backends:\n    - virtualService: {virtualServiceRef: {name: vs-${(i + 1) % 40}}}`,
    );
  return `${docs.join('\n---\n')}\n`;
}

describeWithPrograms(
  'the web console in Chromium',
  [CHROMIUM],
  (programs) => {
    let dir: string;
    let serve: ServeProcess;
    let big: ServeProcess;
    let browser: ConsoleBrowser;
    let grpcClient: grpc.Client;
    let envoy: SotwClient;
    let sdk: AppMeshClient;

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'amime-console-ui-'));
      mkdirSync(path.join(dir, 'big'));
      writeFileSync(path.join(dir, 'big', 'mesh.yaml'), bigMesh());
      [serve, big] = await Promise.all([
        startServe(['--data-dir', path.join(dir, 'data')]),
        startServe(['--from', path.join(dir, 'big')]),
      ]);
      sdk = new AppMeshClient({
        endpoint: serve.apiUrl,
        region: 'us-west-2',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummysecret' },
      });
      grpcClient = xdsClient(serve.xdsPort, VNODE_X, 'svc-v.mesh-test.svc.cluster.local');
      // Starts the channel, and so its xDS subscription.
      grpcClient.getChannel().getConnectivityState(true);
      browser = await openBrowser(programPath(programs, CHROMIUM));
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      grpcClient?.close();
      envoy?.close();
      sdk?.destroy();
      await Promise.all([serve?.stop(), big?.stop()]);
      rmSync(dir, { recursive: true, force: true });
    });

    const node = (id: string) => browser.page.locator(`g.node[data-id="${id}"]`);
    const edge = (from: string, to: string) =>
      browser.page.locator(`g.edge[data-from="${from}"][data-to="${to}"]`);

    it('lists the meshes, then draws mesh-1: gateway-v → svc-v → vrouter-1 → vnode-1/vnode-2 at 50/50, vnode-x with 1 connected proxy', async () => {
      const { page } = browser;
      await page.goto(`${serve.apiUrl}/ui/`);
      await page.locator('a', { hasText: 'mesh-1' }).first().waitFor();
      await browser.screenshot('meshes');
      await page.locator('main a', { hasText: 'mesh-1' }).click();
      await node('VirtualNode/vnode-x_mesh-test').waitFor();
      for (const [from, to] of [
        [
          'VirtualGateway/gateway-v_mesh-test',
          'GatewayRoute/gateway-v_mesh-test/gateway-v-route-v_mesh-test',
        ],
        ['GatewayRoute/gateway-v_mesh-test/gateway-v-route-v_mesh-test', 'VirtualService/svc-v.mesh-test'],
        ['VirtualService/svc-v.mesh-test', 'VirtualRouter/vrouter-1_mesh-test'],
        ['VirtualRouter/vrouter-1_mesh-test', 'Route/vrouter-1_mesh-test/route-1'],
      ])
        await expect(edge(from!, to!).count(), `${from} → ${to}`).resolves.toBe(1);
      for (const vn of ['vnode-1_mesh-test', 'vnode-2_mesh-test'])
        expect(
          await edge('Route/vrouter-1_mesh-test/route-1', `VirtualNode/${vn}`).getAttribute('data-label'),
        ).toBe('50%');
      await expect
        .poll(() => node('VirtualNode/vnode-x_mesh-test').textContent(), { timeout: 10_000 })
        .toContain('1 connected');
      expect(await node('VirtualNode/vnode-x_mesh-test').getAttribute('data-state')).toBe('synced');
      await browser.screenshot('mesh');
    });

    it('shows a weight change made through the REST API within 2 s, without a reload', async () => {
      const { page } = browser;
      await page.evaluate('window.stillHere = true');
      const started = Date.now();
      await setSeedWeights(sdk, 3, 1);
      await page
        .locator(
          'g.edge[data-from="Route/vrouter-1_mesh-test/route-1"][data-to="VirtualNode/vnode-1_mesh-test"][data-label="75%"]',
        )
        .waitFor({ timeout: 2000 });
      const ms = Date.now() - started;
      console.log(`weight change (UpdateRoute → 75% on the open page): ${ms} ms`);
      expect(ms).toBeLessThan(2000);
      expect(await page.evaluate('window.stillHere')).toBe(true);
    });

    it("turns a NACKing proxy's node red with Envoy's message, and lists it on top", async () => {
      envoy = new SotwClient(serve.xdsPort);
      envoy.send({
        type_url: TYPE_URL.Cluster,
        node: { id: VNODE_1, cluster: 'vnode-1', user_agent_name: 'envoy' },
      });
      envoy.ack(await envoy.next(10_000), []);
      envoy.send({ type_url: TYPE_URL.Listener });
      const lds = await envoy.next(10_000);
      envoy.nack(lds, '', NACK_TEXT, []);
      const vnode1 = node('VirtualNode/vnode-1_mesh-test');
      await expect.poll(() => vnode1.getAttribute('data-state'), { timeout: 5000 }).toBe('nacked');
      expect(await vnode1.textContent()).toContain(NACK_TEXT);
      const fill = await vnode1
        .locator('rect')
        .evaluate(
          (r) =>
            (globalThis as unknown as { getComputedStyle(e: unknown): { fill: string } }).getComputedStyle(r)
              .fill,
        );
      expect(fill).toBe('rgb(255, 235, 238)');
      expect(await browser.page.getByTestId('problems').textContent()).toContain(
        `${VNODE_1} rejected LDS: ${NACK_TEXT}`,
      );
      await browser.screenshot('mesh-nacked');
    });

    it('opens a resource: its manifest, its proxies, and the Envoy configuration they receive', async () => {
      const { page } = browser;
      await page.goto(`${serve.apiUrl}/ui/#/resource/mesh-1/VirtualNode/vnode-x_mesh-test`);
      await page.getByTestId('yaml').waitFor();
      expect(await page.getByTestId('yaml').textContent()).toContain('virtualServiceRef');
      expect(await page.getByTestId('proxies').textContent()).toContain('1 proxies connected');
      await page.getByPlaceholder('search the configuration').fill('weighted_clusters');
      await expect.poll(() => page.locator('.json .hit').count()).toBeGreaterThan(0);
      await browser.screenshot('resource');
    });

    it('renders a generated 200-node mesh in under 2 s, read-only under --from', async () => {
      const { page } = browser;
      const started = Date.now();
      await page.goto(`${big.apiUrl}/ui/#/mesh/mesh-big`);
      await page.locator('body[data-graph-nodes="200"]').waitFor({ timeout: 5000 });
      const ms = Date.now() - started;
      console.log(`200-node mesh: page load to drawn graph ${ms} ms`);
      expect(ms).toBeLessThan(2000);
      expect(await page.locator('g.node').count()).toBe(200);
      expect(await page.getByTestId('read-only').textContent()).toContain('--from');
      await browser.screenshot('mesh-200');
    });
  },
  { timeout: 60_000 },
);
