/**
 * The seed mesh, running: `amime serve` (memory store, so the seed is loaded) on the
 * host's loopback, and in a lab of network namespaces one namespace per workload —
 * vnode-1 (two instances, a and b), vnode-2, the caller vnode-x, each an app plus an
 * Envoy sidecar (uid 1337) behind App Mesh's iptables redirection, and gateway-v, a
 * standalone Envoy on 8088 — plus the hub, where a client outside the mesh calls the
 * gateway and a server outside the mesh answers on 10.77.0.1:9000.
 *
 * On top of the seed, through the App Mesh API as a user would add them: routes on
 * vrouter-1 for the scenarios (header match, retry, timeouts, …), a gRPC service
 * svc-g split over vnode-1 and vnode-2, vnode-1's health check and outlier detection,
 * access logs in JSON (vnode-x) and text (vnode-2).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, vi } from 'vitest';
import {
  DEFAULT_EGRESS_IGNORED_PORTS,
  DEFAULT_INJECTOR_CONFIG,
  PROXY_EGRESS_PORT,
  PROXY_INGRESS_PORT,
  PROXY_UID,
} from '../../../src/k8s/inject/config.js';
import { startServe, type ServeProcess } from '../../e2e/support/serve-process.js';
import { amimeBootstrap } from './bootstraps.js';
import { envoyRunnableBy } from './envoy-binary.js';
import { EnvoyProcess } from './envoy-process.js';
import { MeshApi } from './mesh-api.js';
import { HUB_IP, NetLab, SERVICE_IP_PREFIX, sweepStaleNamespaces } from './netns.js';
import { unixBridge, type UnixBridge } from './unix-bridge.js';
import { WorkloadApp, inWorkload, type AppOptions } from './workload-client.js';

export const MESH = 'mesh-1';
export const SVC_V = 'svc-v.mesh-test.svc.cluster.local';
/** What the app connects to for svc-v ("its ClusterIP"); Envoy routes by Host, as App Mesh did. */
export const SVC_V_URL = `http://${SERVICE_IP_PREFIX}.80:80`;
export const SVC_G = 'svc-g.mesh-test';
export const SVC_G_TARGET = `${SERVICE_IP_PREFIX}.81:50051`;
export const EXTERNAL_URL = `http://${HUB_IP}:9000/`;
/** Port 22 outside the mesh: App Mesh's rules never send it to Envoy (APPMESH_EGRESS_IGNORED_PORTS). */
export const EXTERNAL_IGNORED_PORT_URL = `http://${HUB_IP}:22/`;

export const NODE_ID = {
  vnode1: 'mesh/mesh-1/virtualNode/vnode-1_mesh-test',
  vnode2: 'mesh/mesh-1/virtualNode/vnode-2_mesh-test',
  vnodeX: 'mesh/mesh-1/virtualNode/vnode-x_mesh-test',
  gateway: 'mesh/mesh-1/virtualGateway/gateway-v_mesh-test',
} as const;

type Name = 'vnode-1a' | 'vnode-1b' | 'vnode-2' | 'vnode-x' | 'gateway';
const NODE_ID_OF: Record<Name, string> = {
  'vnode-1a': NODE_ID.vnode1,
  'vnode-1b': NODE_ID.vnode1,
  'vnode-2': NODE_ID.vnode2,
  'vnode-x': NODE_ID.vnodeX,
  gateway: NODE_ID.gateway,
};
const WORKLOADS: readonly Name[] = ['vnode-1a', 'vnode-1b', 'vnode-2', 'vnode-x', 'gateway'];

export interface SeedWorld {
  readonly dir: string;
  readonly lab: NetLab;
  readonly serve: ServeProcess;
  readonly api: MeshApi;
  readonly envoys: Record<Name, EnvoyProcess>;
  readonly apps: {
    readonly vnode1a: WorkloadApp;
    readonly vnode1b: WorkloadApp;
    readonly vnode2: WorkloadApp;
    /** The app of vnode-x: its requests go through vnode-x's sidecar. */
    readonly caller: WorkloadApp;
    /** In the hub, outside the mesh: calls the gateway; serves EXTERNAL_URL. */
    readonly edge: WorkloadApp;
  };
  readonly logs: string;
  /** The gateway's address as the load balancer in front of it would use. */
  readonly gatewayUrl: string;
  /**
   * Stops a workload's Envoy and starts a fresh one with the same bootstrap (in its own
   * folder), live again when this resolves; `envoys[n]` is then the new one. Its first
   * health checks run now, instead of Envoy's no_traffic_interval (60 s) after the last.
   */
  restartSidecar(n: Name): Promise<EnvoyProcess>;
  stop(): Promise<void>;
}

