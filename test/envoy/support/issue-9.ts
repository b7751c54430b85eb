/**
 * What App Mesh's Envoys did that Amime does not do yet (issue 9), checked by the
 * data-path test after its traffic. Each change has a switch in LANDED: while false the
 * test asserts today's behaviour (as src/envoy/README.md documents it); the change that
 * implements it sets the switch to true, and the same test then asserts App Mesh's
 * behaviour instead. Evidence ids (S1…S23) are those of docs/reference/appmesh-observed.md.
 */
import type { SeedWorld } from './seed-world.js';
import { SVC_V, SVC_V_URL } from './seed-world.js';
import { stat } from './traffic.js';

export type Issue9Change = 'defaultRetryPolicy' | 'callerHealthChecks' | 'gatewaySelfRedirect' | 'tracing';

/** Set a change to true in the commit that makes the translator do what App Mesh did. */
export const LANDED: Readonly<Record<Issue9Change, boolean>> = {
  defaultRetryPolicy: true, // issue 9 item 1
  callerHealthChecks: true, // issue 9 item 2 (also flips the health-check scenario of data-path.test.ts)
  gatewaySelfRedirect: true, // issue 9 item 3
  tracing: true, // issue 9 item 6
};

type EnvoyName = keyof SeedWorld['envoys'];
type Check = (w: SeedWorld) => Promise<string>;

export interface Issue9Row {
  readonly what: string;
  readonly change: Issue9Change;
  readonly evidence: string;
  readonly todayText: string;
  readonly appMeshText: string;
  /** '' when today's behaviour holds, else what differs. */
  readonly today: Check;
  /** '' when App Mesh's behaviour holds, else what differs. */
  readonly appMesh: Check;
}

export const CALLER_CLUSTER_1 = 'cds_egress_mesh-1_vnode-1_mesh-test_http_80';
const SELF_REDIRECT = 'cds_ingress_mesh-1_gateway-v_mesh-test_self_redirect_http_15001';

const value = (w: SeedWorld, envoy: EnvoyName, name: string) => stat(w.envoys[envoy], name);

const absent = async (w: SeedWorld, envoy: EnvoyName, name: string): Promise<string> => {
  const v = await value(w, envoy, name);
  return v === undefined ? '' : `${envoy} has ${name} = ${v}`;
};

