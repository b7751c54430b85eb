/**
 * What App Mesh users' dashboards and alerts read, and what App Mesh did that Amime does
 * not do yet, as tables the data-path test walks after its traffic. Evidence ids
 * (S1…S23) are those of docs/reference/appmesh-observed.md.
 */
import type { SeedWorld } from './seed-world.js';
import { SVC_V, SVC_V_URL } from './seed-world.js';

type EnvoyName = keyof SeedWorld['envoys'];

export interface StatRow {
  readonly envoy: EnvoyName;
  readonly stat: string;
  readonly atLeast: number;
  readonly evidence: string;
}

const egress1 = 'cluster.cds_egress_mesh-1_vnode-1_mesh-test_http_80';
const egress2 = 'cluster.cds_egress_mesh-1_vnode-2_mesh-test_http_80';

/** Stat names App Mesh's Envoys had, present after the scenarios' traffic. */
export const STATS_ROWS: readonly StatRow[] = [
  // Caller sidecar: egress clusters per target node, listener and HCM on 15001.
  {
    envoy: 'vnode-x',
    stat: `${egress1}.upstream_rq_200`,
    atLeast: 1,
    evidence: 'S2 cds_egress_<mesh>_<vn>_<proto>_<port>',
  },
  { envoy: 'vnode-x', stat: `${egress2}.upstream_rq_total`, atLeast: 1, evidence: 'S2, S8, S9' },
  {
    envoy: 'vnode-x',
    stat: `${egress2}.upstream_rq_retry`,
    atLeast: 2,
    evidence: 'S2 (retries counted on the target cluster)',
  },
  {
    envoy: 'vnode-x',
    stat: `${egress1}.outlier_detection.ejections_enforced_total`,
    atLeast: 1,
    evidence: 'S11 (outlier stats on the caller)',
  },
  {
    envoy: 'vnode-x',
    stat: 'cluster.cds_egress_mesh-1_vnode-1_mesh-test_grpc_50051.upstream_rq_total',
    atLeast: 1,
    evidence: 'S8 (gRPC target cluster)',
  },
  {
    envoy: 'vnode-x',
    stat: 'http.egress.downstream_rq_total',
    atLeast: 1,
    evidence: 'S1 (HCM stat prefix egress)',
  },
  {
    envoy: 'vnode-x',
    stat: 'listener.0.0.0.0_15001.downstream_cx_total',
    atLeast: 1,
    evidence: 'S2 (listener stats by address)',
  },
  {
    envoy: 'vnode-x',
    stat: 'listener_manager.lds.update_success',
    atLeast: 1,
    evidence: 'appmesh.md §4.1 health metrics',
  },
  {
    envoy: 'vnode-x',
    stat: 'control_plane.connected_state',
    atLeast: 1,
    evidence: 'appmesh.md §4.1 health metrics',
  },
  // Target sidecar: two listeners, so the stat prefix is ingress.<protocol>.<port>.
  {
    envoy: 'vnode-1a',
    stat: 'http.ingress.http.80.downstream_rq_total',
    atLeast: 1,
    evidence: 'S3 (multi-listener prefix)',
  },
  { envoy: 'vnode-1a', stat: 'http.ingress.grpc.50051.downstream_rq_total', atLeast: 1, evidence: 'S3' },
  { envoy: 'vnode-1a', stat: 'listener.0.0.0.0_15000.downstream_cx_total', atLeast: 1, evidence: 'S2, S10' },
  {
    envoy: 'vnode-1a',
    stat: 'cluster.cds_ingress_mesh-1_vnode-1_mesh-test_http_80.upstream_rq_total',
    atLeast: 1,
    evidence: 'S12, S13',
  },
  {
    envoy: 'vnode-1a',
    stat: 'cluster.cds_ingress_mesh-1_vnode-1_mesh-test_grpc_50051.upstream_rq_total',
    atLeast: 1,
    evidence: 'S12, S13',
  },
  {
    envoy: 'vnode-2',
    stat: 'cluster.cds_ingress_mesh-1_vnode-2_mesh-test_http_80.upstream_rq_5xx',
    atLeast: 2,
    evidence: 'S12',
  },
  // Gateway: one listener, so `http.ingress.*`; its listener on 8088.
  {
    envoy: 'gateway',
    stat: 'http.ingress.downstream_rq_total',
    atLeast: 1,
    evidence: 'S1, S12 (http.ingress.*)',
  },
  {
    envoy: 'gateway',
    stat: 'listener.0.0.0.0_8088.downstream_cx_total',
    atLeast: 1,
    evidence: 'S1 (lds_ingress_0.0.0.0_8088)',
  },
];

export interface Issue9Row {
  readonly what: string;
  readonly evidence: string;
  /** What App Mesh did: the assertion to make once issue 9 lands. */
  readonly appMesh: string;
  /** What Amime does today (as src/envoy/README.md documents it). */
  readonly todayText: string;
  /** '' when today's behaviour holds, else what differs. */
  readonly today: (w: SeedWorld) => Promise<string>;
}

