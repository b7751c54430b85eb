/**
 * Issue 9 item 7: App Mesh's `aws.appmesh.aggregate_stats` metadata, read by the App Mesh
 * metrics extension. Evidence: S1 of docs/reference/appmesh-observed.md, a real App Mesh
 * config_dump — listeners carry `{"tags":[]}`, each `cds_egress_…` cluster its
 * `TargetVirtualNode`, each route to a service its `TargetVirtualService`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AGGREGATE_STATS_KEY } from './aggregate-stats.js';
import { NO_ENDPOINTS } from './endpoints.js';
import { graphFromText } from './golden.testkit.js';
import { translateGroup } from './translate.js';
import type { Metadata } from './types.js';

const seed = readFileSync(fileURLToPath(new URL('./testdata/in/seed-vnode-x.yaml', import.meta.url)), 'utf8');
const { graph } = graphFromText(seed, 'seed.yaml');

const tags = (m: Metadata | null | undefined): unknown => {
  const value = m?.filter_metadata?.[AGGREGATE_STATS_KEY]?.fields?.['config'];
  return value && 'stringValue' in value ? JSON.parse(value.stringValue as string) : undefined;
};

describe('aws.appmesh.aggregate_stats metadata (S1)', () => {
  it("is on vnode-x's listeners, egress clusters and egress routes", () => {
    const res = translateGroup(graph, 'mesh/mesh-1/virtualNode/vnode-x_mesh-test', NO_ENDPOINTS);
    for (const l of res.listeners) expect(tags(l.metadata), l.name).toEqual({ tags: [] });
    const cluster = res.clusters.find((c) => c.name === 'cds_egress_mesh-1_vnode-1_mesh-test_http_80');
    expect(tags(cluster?.metadata)).toEqual({
      tags: [{ key: 'TargetVirtualNode', value: 'vnode-1_mesh-test' }],
    });
    const vh = res.routes
      .find((r) => r.name === 'rds_egress_http_80')
      ?.virtual_hosts?.find((v) => v.name === 'svc-v.mesh-test');
    expect(vh?.routes?.length).toBeGreaterThan(0);
    for (const r of vh?.routes ?? [])
      expect(tags(r.metadata)).toEqual({ tags: [{ key: 'TargetVirtualService', value: 'svc-v.mesh-test' }] });
  });

  it("is on the gateway's egress-hop routes, as on S1's gateway", () => {
    const res = translateGroup(graph, 'mesh/mesh-1/virtualGateway/gateway-v_mesh-test', NO_ENDPOINTS);
    const egress = res.routes.find((r) => r.name === 'rds_egress_http_15001');
    const route = egress?.virtual_hosts?.[0]?.routes?.[0];
    expect(tags(route?.metadata)).toEqual({
      tags: [{ key: 'TargetVirtualService', value: 'svc-v.mesh-test' }],
    });
    for (const l of res.listeners) expect(tags(l.metadata), l.name).toEqual({ tags: [] });
  });

  it('is left out of the routes of proxyless gRPC clients, which do not read it', () => {
    const res = translateGroup(graph, 'mesh/mesh-1/virtualNode/vnode-x_mesh-test#grpc', NO_ENDPOINTS);
    for (const rc of res.routes)
      for (const vh of rc.virtual_hosts ?? [])
        for (const r of vh.routes ?? []) expect(r.metadata).toBeUndefined();
  });
});
