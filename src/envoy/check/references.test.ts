import { describe, expect, it } from 'vitest';
import { typedConfig, EXT } from '../../proto/index.js';
import { checkMemo, checkResources } from './index.js';
import {
  ADS,
  sampleCluster,
  sampleHcm,
  sampleListener,
  sampleSet,
} from '../../../test/support/envoy-samples.js';

type Obj = Record<string, unknown>;

/**
 * Problems as `kind[index] path rule` strings. Checked three times: without a memo, and
 * twice with one (the second time from the findings memoised by the first): all alike.
 */
function problems(set: ReturnType<typeof sampleSet>): string[] {
  const show = (memo?: ReturnType<typeof checkMemo>) =>
    checkResources(set, memo ? { memo } : {}).map(
      (p) => `${p.kind}[${p.index}] ${p.path} ${p.rule} ${p.message}`,
    );
  const plain = show();
  const memo = checkMemo();
  expect(show(memo)).toEqual(plain);
  expect(show(memo)).toEqual(plain);
  return plain.map((line) => line.split(' ').slice(0, 3).join(' '));
}

function firstRouteAction(set: ReturnType<typeof sampleSet>): Obj {
  const vh = (set.routes[0]?.['virtual_hosts'] as Obj[])[0] as Obj;
  return ((vh['routes'] as Obj[])[0] as Obj)['route'] as Obj;
}

function chain(listener: Obj, i: number): Obj {
  return (listener['filter_chains'] as Obj[])[i] as Obj;
}

