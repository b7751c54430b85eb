/**
 * App Mesh's data path, loopback variant (issue 19, item 4): what runs without network
 * namespaces (no root), so that every machine checks traffic through a real Envoy.
 * Without namespaces there is no iptables redirection and so no sidecar: gateway-v,
 * a standalone Envoy on the host's loopback, routes the test's requests to the apps of
 * vnode-1 (two instances) and vnode-2 (support/loopback-world.ts). The full data path,
 * with sidecars, is data-path.test.ts (network namespaces).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { ENVOY, describeWithPrograms, programPath } from '../support/system-programs.js';
import { httpCalls, type CallResult } from './apps/calls.js';
import { startLoopbackWorld, type LoopbackWorld } from './support/loopback-world.js';
import {
  allWeights,
  byNode,
  defaultAccessLogLine,
  expectTimedOut,
  fourSigma,
  startEarly,
  stat,
  tally,
} from './support/traffic.js';

const CLUSTER_1 = 'cds_egress_mesh-1_vnode-1_mesh-test_http_80';
const CLUSTER_2 = 'cds_egress_mesh-1_vnode-2_mesh-test_http_80';
const figures: string[] = [];

describeWithPrograms(
  'App Mesh data path through a real Envoy, loopback variant (gateway-v only)',
  [ENVOY],
  (programs) => {
    const envoy = programPath(programs, ENVOY);
    let world: LoopbackWorld;
    let dir: string;
    let slowDefault: Promise<CallResult | undefined>;
    const get = (p: string, more: Partial<Parameters<typeof httpCalls>[0]> = {}) =>
      httpCalls({ url: `${world.gatewayUrl}${p}`, ...more });

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'amime-envoy-loopback-'));
      world = await startLoopbackWorld(envoy, dir);
      slowDefault = startEarly(() => get('/slow?delay=17000', { timeoutMs: 40_000 }));
    }, 180_000);
    afterAll(async () => {
      console.log(
        `data path with envoy ${programs.get(ENVOY)?.version}, loopback variant:\n  ${figures.join('\n  ')}`,
      );
      await world?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('splits 50/50 between vnode-1 and vnode-2', async () => {
      const by = tally(await get('/split', { count: 400, concurrency: 8 }), byNode);
      figures.push(`50/50 split: ${JSON.stringify(by)}`);
      expect((by['200 vnode-1'] ?? 0) + (by['200 vnode-2'] ?? 0)).toBe(400);
      expect(Math.abs(by['200 vnode-1']! - 200)).toBeLessThanOrEqual(fourSigma(400, 1 / 2));
    });

    it('follows a weight change made through the App Mesh API (3:1)', async () => {
      await world.api.editRoute('vrouter-1_mesh-test', 'route-1', (spec) => {
        for (const t of spec.httpRoute!.action!.weightedTargets!)
          t.weight = t.virtualNode === 'vnode-1_mesh-test' ? 3 : 1;
      });
      await vi.waitFor(
        async () =>
          expect(await allWeights(world.gateway)).toContainEqual({ [CLUSTER_1]: 75, [CLUSTER_2]: 25 }),
        { timeout: 30_000, interval: 25 },
      );
      const by = tally(await get('/weights', { count: 400, concurrency: 8 }), byNode);
      figures.push(`3:1: ${JSON.stringify(by)}`);
      expect(Math.abs(by['200 vnode-1']! - 300)).toBeLessThanOrEqual(fourSigma(400, 3 / 4));
    });

    it('routes on a header (x-canary: yes → vnode-2 only)', async () => {
      const by = tally(
        await get('/canary', { headers: { 'x-canary': 'yes' }, count: 60, concurrency: 4 }),
        byNode,
      );
      expect(by).toEqual({ '200 vnode-2': 60 });
    });

    it('retries per the route retry policy: the backend fails twice, then answers', async () => {
      await world.apps.vnode2.behave({ failNext: { '/retry': 2 }, failStatus: 503 });
      const [r] = await get('/retry');
      const attempts = (await world.apps.vnode2.seen())
        .filter((s) => s.path === '/retry')
        .map((s) => s.status);
      figures.push(`retry: backend saw ${JSON.stringify(attempts)}, answered ${r!.status}`);
      expect(r!.status).toBe(200);
      expect(attempts).toEqual([503, 503, 200]);
      expect(await stat(world.gateway, `cluster.${CLUSTER_2}.upstream_rq_retry`)).toBe(2);
    });

    it('times out after a 1 s route timeout (504)', async () => {
      const [fast] = await get('/fast?delay=4000');
      expectTimedOut(fast, 1_000);
    });

    it('ejects a failing instance (outlier detection: 3 server errors)', async () => {
      await world.apps.vnode1b.behave({ failAll: 500 });
      const r = await get('/one', { count: 30 });
      await world.apps.vnode1b.behave({ failAll: 0 });
      const statuses = r.map((x) => `${x.status} ${x.instance}`);
      figures.push(`outlier detection: ${JSON.stringify(tally(r, (x) => `${x.status} ${x.instance}`))}`);
      expect(statuses.filter((s) => s === '500 b')).toHaveLength(3);
      expect(statuses.slice(-20)).toEqual(Array(20).fill('200 a'));
      expect(
        await stat(
          world.gateway,
          `cluster.${CLUSTER_1}.outlier_detection.ejections_enforced_consecutive_5xx`,
        ),
      ).toBe(1);
    });

    it('logs in Envoy’s default format and counts under App Mesh’s stat names', async () => {
      await vi.waitFor(
        () => expect(world.gateway.log()).toMatch(defaultAccessLogLine('/split', '127\\.0\\.0\\.1:\\d+')),
        {
          timeout: 15_000,
          interval: 250,
        },
      );
      for (const name of [
        'http.ingress.downstream_rq_total',
        `listener.0.0.0.0_${world.gatewayPort}.downstream_cx_total`,
        `cluster.${CLUSTER_1}.upstream_rq_200`,
        `cluster.${CLUSTER_2}.upstream_rq_200`,
      ])
        expect((await stat(world.gateway, name)) ?? 0, name).toBeGreaterThan(0);
    });

    it('times out after the 15 s default (504)', { timeout: 60_000 }, async () => {
      const late = await slowDefault;
      figures.push(`default timeout → ${late?.status} after ${Math.round(late?.ms ?? 0)} ms`);
      expectTimedOut(late, 15_000);
    });
  },
);