const positive = async (w: SeedWorld, envoy: EnvoyName, name: string): Promise<string> => {
  const v = await value(w, envoy, name);
  return v !== undefined && v > 0 ? '' : `${envoy} has ${name} = ${v}`;
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

/** The gateway's `max_connections` on a cluster, as it holds it ('' when the cluster sets none). */
async function maxConnections(w: SeedWorld, cluster: string): Promise<string> {
  const text = await w.envoys.gateway.get(
    `/config_dump?resource=dynamic_active_clusters&name_regex=${encodeURIComponent(cluster)}`,
  );
  return /"max_connections":\s*(\d+)/.exec(text)?.[1] ?? '';
}

/** GET /flaky after vnode-2 was told to fail it once with 503: the answer and what vnode-2 saw. */
async function flakyOnce(w: SeedWorld): Promise<{ status: number; seen: number[] }> {
  await w.apps.vnode2.behave({ failNext: { '/flaky': 1 }, failStatus: 503 });
  const [r] = await w.apps.caller.http({ url: `${SVC_V_URL}/flaky`, host: SVC_V });
  const seen = (await w.apps.vnode2.seen()).filter((s) => s.path === '/flaky').map((s) => s.status);
  return { status: r!.status, seen };
}

export const ISSUE_9_ROWS: readonly Issue9Row[] = [
  {
    what: 'default retry policy on routes without one',
    change: 'defaultRetryPolicy',
    evidence: 'S4, S5',
    todayText: 'no retry: GET /flaky, failing once with 503, answers 503',
    appMeshText:
      'a 503 is retried (2 retries on 503, connect-failure, refused-stream, unavailable): GET /flaky answers 200 after [503, 200]',
    today: async (w) => {
      const r = await flakyOnce(w);
      return r.status === 503
        ? ''
        : `GET /flaky answered ${r.status} (vnode-2 saw ${JSON.stringify(r.seen)})`;
    },
    appMesh: async (w) => {
      const r = await flakyOnce(w);
      const ok = r.status === 200 && JSON.stringify(r.seen.slice(-2)) === '[503,200]';
      return ok ? '' : `GET /flaky answered ${r.status} (vnode-2 saw ${JSON.stringify(r.seen)})`;
    },
  },
  {
    what: 'active health checks run by the callers',
    change: 'callerHealthChecks',
    evidence: 'S8, S9, S10',
    todayText: `vnode-x has no cluster.${CALLER_CLUSTER_1}.health_check.*; the target's own sidecar checks its app (cds_ingress_…health_check.*)`,
    appMeshText: `vnode-x has cluster.${CALLER_CLUSTER_1}.health_check.attempt > 0 (and the health-check scenario takes a failing host out of its rotation)`,
    today: async (w) => {
      const inCaller = await absent(w, 'vnode-x', `cluster.${CALLER_CLUSTER_1}.health_check.attempt`);
      const own = await positive(
        w,
        'vnode-1b',
        'cluster.cds_ingress_mesh-1_vnode-1_mesh-test_http_80.health_check.attempt',
      );
      return inCaller || own;
    },
    appMesh: (w) => positive(w, 'vnode-x', `cluster.${CALLER_CLUSTER_1}.health_check.attempt`),
  },
  {
    what: "the gateway's self-redirect cluster",
    change: 'gatewaySelfRedirect',
    evidence: 'S1, S2, S12',
    todayText: 'no such cluster: the gateway routes in one hop to cds_egress_…',
    appMeshText: `gateway has cluster.${SELF_REDIRECT}.upstream_rq_total > 0`,
    today: (w) => absent(w, 'gateway', `cluster.${SELF_REDIRECT}.upstream_rq_total`),
    appMesh: (w) => positive(w, 'gateway', `cluster.${SELF_REDIRECT}.upstream_rq_total`),
  },
  {
    what: "the gateway's egress hop",
    change: 'gatewaySelfRedirect',
    evidence: 'S1, S3',
    todayText: 'no egress listener on the gateway: no http.egress.* stats',
    appMeshText: 'gateway has http.egress.downstream_rq_total > 0 (its lds_egress_0.0.0.0_15001 listener)',
    today: (w) => absent(w, 'gateway', 'http.egress.downstream_rq_total'),
    appMesh: (w) => positive(w, 'gateway', 'http.egress.downstream_rq_total'),
  },
  {
    what: "the gateway listener's connection pool",
    change: 'gatewaySelfRedirect',
    evidence: 'S1, S12',
    todayText: `max_connections 1024 on each cds_egress_… the gateway routes to (${CALLER_CLUSTER_1})`,
    appMeshText: `max_connections 1024 on ${SELF_REDIRECT}; ${CALLER_CLUSTER_1} keeps 2147483647`,
    today: async (w) => {
      const egress = await maxConnections(w, CALLER_CLUSTER_1);
      return egress === '1024' ? '' : `${CALLER_CLUSTER_1} has max_connections '${egress}'`;
    },
    appMesh: async (w) => {
      const [self, egress] = [
        await maxConnections(w, SELF_REDIRECT),
        await maxConnections(w, CALLER_CLUSTER_1),
      ];
      return self === '1024' && egress === '2147483647'
        ? ''
        : `max_connections: ${SELF_REDIRECT} '${self}', ${CALLER_CLUSTER_1} '${egress}'`;
    },
  },
  {
    what: 'tracing: {} on every HTTP connection manager',
    change: 'tracing',
    evidence: 'S1',
    todayText: "no tracing on vnode-x's HttpConnectionManagers",
    appMeshText: "every HttpConnectionManager of vnode-x's listeners carries tracing: {}",
    today: async (w) => {
      const hcms = await connectionManagers(w, 'vnode-x');
      if (hcms.length === 0) return 'vnode-x has no HTTP connection manager';
      return hcms.some((h) => 'tracing' in h) ? 'an HttpConnectionManager has tracing' : '';
    },
    appMesh: async (w) => {
      const hcms = await connectionManagers(w, 'vnode-x');
      if (hcms.length === 0) return 'vnode-x has no HTTP connection manager';
      const without = hcms.filter((h) => !('tracing' in h)).length;
      return without === 0 ? '' : `${without} of ${hcms.length} HttpConnectionManagers have no tracing`;
    },
  },
];

/** The row's check for the state its change is in. */
export const checkRow = (row: Issue9Row, w: SeedWorld): Promise<string> =>
  LANDED[row.change] ? row.appMesh(w) : row.today(w);
