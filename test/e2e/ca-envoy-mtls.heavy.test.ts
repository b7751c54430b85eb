/**
 * Issue 10 with a real Envoy: `amime serve` on the seed mesh with the mesh mTLS switch
 * (REST API tag amime.io/mtls=STRICT), and vnode-1's sidecar a real Envoy bootstrapped
 * as `amime bootstrap` writes it. Envoy gets its certificate and the trust bundle over
 * SDS on its ADS stream and terminates mTLS on its ingress listener: a client holding
 * what vnode-x received (over ADS, as vnode-x) reaches vnode-1's app through it; one
 * holding another mesh's certificate, and one in plaintext, do not.
 *
 * The Envoy and the probe (app + clients, test/e2e/support/mtls-probe.mjs) run in a
 * network namespace of their own. Envoy's ingress listener matches the original
 * destination port (80), as App Mesh's does behind proxy-init's redirection: one nat
 * rule there sends the probe's connections to 127.0.0.2:80 into it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { TYPE_URL } from '../../src/xds/index.js';
import { ENVOY, describeWithPrograms, programPath } from '../support/system-programs.js';
import { amimeBootstrap } from '../envoy/support/bootstraps.js';
import { EnvoyProcess, dumpedNames } from '../envoy/support/envoy-process.js';
import { NetLab, netnsSupport, sweepStaleNamespaces } from '../envoy/support/netns.js';
import { unixBridge, type UnixBridge } from '../envoy/support/unix-bridge.js';
import { SotwClient, type SotwResponse } from './support/ads-test-client.js';
import { secretMaterial, type ProxyTls } from './support/mesh-tls.js';
import { OTHER_MESH_NODE, turnOnMeshMtls } from './support/mesh-mtls-setup.js';
import { startServe, type ServeProcess } from './support/serve-process.js';

const VNODE_1 = 'mesh/mesh-1/virtualNode/vnode-1_mesh-test';
const VNODE_X = 'mesh/mesh-1/virtualNode/vnode-x_mesh-test';
const OTHER = OTHER_MESH_NODE;
const TRUST = 'amime-ca-trust-bundle';
const certName = (group: string) => `amime-ca-certificate:${group}`;
const PROBE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support/mtls-probe.mjs');
const INGRESS_PORT = 15000;
const APP_PORT = 80;
/** Where the probe dials vnode-1's service port; redirected to Envoy's ingress. */
const SERVICE_ADDRESS = '127.0.0.2';
const APP_SAYS = 'hello from the app behind the sidecar';

interface ProbeResult {
  handshake?: boolean;
  response?: string;
  error?: string;
}

