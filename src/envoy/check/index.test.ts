import { describe, expect, it } from 'vitest';
import {
  assertResources,
  checkMemo,
  checkResource,
  checkResources,
  formatCheckProblem,
  formatCheckProblems,
} from './index.js';
import { sampleCluster, sampleEndpoints, sampleSet } from '../../../test/support/envoy-samples.js';

type Obj = Record<string, unknown>;

const rules = (set: ReturnType<typeof sampleSet>): string[] =>
  checkResources(set).map((p) => `${p.kind}[${p.index}] ${p.rule}`);

describe('checkResources', () => {
  it('passes a valid listener (HCM over RDS/ADS, router, file access log), EDS clusters, weighted routes and endpoints', () => {
    const problems = checkResources(sampleSet());
    expect(formatCheckProblems(problems)).toBe('');
    expect(() => assertResources(sampleSet())).not.toThrow();
  });

  it('checks a resource object once with a memo: a problem found once is reported for every set that holds it', () => {
    const memo = checkMemo();
    const set = sampleSet();
    const cluster = set.clusters[0] as Obj;
    cluster['connect_timeout'] = { seconds: 1e12 };
    const first = checkResources(set, { memo });
    expect(memo.has(cluster)).toBe(true);
    // Another group sharing the same (never mutated) cluster object: the memo answers for it.
    const other = { ...sampleSet(), clusters: [cluster, ...sampleSet().clusters.slice(1)] };
    expect(checkResources(other, { memo })).toEqual(first);
    expect(checkResources(other)).toEqual(first);
  });

  it('checks a virtual host once with a memo, in every route configuration that holds it, with the same verdicts', () => {
    const memo = checkMemo();
    const set = sampleSet();
    const vh = (set.routes[0]!['virtual_hosts'] as Obj[])[0] as Obj;
    vh['domanes'] = ['*']; // misspelled field
    vh['retry_policy'] = { num_retries: { value: -1 } }; // not a uint32
    const unmemoised = checkResources(set).map(formatCheckProblem);
    expect(unmemoised.join('\n')).toMatch(/virtual_hosts\[0\]\.domanes: .*\[proto\.unknown_field\]/);
    expect(checkResources(set, { memo }).map(formatCheckProblem)).toEqual(unmemoised);
    expect(memo.has(vh)).toBe(true);
    // A changed route configuration (a new object) holding the same virtual host: the
    // host is answered by the memo, and its problems are still reported.
    const changed = { ...set, routes: [{ ...set.routes[0]!, name: 'rds_other', virtual_hosts: [vh] }] };
    const verdicts = checkResources(changed).map(formatCheckProblem);
    expect(verdicts.length).toBeGreaterThan(0);
    expect(checkResources(changed, { memo }).map(formatCheckProblem)).toEqual(verdicts);
  });

  it('rejects each kind of translation bug, naming the resource and field', () => {
    const set = sampleSet();
    const cluster = set.clusters[0] as Obj;
    cluster['name'] = ''; // string.min_len (and leaves the route and endpoints dangling)
    cluster['connect_timeout'] = { seconds: 1e12 }; // Duration out of range
    cluster['outlier_detection'] = { consecutive_5xx: { value: 5 }, intervall: { seconds: 10 } }; // misspelled field
    const endpoints = set.endpoints[1] as Obj;
    delete endpoints['cluster_name']; // required-by-rule name missing
    set.clusters.push({ ...sampleCluster('cds_extra') }); // EDS cluster without assignment
    set.clusters.push({ ...sampleCluster('cds_extra'), type: 'STATIC', eds_cluster_config: undefined }); // duplicate name
    const vh = (set.routes[0]?.['virtual_hosts'] as Obj[])[0] as Obj;
    const action = ((vh['routes'] as Obj[])[0] as Obj)['route'] as Obj;
    for (const c of (action['weighted_clusters'] as Obj)['clusters'] as Obj[]) c['weight'] = { value: 0 };
    expect(rules(set)).toEqual([
      'clusters[0] proto.unknown_field',
      'clusters[0] string.min_len',
      'clusters[0] envoy.duration',
      'endpoints[1] string.min_len',
      'clusters[3] xds.duplicate_name',
      'clusters[0] xds.missing_endpoints',
      'clusters[1] xds.missing_endpoints', // its ClusterLoadAssignment lost its cluster_name
      'clusters[2] xds.missing_endpoints',
      'routes[0] xds.missing_cluster',
      'routes[0] xds.weighted_clusters_total',
    ]);
    const text = formatCheckProblems(checkResources(set));
    expect(text).toContain(
      'Cluster "" (clusters[0]): outlier_detection.intervall: envoy.config.cluster.v3.OutlierDetection has no field "intervall" (did you mean "interval"?) [proto.unknown_field]',
    );
    expect(text).toContain(
      'Cluster "" (clusters[0]): connect_timeout: is out of range for google.protobuf.Duration (is 1000000000000s 0ns) [envoy.duration]',
    );
    expect(text).toContain(
      'RouteConfiguration "rds_ingress_http_8080" (routes[0]): virtual_hosts[0].routes[0].route.weighted_clusters.clusters[0].name: weighted route names cluster "cds_egress_mesh-1_svc-b_http_8080", which is not in this proxy group\'s clusters [xds.missing_cluster]',
    );
    expect(() => assertResources(set)).toThrow(/10 problem\(s\) in generated Envoy resources/);
  });

  it('checks a single resource, and tolerates a resource that is not an object', () => {
    expect(checkResource('endpoints', sampleEndpoints())).toEqual([]);
    const [p] = checkResource('clusters', { ...sampleCluster(), lb_policy: 'NOPE' }, 4);
    expect(p && formatCheckProblem(p)).toBe(
      'Cluster "cds_egress_mesh-1_svc-b_http_8080" (clusters[4]): lb_policy: "NOPE" is not a value of envoy.config.cluster.v3.Cluster.LbPolicy [proto.enum]',
    );
    const set = sampleSet();
    (set.secrets as unknown[]).push('oops');
    expect(rules(set)).toEqual(['secrets[0] proto.type']);
  });

  it('checks 1,000 clusters with their endpoints quickly (rule tables are compiled once)', () => {
    const n = 1000;
    const build = (): ReturnType<typeof sampleSet> => ({
      listeners: [],
      routes: [],
      secrets: [],
      clusters: Array.from({ length: n }, (_, i) => sampleCluster(`cds_egress_mesh-1_svc-${i}_http_8080`)),
      endpoints: Array.from({ length: n }, (_, i) =>
        sampleEndpoints(`cds_egress_mesh-1_svc-${i}_http_8080`, `10.0.${i >> 8}.${i & 255}`),
      ),
    });
    checkResources(build()); // warm up: rule tables, JIT
    const times: number[] = [];
    for (let round = 0; round < 3; round++) {
      const set = build();
      const t0 = performance.now();
      const problems = checkResources(set);
      times.push(performance.now() - t0);
      expect(problems).toEqual([]);
    }
    const best = Math.min(...times);
    console.log(
      `checkResources: 1000 clusters + 1000 ClusterLoadAssignments in ${best.toFixed(1)} ms (best of 3: ${times.map((t) => t.toFixed(1)).join(', ')} ms)`,
    );
    expect(best).toBeLessThan(2000);
  });
});