async function stat(w: SeedWorld, envoy: EnvoyName, name: string): Promise<number | undefined> {
  return (await w.envoys[envoy].stats(`^${name.replaceAll('.', '\\.')}$`)).get(name);
}

const absent = async (w: SeedWorld, envoy: EnvoyName, name: string): Promise<string> => {
  const v = await stat(w, envoy, name);
  return v === undefined ? '' : `${envoy} has ${name} = ${v}`;
};

/** HTTP connection managers of an Envoy's dynamic listeners, as config_dump shows them. */
async function connectionManagers(w: SeedWorld, envoy: EnvoyName): Promise<Array<Record<string, unknown>>> {
  const dump = JSON.stringify(await w.envoys[envoy].configDump('?resource=dynamic_listeners'));
  const out: Array<Record<string, unknown>> = [];
  JSON.parse(dump, (_k, v: unknown) => {
    const o = v as Record<string, unknown> | null;
    if (o && typeof o === 'object' && String(o['@type']).endsWith('HttpConnectionManager')) out.push(o);
    return v;
  });
  return out;
}

export const ISSUE_9_ROWS: readonly Issue9Row[] = [
  {
    what: 'default retry policy on routes without one (issue 9 item 1)',
    evidence: 'S4, S5',
    appMesh:
      'a 503 is retried (2 retries on 503, connect-failure, refused-stream, unavailable): GET /flaky, which fails once, answers 200',
    todayText: 'no retry: GET /flaky answers 503',
    today: async (w) => {
      await w.apps.vnode2.behave({ failNext: { '/flaky': 1 }, failStatus: 503 });
      const [r] = await w.apps.caller.http({ url: `${SVC_V_URL}/flaky`, host: SVC_V });
      return r!.status === 503 ? '' : `GET /flaky answered ${r!.status}`;
    },
  },
  {
    what: 'active health checks run by the callers (issue 9 item 2)',
    evidence: 'S8, S9, S10',
    appMesh: `vnode-x has ${egress1}.health_check.attempt > 0, and a host failing /ping gets no more requests from it`,
    todayText: `vnode-x has no ${egress1}.health_check.*; the target's own sidecar checks its app (cds_ingress_…health_check.*)`,
    today: async (w) => {
      const inCaller = await absent(w, 'vnode-x', `${egress1}.health_check.attempt`);
      const own = await stat(
        w,
        'vnode-1b',
        'cluster.cds_ingress_mesh-1_vnode-1_mesh-test_http_80.health_check.attempt',
      );
      return inCaller || ((own ?? 0) > 0 ? '' : "vnode-1b's sidecar does not health-check its app");
    },
  },
  {
    what: "the gateway's self-redirect cluster (issue 9 item 3)",
    evidence: 'S1, S2, S12',
    appMesh:
      'gateway has cluster.cds_ingress_mesh-1_gateway-v_mesh-test_self_redirect_http_15001.upstream_rq_total > 0',
    todayText: 'no such cluster: the gateway routes in one hop to cds_egress_…',
    today: (w) =>
      absent(
        w,
        'gateway',
        'cluster.cds_ingress_mesh-1_gateway-v_mesh-test_self_redirect_http_15001.upstream_rq_total',
      ),
  },
  {
    what: "the gateway's egress hop (issue 9 item 3)",
    evidence: 'S1, S3',
    appMesh: 'gateway has http.egress.downstream_rq_total > 0 and listener lds_egress_0.0.0.0_15001',
    todayText: 'no egress listener on the gateway',
    today: (w) => absent(w, 'gateway', 'http.egress.downstream_rq_total'),
  },
  {
    what: "the gateway listener's connection pool on the self-redirect cluster (issue 9 item 3)",
    evidence: 'S1, S12',
    appMesh: 'max_connections 1024 on the self-redirect cluster; cds_egress_… keep 2147483647',
    todayText: 'max_connections 1024 on each cds_egress_… the gateway routes to',
    today: async (w) => {
      const text = await w.envoys.gateway.get(
        '/config_dump?resource=dynamic_active_clusters&name_regex=cds_egress_mesh-1_vnode-1_mesh-test_http_80',
      );
      return /"max_connections":\s*1024/.test(text)
        ? ''
        : 'the gateway cds_egress cluster has no max_connections 1024';
    },
  },
  {
    what: 'tracing: {} on every HTTP connection manager (issue 9 item 6)',
    evidence: 'S1',
    appMesh: 'every HttpConnectionManager in config_dump carries tracing: {}',
    todayText: 'no tracing on any HttpConnectionManager',
    today: async (w) => {
      const hcms = await connectionManagers(w, 'vnode-x');
      if (hcms.length === 0) return 'vnode-x has no HTTP connection manager';
      return hcms.some((h) => 'tracing' in h) ? 'an HttpConnectionManager has tracing' : '';
    },
  },
];