/** What `group`'s proxy receives over SDS on its ADS stream (SotW). */
async function received(xdsPort: number, group: string): Promise<ProxyTls> {
  const c = new SotwClient(xdsPort);
  try {
    c.send({
      type_url: TYPE_URL.Secret,
      node: { id: group, cluster: group.split('/').pop()!, user_agent_name: 'envoy' },
      resource_names: [certName(group), TRUST],
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r: SotwResponse = await c.next(Math.max(1, deadline - Date.now()));
      c.ack(r);
      const m = secretMaterial(r.resources);
      const cert = m.get(certName(group));
      const ca = m.get(TRUST)?.ca;
      if (cert?.chain && cert.key && ca)
        return { certificateChain: cert.chain, privateKey: cert.key, trustBundle: ca };
    }
  } finally {
    c.close();
  }
}

describeWithPrograms(
  'the built-in CA with a real Envoy: mTLS over SDS from amime serve',
  [ENVOY],
  (programs) => {
    const envoyPath = programPath(programs, ENVOY);
    let dir: string;
    let serve: ServeProcess;
    let bridge: UnixBridge;
    let lab: NetLab;
    let envoy: EnvoyProcess;
    const inLab = (command: string, args: readonly string[], logFile: string) =>
      lab.spawn(lab.workload('vnode-1'), command, args, { logFile });

    /** Runs the probe in vnode-1's namespace with what each group's proxy received over SDS. */
    async function probe(clients: Record<string, string>): Promise<Record<string, ProbeResult>> {
      const material = await Promise.all(
        Object.entries(clients).map(async ([name, group]) => {
          const t = await received(serve.xdsPort, group);
          return [name, { cert: t.certificateChain, key: t.privateKey, ca: t.trustBundle }] as const;
        }),
      );
      const configFile = path.join(dir, 'probe.json');
      const resultFile = path.join(dir, 'probe-result.json');
      const log = path.join(dir, 'probe.log');
      rmSync(resultFile, { force: true });
      writeFileSync(
        configFile,
        JSON.stringify({
          appPort: APP_PORT,
          address: SERVICE_ADDRESS,
          port: APP_PORT,
          host: 'svc-1.mesh-test.svc.cluster.local',
          expectedServerUri: 'spiffe://amime.local/mesh/mesh-1/virtualNode/vnode-1_mesh-test',
          clients: Object.fromEntries(material),
        }),
      );
      const child = inLab(process.execPath, [PROBE, configFile, resultFile], log);
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, readFileSync(log, 'utf8')).toBe(0);
      return JSON.parse(readFileSync(resultFile, 'utf8')) as Record<string, ProbeResult>;
    }

    /** The id of the ADS stream `group`'s proxy holds now (client status). */
    async function streamOf(group: string): Promise<number | undefined> {
      const status = (await (await fetch(`${serve.apiUrl}/debug/proxies`)).json()) as {
        proxies: Array<{ nodeId: string; streamId: number }>;
      };
      return status.proxies.find((p) => p.nodeId === group)?.streamId;
    }

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'amime-ca-envoy-'));
      serve = await startServe([
        '--data-dir',
        path.join(dir, 'data'),
        // 60 s certificates renewed at a tenth of their lifetime: a new one every 6 s, and a
        // certificate the probe fetched stays valid for the probe's run however slow the machine.
        ...['--workload-cert-lifetime', '60s', '--workload-cert-renew-at', '0.1'],
        ...['--log-level', 'warn'],
      ]);
      await turnOnMeshMtls(serve.apiUrl);
      sweepStaleNamespaces();
      bridge = await unixBridge(path.join(dir, 'xds.sock'), serve.xdsPort);
      lab = NetLab.isolated(['vnode-1']);
      execFileSync('nsenter', [
        `--net=/run/netns/${lab.workload('vnode-1').ns}`,
        ...['iptables', '-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '-d', SERVICE_ADDRESS],
        ...['--dport', String(APP_PORT), '-j', 'REDIRECT', '--to-ports', String(INGRESS_PORT)],
      ]);
      envoy = new EnvoyProcess({
        envoy: envoyPath,
        bootstrap: amimeBootstrap(VNODE_1, `unix://${bridge.path}`),
        dir,
        name: 'vnode-1',
        launch: inLab,
      });
    }, 120_000);

    afterAll(async () => {
      await envoy?.stop();
      await lab?.destroy();
      await bridge?.close();
      await serve?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("Envoy holds its certificate and the trust bundle from SDS; vnode-x's certificate gets through its ingress, another mesh's and plaintext do not", async () => {
      // Envoy warms the ingress listener only once both secrets arrived over ADS.
      await vi.waitFor(
        async () => {
          const held = dumpedNames(await envoy.configDump('?include_eds'));
          expect(held.secrets).toEqual(expect.arrayContaining([certName(VNODE_1), TRUST]));
          const listeners = await envoy.stats('listener_manager\\.total_listeners_active');
          expect(listeners.get('listener_manager.total_listeners_active')).toBeGreaterThanOrEqual(2);
        },
        { timeout: 60_000, interval: 250 },
      );
      const results = await probe({ vnodeX: VNODE_X, otherMesh: OTHER });
      expect(results.vnodeX?.handshake, JSON.stringify(results.vnodeX)).toBe(true);
      expect(results.vnodeX?.response).toMatch(/^HTTP\/1\.1 200/);
      expect(results.vnodeX?.response).toContain(APP_SAYS);
      // Another mesh's certificate chains to the same root but its SPIFFE ID is not one of mesh-1's.
      expect(results.otherMesh?.response ?? '').not.toContain(APP_SAYS);
      expect(results.plaintext?.response ?? '').not.toContain(APP_SAYS);
      // Envoy accepted everything served: listeners, clusters, routes and the SDS secrets.
      const rejected = await envoy.stats('update_rejected$');
      expect([...rejected.keys()].some((k) => k.startsWith('sds.'))).toBe(true);
      expect([...rejected].filter(([, v]) => v > 0)).toEqual([]);
      const ssl = await envoy.stats(`^listener\\.0\\.0\\.0\\.0_${INGRESS_PORT}\\.ssl\\.`);
      expect(ssl.get(`listener.0.0.0.0_${INGRESS_PORT}.ssl.handshake`)).toBeGreaterThanOrEqual(1);
      // Envoy itself refused the other mesh's workload: its SPIFFE ID fails the listener's SAN matchers.
      expect(ssl.get(`listener.0.0.0.0_${INGRESS_PORT}.ssl.fail_verify_san`)).toBeGreaterThanOrEqual(1);
      console.log(
        `envoy ${programs.get(ENVOY)?.version}, ingress TLS stats: ${JSON.stringify(Object.fromEntries([...ssl].filter(([, v]) => v > 0)))}`,
      );
    }, 120_000);

    it('renewal: Envoy gets its next certificate over SDS on the same stream, and mTLS keeps working with it', async () => {
      const expiry = `listener.0.0.0.0_${INGRESS_PORT}.ssl.certificate.${certName(VNODE_1)}.expiration_unix_time_seconds`;
      const before = (await envoy.stats(`^${expiry.replaceAll('.', '\\.')}$`)).get(expiry);
      const streamBefore = await streamOf(VNODE_1);
      expect(before).toBeGreaterThan(0);
      // Renewed every 6 s (see beforeAll).
      await vi.waitFor(
        async () => {
          const now = (await envoy.stats(`^${expiry.replaceAll('.', '\\.')}$`)).get(expiry);
          expect(now).toBeGreaterThan(before!);
        },
        { timeout: 60_000, interval: 500 },
      );
      expect(await streamOf(VNODE_1)).toBe(streamBefore);
      const results = await probe({ vnodeX: VNODE_X });
      expect(results.vnodeX?.response, JSON.stringify(results.vnodeX)).toContain(APP_SAYS);
    }, 90_000);
  },
  // Root, iproute2, iptables and nsenter: Envoy and the probe run in a network namespace of their own.
  { requires: [netnsSupport()] },
);
