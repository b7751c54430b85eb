/**
 * What App Mesh users' dashboards and alerts read, as a table the data-path test walks
 * after its traffic (issue-9.ts holds what App Mesh did that Amime does not do yet). Evidence ids
 * (S1…S23) are those of docs/reference/appmesh-observed.md.
 */
import type { SeedWorld } from './seed-world.js';

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