export async function startSeedWorld(envoyFound: string, version: string, dir: string): Promise<SeedWorld> {
  const envoy = await envoyRunnableBy(envoyFound, PROXY_UID, version);
  sweepStaleNamespaces();
  const logs = path.join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  // Envoys run as uid 1337: they must reach their folders under `dir` and write the access logs.
  chmodSync(dir, 0o755);
  chmodSync(logs, 0o777);
  const lab = NetLab.create(WORKLOADS);
  const stops: Array<() => Promise<unknown> | unknown> = [() => lab.destroy()];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s();
  };
  try {
    const w = (n: Name) => lab.workload(n);
    // Where vnode-1 and vnode-2 run, as EndpointSlices would say on Kubernetes.
    // No port: each listener's own (80 for HTTP, 50051 for gRPC).
    const { serve, api } = await serveScenarios(
      dir,
      logs,
      { 'vnode-1_mesh-test': [w('vnode-1a').ip, w('vnode-1b').ip], 'vnode-2_mesh-test': [w('vnode-2').ip] },
      { grpc: true },
      stops,
    );

    const bridge: UnixBridge = await unixBridge(path.join(dir, 'xds.sock'), serve.xdsPort);
    stops.push(() => bridge.close());

    for (const n of ['vnode-1a', 'vnode-1b', 'vnode-2'] as const)
      lab.proxyInit(w(n), proxyInitEnv('80,50051'));
    lab.proxyInit(w('vnode-x'), proxyInitEnv('0'));

    const app = (n: Name, o: AppOptions) => new WorkloadApp(inWorkload(lab, w(n)), n, dir, o);
    const apps = {
      vnode1a: app('vnode-1a', backend('vnode-1', 'a')),
      vnode1b: app('vnode-1b', backend('vnode-1', 'b')),
      vnode2: app('vnode-2', backend('vnode-2', 'a')),
      caller: app('vnode-x', { role: 'caller' }),
      // Outside the mesh: 9000, and 22, a port App Mesh's rules never redirect.
      edge: new WorkloadApp(inWorkload(lab, lab.hub), 'hub', dir, {
        role: 'caller',
        external: `${HUB_IP}:9000,${HUB_IP}:22`,
      }),
    };
    const sidecar = (n: Name, nodeId: string, name = `envoy-${n}`) =>
      new EnvoyProcess({
        envoy,
        bootstrap: amimeBootstrap(nodeId, `unix://${bridge.path}`),
        dir,
        name,
        launch: (command, args, logFile) => lab.spawn(w(n), command, args, { uid: PROXY_UID, logFile }),
      });
    const live = async (n: string, e: EnvoyProcess) =>
      vi.waitFor(
        async () => {
          const s = await e
            .stats(
              '^(server.state|control_plane.connected_state|listener_manager.total_listeners_(active|warming))$',
            )
            .catch((err: Error) => {
              throw new Error(`${n}: ${err.message}\n${e.log().slice(-3000)}`);
            });
          expect(
            [
              s.get('server.state'),
              s.get('control_plane.connected_state'),
              (s.get('listener_manager.total_listeners_active') ?? 0) > 0,
              s.get('listener_manager.total_listeners_warming'),
            ],
            `${n}\n${e.log().slice(-2000)}`,
          ).toEqual([0, 1, true, 0]);
        },
        { timeout: 60_000, interval: 250 },
      );
    await vi.waitFor(() => Promise.all(Object.values(apps).map((a) => a.ready())), {
      timeout: 90_000,
      interval: 300,
    });
    // The targets' sidecars first: callers health-check them (as App Mesh's did) as soon as
    // they learn of them, and a failed first check is retried only after Envoy's
    // no_traffic_interval (60 s).
    const targets = {
      'vnode-1a': sidecar('vnode-1a', NODE_ID.vnode1),
      'vnode-1b': sidecar('vnode-1b', NODE_ID.vnode1),
      'vnode-2': sidecar('vnode-2', NODE_ID.vnode2),
    };
    for (const [n, e] of Object.entries(targets)) await live(n, e);
    let restarts = 0;
    const envoys: Record<Name, EnvoyProcess> = {
      ...targets,
      'vnode-x': sidecar('vnode-x', NODE_ID.vnodeX),
      gateway: sidecar('gateway', NODE_ID.gateway),
    };
    await live('vnode-x', envoys['vnode-x']);
    await live('gateway', envoys.gateway);
    // Through the mesh once: the caller's Envoy knows svc-v and reaches both nodes.
    await vi.waitFor(
      async () => {
        const r = await apps.caller.http({
          url: `${SVC_V_URL}/ready`,
          host: SVC_V,
          count: 8,
          concurrency: 2,
        });
        expect(r.map((x) => x.status)).toEqual(Array(8).fill(200));
      },
      { timeout: 30_000, interval: 500 },
    );
    return {
      dir,
      lab,
      serve,
      api,
      envoys,
      apps,
      logs,
      gatewayUrl: `http://${w('gateway').ip}:8088`,
      restartSidecar: async (n) => {
        await envoys[n].stop();
        const fresh = sidecar(n, NODE_ID_OF[n], `envoy-${n}-${++restarts}`);
        envoys[n] = fresh;
        await live(n, fresh);
        return fresh;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * The `proxyinit` container's variables as the sidecar injector sets them
 * (src/k8s/inject/sidecar.ts, after App Mesh's controller pkg/inject/proxy.go and
 * init_proxy.go): app ports = the virtual node's listener ports, "0" when it has none.
 */
function proxyInitEnv(appPorts: string): Record<string, string> {
  return {
    APPMESH_START_ENABLED: '1',
    APPMESH_IGNORE_UID: String(PROXY_UID),
    APPMESH_ENVOY_INGRESS_PORT: String(PROXY_INGRESS_PORT),
    APPMESH_ENVOY_EGRESS_PORT: String(PROXY_EGRESS_PORT),
    APPMESH_APP_PORTS: appPorts,
    APPMESH_EGRESS_IGNORED_IP: DEFAULT_INJECTOR_CONFIG.ignoredIPs,
    APPMESH_EGRESS_IGNORED_PORTS: DEFAULT_EGRESS_IGNORED_PORTS,
    APPMESH_ENABLE_IPV6: '1',
  };
}

function backend(node: string, instance: string) {
  return { role: 'backend' as const, node, instance, httpPort: 80, grpcPort: 50051 };
}

const ms = (value: number) => ({ unit: 'ms' as const, value });
/** vnode-1 and vnode-2 get a second listener (gRPC): App Mesh then wants a port on every target. */
const target = (node: string, port = 80, weight = 1) => ({ virtualNode: `${node}_mesh-test`, weight, port });

/**
 * `amime serve` (memory store, so the seed is loaded) with `endpoints` per virtual node
 * of mesh-1 (`ip` or `ip:port`), fast debounce, and the scenario resources; its
 * stopping is pushed onto `stops`.
 */
export async function serveScenarios(
  dir: string,
  logs: string,
  endpoints: Record<string, readonly string[]>,
  options: { grpc: boolean },
  stops: Array<() => Promise<unknown> | unknown>,
): Promise<{ serve: ServeProcess; api: MeshApi }> {
  const endpointsFile = path.join(dir, 'endpoints.yaml');
  const virtualNodes = Object.fromEntries(
    Object.entries(endpoints).map(([vn, list]) => [`${MESH}/${vn}`, list]),
  );
  writeFileSync(endpointsFile, JSON.stringify({ virtualNodes }));
  const serve = await startServe(
    [
      '--store',
      'memory',
      '--endpoints-file',
      endpointsFile,
      '--debounce-quiet-ms',
      '20',
      '--debounce-max-ms',
      '200',
    ],
    { timeoutMs: 90_000 },
  );
  stops.push(() => serve.stop());
  const api = new MeshApi(serve.apiUrl, MESH);
  stops.push(() => api.close());
  await addScenarioResources(api, logs, options);
  return { serve, api };
}

/**
 * What the scenarios need on top of the seed, added through the App Mesh API; `grpc`:
 * also a gRPC listener on vnode-1 and vnode-2 and the service svc-g over them.
 */
export async function addScenarioResources(api: MeshApi, logs: string, { grpc = true } = {}): Promise<void> {
  const grpcListener = grpc ? [{ portMapping: { port: 50051, protocol: 'grpc' as const } }] : [];
  await api.editRoute('vrouter-1_mesh-test', 'route-1', (spec) => {
    for (const t of spec.httpRoute!.action!.weightedTargets!) t.port = 80;
  });
  const router = 'vrouter-1_mesh-test';
  const only = (node: string) => ({ weightedTargets: [target(node)] });
  await api.createRoute(router, 'canary', {
    priority: 1,
    httpRoute: {
      match: { prefix: '/', headers: [{ name: 'x-canary', match: { exact: 'yes' } }] },
      action: only('vnode-2'),
    },
  });
  await api.createRoute(router, 'retry', {
    priority: 2,
    httpRoute: {
      match: { prefix: '/retry' },
      action: only('vnode-2'),
      retryPolicy: { maxRetries: 3, perRetryTimeout: ms(5000), httpRetryEvents: ['server-error'] },
    },
  });
  await api.createRoute(router, 'fast', {
    priority: 2,
    httpRoute: { match: { prefix: '/fast' }, action: only('vnode-2'), timeout: { perRequest: ms(1000) } },
  });
  for (const [name, prefix, node] of [
    ['slow', '/slow', 'vnode-2'],
    ['flaky', '/flaky', 'vnode-2'],
    ['one', '/one', 'vnode-1'],
  ] as const)
    await api.createRoute(router, name, {
      priority: 2,
      httpRoute: { match: { prefix }, action: only(node) },
    });
  await api.editVirtualNode('vnode-1_mesh-test', (spec) => {
    spec.listeners = [
      {
        portMapping: { port: 80, protocol: 'http' },
        healthCheck: {
          protocol: 'http',
          path: '/ping',
          intervalMillis: 5000,
          timeoutMillis: 2000,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
        },
        outlierDetection: {
          maxServerErrors: 3,
          maxEjectionPercent: 50,
          interval: ms(1000),
          // Short, so the health-check scenario after the outlier one finds b back in rotation.
          baseEjectionDuration: ms(10_000),
        },
      },
      ...grpcListener,
    ];
  });
  await api.editVirtualNode('vnode-2_mesh-test', (spec) => {
    spec.listeners = [{ portMapping: { port: 80, protocol: 'http' } }, ...grpcListener];
    spec.logging = {
      accessLog: {
        file: {
          path: path.join(logs, 'vnode-2.log'),
          format: { text: '%REQ(:METHOD)% %REQ(:PATH)% -> %RESPONSE_CODE%' },
        },
      },
    };
  });
  if (!grpc) return;
  await api.createVirtualRouter('vrouter-g_mesh-test', {
    listeners: [{ portMapping: { port: 50051, protocol: 'grpc' } }],
  });
  await api.createRoute('vrouter-g_mesh-test', 'route-g', {
    grpcRoute: {
      match: { serviceName: 'amime.test.WhoAmI' },
      action: { weightedTargets: [target('vnode-1', 50051), target('vnode-2', 50051)] },
    },
  });
  await api.createVirtualService(SVC_G, {
    provider: { virtualRouter: { virtualRouterName: 'vrouter-g_mesh-test' } },
  });
  await api.editVirtualNode('vnode-x_mesh-test', (spec) => {
    spec.backends = [...(spec.backends ?? []), { virtualService: { virtualServiceName: SVC_G } }];
    spec.logging = {
      accessLog: {
        file: {
          path: path.join(logs, 'vnode-x.json'),
          format: {
            json: [
              { key: 'path', value: '%REQ(:PATH)%' },
              { key: 'code', value: '%RESPONSE_CODE%' },
              { key: 'cluster', value: '%UPSTREAM_CLUSTER%' },
            ],
          },
        },
      },
    };
  });
}