describe('checkReferences (through checkResources)', () => {
  it('judges resources it walked before by the group they are in now', () => {
    const memo = checkMemo();
    const set = sampleSet();
    const missing = (s: ReturnType<typeof sampleSet>) =>
      checkResources(s, { memo })
        .filter((p) => p.rule === 'xds.missing_cluster' || p.rule === 'xds.duplicate_address')
        .map((p) => `${p.kind}[${p.index}] ${p.path} ${p.rule}`);
    expect(missing(set)).toEqual([]);
    // The same route configuration and listener objects in a group without the clusters
    // and with the listener twice: the memoised findings give this group's problems.
    const other = { ...set, clusters: [], endpoints: [], listeners: [set.listeners[0]!, set.listeners[0]!] };
    const found = missing(other);
    expect(found).toContain('listeners[1] address xds.duplicate_address');
    expect(found.some((p) => p.startsWith('routes[0] virtual_hosts[0].routes[0].route'))).toBe(true);
    expect(missing(set)).toEqual([]);
  });

  it('keeps findings on decoded objects only: a resource that does not encode is walked as written, each time, and left as it was', () => {
    const memo = checkMemo();
    const set = sampleSet();
    const action = firstRouteAction(set);
    delete action['weighted_clusters'];
    action['cluster'] = 'nope';
    // A message field given a string: the configuration does not encode, and is walked as written.
    set.routes[0]!['validate_clusters'] = 'yes';
    const rules = () =>
      checkResources(set, { memo })
        .map((p) => p.rule)
        .filter((r) => r === 'xds.missing_cluster');
    expect(rules()).toEqual(['xds.missing_cluster']);
    expect(rules()).toEqual(['xds.missing_cluster']);
    const vh = (set.routes[0]!['virtual_hosts'] as Obj[])[0]!;
    expect(Object.getOwnPropertySymbols(set.routes[0]!)).toEqual([]);
    expect(Object.getOwnPropertySymbols(vh)).toEqual([]);
    // A cluster that encodes: its findings ride on the decoded object the memo holds for it.
    const decoded = memo.get(set.clusters[0]!)?.decoded;
    expect(decoded && Object.getOwnPropertySymbols(decoded)).toHaveLength(1);
  });

  it('accepts a consistent proxy group', () => {
    expect(problems(sampleSet())).toEqual([]);
  });

  it('a route naming a missing cluster', () => {
    const set = sampleSet();
    set.clusters.pop();
    set.endpoints.pop();
    expect(problems(set)).toEqual([
      'routes[0] virtual_hosts[0].routes[0].route.weighted_clusters.clusters[1].name xds.missing_cluster',
    ]);
    const single = sampleSet();
    const action = firstRouteAction(single);
    delete action['weighted_clusters'];
    action['cluster'] = 'nope';
    action['request_mirror_policies'] = [{ cluster: 'mirror' }];
    expect(problems(single)).toEqual([
      'routes[0] virtual_hosts[0].routes[0].route.cluster xds.missing_cluster',
      'routes[0] virtual_hosts[0].routes[0].route.request_mirror_policies[0].cluster xds.missing_cluster',
    ]);
  });

  it('weighted clusters that add up to 0 (the protos carry no rule for it; Envoy rejects it)', () => {
    const set = sampleSet();
    const clusters = (firstRouteAction(set)['weighted_clusters'] as Obj)['clusters'] as Obj[];
    for (const c of clusters) c['weight'] = { value: 0 };
    expect(problems(set)).toEqual([
      'routes[0] virtual_hosts[0].routes[0].route.weighted_clusters xds.weighted_clusters_total',
    ]);
  });

  it('an EDS cluster without its ClusterLoadAssignment (by name or by service_name)', () => {
    const set = sampleSet();
    set.endpoints.shift();
    expect(problems(set)).toEqual(['clusters[0] name xds.missing_endpoints']);
    const named = sampleSet();
    named.clusters[0] = {
      ...sampleCluster(),
      eds_cluster_config: { eds_config: ADS, service_name: 'svc-b' },
    };
    expect(problems(named)).toEqual(['clusters[0] eds_cluster_config.service_name xds.missing_endpoints']);
    (named.endpoints[0] as Obj)['cluster_name'] = 'svc-b';
    expect(problems(named)).toEqual([]);
  });

  it('an RDS name that no route configuration has', () => {
    const set = sampleSet();
    (set.routes[0] as Obj)['name'] = 'rds_other';
    expect(problems(set)).toEqual([
      'listeners[0] filter_chains[0].filters[0].typed_config.rds.route_config_name xds.missing_route_configuration',
    ]);
  });

  it('duplicate names, domains, virtual hosts and addresses', () => {
    const set = sampleSet();
    set.clusters.push(sampleCluster());
    expect(problems(set)).toEqual(['clusters[2] name xds.duplicate_name']);
    const vhosts = sampleSet();
    const vh = (vhosts.routes[0]?.['virtual_hosts'] as Obj[])[0] as Obj;
    (vhosts.routes[0]?.['virtual_hosts'] as Obj[]).push({
      ...vh,
      domains: ['other', 'SVC-B.apps.svc.cluster.local'],
    });
    expect(problems(vhosts)).toEqual([
      'routes[0] virtual_hosts[1].name xds.duplicate_virtual_host',
      'routes[0] virtual_hosts[1].domains[1] xds.duplicate_domain',
    ]);
    const listeners = sampleSet();
    listeners.listeners.push({ ...sampleListener(), name: 'lds_other' });
    expect(problems(listeners)).toEqual(['listeners[1] address xds.duplicate_address']);
    listeners.listeners[1] = { ...sampleListener(), name: 'lds_other', bind_to_port: { value: false } };
    expect(problems(listeners)).toEqual([]);
  });

  it('filter chains with the same match, after CIDR masking and across list members', () => {
    const set = sampleSet();
    const listener = set.listeners[0] as Obj;
    const base = chain(listener, 0);
    const withMatch = (m: Obj): Obj => ({ ...base, filter_chain_match: m });
    listener['filter_chains'] = [
      withMatch({ prefix_ranges: [{ address_prefix: '10.1.2.3', prefix_len: { value: 8 } }] }),
      withMatch({ prefix_ranges: [{ address_prefix: '10.0.0.0', prefix_len: { value: 8 } }] }),
    ];
    expect(problems(set)).toEqual([
      'listeners[0] filter_chains[1].filter_chain_match xds.duplicate_filter_chain_match',
    ]);
    listener['filter_chains'] = [
      withMatch({ server_names: ['a.example', 'b.example'] }),
      withMatch({ server_names: ['b.example'] }),
    ];
    expect(problems(set)).toEqual([
      'listeners[0] filter_chains[1].filter_chain_match xds.duplicate_filter_chain_match',
    ]);
    listener['filter_chains'] = [
      withMatch({ server_names: ['a.example'] }),
      withMatch({ server_names: ['b.example'] }),
      withMatch({ transport_protocol: 'tls' }),
      withMatch({}),
    ];
    expect(problems(set)).toEqual([]);
  });

  it('tcp_proxy clusters, ADS-served SDS secrets and terminal filter order', () => {
    const set = sampleSet();
    const listener = set.listeners[0] as Obj;
    chain(listener, 0)['filters'] = [
      {
        name: 'envoy.filters.network.tcp_proxy',
        typed_config: typedConfig(EXT.tcpProxy, { stat_prefix: 'tcp', cluster: 'cds_missing' }),
      },
    ];
    chain(listener, 0)['transport_socket'] = {
      name: 'envoy.transport_sockets.tls',
      typed_config: typedConfig(EXT.downstreamTlsContext, {
        common_tls_context: { tls_certificate_sds_secret_configs: [{ name: 'cert', sds_config: ADS }] },
      }),
    };
    set.listeners.push({
      ...sampleListener(
        sampleHcm({
          http_filters: [
            { name: 'envoy.filters.http.router', typed_config: typedConfig(EXT.router, {}) },
            { name: 'f', typed_config: typedConfig(EXT.fault, {}) },
          ],
        }),
      ),
      name: 'lds_two',
      address: { socket_address: { address: '0.0.0.0', port_value: 15001 } },
    });
    expect(problems(set)).toEqual([
      'listeners[0] filter_chains[0].filters[0].typed_config.cluster xds.missing_cluster',
      'listeners[0] filter_chains[0].transport_socket.typed_config.common_tls_context.tls_certificate_sds_secret_configs[0].name xds.missing_secret',
      'listeners[1] filter_chains[0].filters[0].typed_config.http_filters[0] xds.filter_order',
      'listeners[1] filter_chains[0].filters[0].typed_config.http_filters[1] xds.filter_order',
    ]);
    set.secrets.push({
      name: 'cert',
      tls_certificate: {
        certificate_chain: { filename: '/certs/cert.pem' },
        private_key: { filename: '/certs/key.pem' },
      },
    });
    set.clusters.push({
      ...sampleCluster('cds_missing'),
      type: 'STRICT_DNS',
      eds_cluster_config: undefined,
      load_assignment: { cluster_name: 'cds_missing' },
    });
    set.listeners.pop();
    expect(problems(set)).toEqual([]);
  });
});
