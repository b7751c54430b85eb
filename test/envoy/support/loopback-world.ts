/**
 * The seed world without network namespaces, for machines where the test cannot make
 * them (no root): App Mesh's redirection needs iptables inside a pod's namespace, so
 * there are no sidecars here. gateway-v runs as a standalone Envoy on the host's
 * loopback (its listener moved to a free port through the API, so it takes no port
 * anything else uses), in front of the apps of vnode-1 (instances a and b) and vnode-2,
 * which listen on loopback ports the endpoints file names. The test itself is the
 * client outside the mesh.
 */
import { mkdirSync } from 'node:fs';
import { freePorts } from '../../support/free-ports.js';
import path from 'node:path';
import { expect, vi } from 'vitest';
import type { ServeProcess } from '../../e2e/support/serve-process.js';
import { httpCalls } from '../apps/calls.js';
import { amimeBootstrap } from './bootstraps.js';
import { EnvoyProcess } from './envoy-process.js';
import type { MeshApi } from './mesh-api.js';
import { NODE_ID, serveScenarios } from './seed-world.js';
import { WorkloadApp, onHost } from './workload-client.js';

export interface LoopbackWorld {
  readonly serve: ServeProcess;
  readonly api: MeshApi;
  readonly gateway: EnvoyProcess;
  /** The gateway's listener port (App Mesh's 8088, moved). */
  readonly gatewayPort: number;
  readonly gatewayUrl: string;
  readonly apps: {
    readonly vnode1a: WorkloadApp;
    readonly vnode1b: WorkloadApp;
    readonly vnode2: WorkloadApp;
  };
  stop(): Promise<void>;
}

export async function startLoopbackWorld(envoy: string, dir: string): Promise<LoopbackWorld> {
  const stops: Array<() => Promise<unknown> | unknown> = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s();
  };
  try {
    const logs = path.join(dir, 'logs');
    mkdirSync(logs, { recursive: true });
    const [p1a, p1b, p2, gatewayPort] = (await freePorts(4)) as [number, number, number, number];
    const { serve, api } = await serveScenarios(
      dir,
      logs,
      {
        'vnode-1_mesh-test': [`127.0.0.1:${p1a}`, `127.0.0.1:${p1b}`],
        'vnode-2_mesh-test': [`127.0.0.1:${p2}`],
      },
      { grpc: false },
      stops,
    );
    await api.editVirtualGateway('gateway-v_mesh-test', (spec) => {
      spec.listeners![0]!.portMapping!.port = gatewayPort;
    });
    const backend = (instance: string, node: string, port: number) =>
      new WorkloadApp(onHost, `${node}${instance}`, dir, {
        role: 'backend',
        node,
        instance,
        httpPort: port,
        bind: '127.0.0.1',
      });
    const apps = {
      vnode1a: backend('a', 'vnode-1', p1a),
      vnode1b: backend('b', 'vnode-1', p1b),
      vnode2: backend('a', 'vnode-2', p2),
    };
    stops.push(() => Promise.all(Object.values(apps).map((a) => a.stop())));
    const gateway = new EnvoyProcess({
      envoy,
      bootstrap: amimeBootstrap(NODE_ID.gateway, `127.0.0.1:${serve.xdsPort}`),
      dir,
      name: 'envoy-gateway',
    });
    stops.push(() => gateway.stop());
    await vi.waitFor(() => Promise.all(Object.values(apps).map((a) => a.ready())), {
      timeout: 90_000,
      interval: 300,
    });
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    await vi.waitFor(
      async () => {
        const r = await httpCalls({ url: `${gatewayUrl}/ready`, count: 4 });
        expect(
          r.map((x) => x.status),
          gateway.log().slice(-2000),
        ).toEqual([200, 200, 200, 200]);
      },
      { timeout: 60_000, interval: 500 },
    );
    // Those answers came through the gateway, not from something else on its port.
    expect(await gateway.get('/listeners')).toContain(`0.0.0.0:${gatewayPort}`);
    expect(
      (await gateway.stats('^listener_manager.listener_create_failure$')).get(
        'listener_manager.listener_create_failure',
      ) ?? 0,
    ).toBe(0);
    return { serve, api, gateway, gatewayPort, gatewayUrl, apps, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
