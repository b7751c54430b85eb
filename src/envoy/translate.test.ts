import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkResources } from './check/index.js';
import { decodeMessage, EXT, NamedBytes, XDS_TYPE_URL } from '../proto/index.js';
import { NO_ENDPOINTS } from './endpoints.js';
import { flavourOf, parseGroupKey, proxyGroups } from './groups.js';
import { edsServiceNames, encodeResources, translateGroup, UnknownGroupError } from './translate.js';
import { graphFromText } from './golden.testkit.js';
import type { Filter, HttpConnectionManager, RouteConfiguration } from './types.js';

const seedText = readFileSync(
  fileURLToPath(new URL('./testdata/in/seed-vnode-x.yaml', import.meta.url)),
  'utf8',
);
const { graph } = graphFromText(seedText, 'seed.yaml');

const VNODE_X = 'mesh/mesh-1/virtualNode/vnode-x_mesh-test';
const GATEWAY_V = 'mesh/mesh-1/virtualGateway/gateway-v_mesh-test';

/** The HCM inside a filter, decoded from its Any. */
function hcmOf(filter: Filter | undefined): HttpConnectionManager {
  const any = filter?.typed_config as { type_url: string; value: Uint8Array };
  return decodeMessage(EXT.httpConnectionManager, any.value) as HttpConnectionManager;
}

describe('the seed mesh', () => {
  it('has a group for each proxy (sidecars in both flavours, the gateway)', () => {
    expect(proxyGroups(graph).map((g) => g.key)).toEqual([
      'mesh/mesh-1/virtualNode/vnode-1_mesh-test',
      'mesh/mesh-1/virtualNode/vnode-1_mesh-test#grpc',
      'mesh/mesh-1/virtualNode/vnode-2_mesh-test',
      'mesh/mesh-1/virtualNode/vnode-2_mesh-test#grpc',
      VNODE_X,
      `${VNODE_X}#grpc`,
      GATEWAY_V,
    ]);
  });

  it('vnode-x: svc-v.mesh-test.svc.cluster.local splits 50/50 between vnode-1 and vnode-2', () => {
    const res = translateGroup(graph, VNODE_X, NO_ENDPOINTS);
    const rds = res.routes.find((r) => r.name === 'rds_egress_http_80') as RouteConfiguration;
    const vh = rds.virtual_hosts?.find((v) => v.domains?.includes('svc-v.mesh-test.svc.cluster.local'));
    expect(vh?.name).toBe('svc-v.mesh-test');
    expect(vh?.domains).toContain('svc-v.mesh-test.svc.cluster.local:80');
    const clusters = vh?.routes?.[0]?.route?.weighted_clusters?.clusters;
    expect(clusters).toEqual([
      { name: 'cds_egress_mesh-1_vnode-1_mesh-test_http_80', weight: { value: 50 } },
      { name: 'cds_egress_mesh-1_vnode-2_mesh-test_http_80', weight: { value: 50 } },
    ]);
    for (const c of clusters ?? []) expect(res.clusters.map((x) => x.name)).toContain(c.name);
    // The bare short name is not matched unless the mesh asks for it.
    expect(rds.virtual_hosts?.flatMap((v) => v.domains)).not.toContain('svc-v');
    expect(checkResources(res)).toEqual([]);
  });

  it("gateway-v: listens on 8088, sends / to svc-v through App Mesh's self-redirect hop, logs to /dev/stdout, allows 1,024 connections", () => {
    // S1, S2, S12 of docs/reference/appmesh-observed.md.
    const res = translateGroup(graph, GATEWAY_V, NO_ENDPOINTS);
    expect(res.listeners.map((l) => l.name)).toEqual([
      'lds_ingress_0.0.0.0_8088',
      'lds_egress_0.0.0.0_15001',
    ]);
    const listener = res.listeners.find((l) => l.name === 'lds_ingress_0.0.0.0_8088');
    expect(listener?.address?.socket_address?.port_value).toBe(8088);
    const hcm = hcmOf(listener?.filter_chains?.[0]?.filters?.[0]);
    expect(hcm.rds?.route_config_name).toBe('rds_ingress_http_8088');
    const log = hcm.access_log?.[0]?.typed_config as { value: Uint8Array };
    expect(decodeMessage(EXT.fileAccessLog, log.value)).toEqual({ path: '/dev/stdout' });
    const egressHcm = hcmOf(res.listeners[1]?.filter_chains?.[0]?.filters?.[0]);
    expect(egressHcm).toMatchObject({
      stat_prefix: 'egress',
      rds: { route_config_name: 'rds_egress_http_15001' },
    });

    const SELF = 'cds_ingress_mesh-1_gateway-v_mesh-test_self_redirect_http_15001';
    const rds = res.routes.find((r) => r.name === 'rds_ingress_http_8088');
    const route = rds?.virtual_hosts?.[0]?.routes?.[0];
    expect(rds?.virtual_hosts?.[0]?.domains).toEqual(['*']);
    expect(route?.match).toEqual({ prefix: '/' });
    expect(route?.route).toMatchObject({ cluster: SELF, host_rewrite_literal: 'svc-v.mesh-test' });

    const egress = res.routes.find((r) => r.name === 'rds_egress_http_15001');
    expect(egress?.virtual_hosts?.[0]?.domains).toEqual(['svc-v.mesh-test', 'svc-v.mesh-test:15001']);
    expect(
      egress?.virtual_hosts?.[0]?.routes?.[0]?.route?.weighted_clusters?.clusters?.map((c) => c.name),
    ).toEqual(['cds_egress_mesh-1_vnode-1_mesh-test_http_80', 'cds_egress_mesh-1_vnode-2_mesh-test_http_80']);
    // The listener's pool limits the one self-redirect cluster; the targets keep App Mesh's "off".
    const self = res.clusters.find((c) => c.name === SELF);
    expect(self).toMatchObject({ type: 'STATIC', connect_timeout: { seconds: 0, nanos: 250_000_000 } });
    for (const c of res.clusters)
      expect(c.circuit_breakers?.thresholds?.[0]?.max_connections, c.name).toEqual({
        value: c.name === SELF ? 1024 : 2147483647,
      });
    expect(checkResources(res)).toEqual([]);
  });
});

describe('checks catch broken output', () => {
  it('rejects a route whose weighted clusters total 0, and a cluster with an empty name', () => {
    const res = translateGroup(graph, VNODE_X, NO_ENDPOINTS);
    const broken = structuredClone(res.routes[0]) as RouteConfiguration;
    for (const c of broken.virtual_hosts?.[0]?.routes?.[0]?.route?.weighted_clusters?.clusters ?? [])
      c.weight = { value: 0 };
    const cluster = { ...res.clusters[0], name: '' };
    const problems = checkResources({ ...res, routes: [broken], clusters: [...res.clusters, cluster] });
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems.some((p) => p.kind === 'routes')).toBe(true);
    expect(problems.some((p) => p.kind === 'clusters' && p.path.includes('name'))).toBe(true);
  });

  it('rejects a listener pointing at a route configuration that is not there', () => {
    const res = translateGroup(graph, VNODE_X, NO_ENDPOINTS);
    const problems = checkResources({ ...res, routes: [] });
    expect(problems.map((p) => p.message).join('\n')).toMatch(/rds_egress_http_80/);
  });
});

describe('EDS names for the xDS cache', () => {
  it('maps each EDS cluster to the ClusterLoadAssignment it reads, and leaves other clusters out', () => {
    const res = translateGroup(graph, VNODE_X, NO_ENDPOINTS);
    // Without endpoints the seed's DNS-discovered nodes get DNS clusters: none reads EDS.
    expect(res.clusters.map((c) => c.type)).not.toContain('EDS');
    expect(edsServiceNames(res).size).toBe(0);
    const clusters = [
      { name: 'a', type: 'EDS' as const, eds_cluster_config: { eds_config: { ads: {} } } },
      { name: 'b', type: 'EDS' as const, eds_cluster_config: { service_name: 'svc-b' } },
      { name: 'dns', type: 'STRICT_DNS' as const },
    ];
    expect(edsServiceNames({ ...res, clusters })).toEqual(
      new Map([
        ['a', 'a'],
        ['b', 'svc-b'],
      ]),
    );
  });
});

describe('determinism and encoding', () => {
  it('keeps the encoding of a kind whose resources are the very objects encoded last time', () => {
    const res = translateGroup(graph, VNODE_X, NO_ENDPOINTS);
    const first = encodeResources(res);
    // A new route configuration; everything else the same objects.
    const routes = res.routes.map((r) => ({ ...r }));
    const next = encodeResources({ ...res, routes }, { resources: res, encoded: first });
    for (const url of Object.keys(first)) {
      if (url === XDS_TYPE_URL.routes) expect(next[url], url).not.toBe(first[url]);
      else expect(next[url], url).toBe(first[url]);
    }
    expect(next[XDS_TYPE_URL.routes]).toEqual(first[XDS_TYPE_URL.routes]);
    // One object of a kind replaced (even by an equal one) gives that kind a new map.
    const clusters = [...res.clusters.slice(0, -1), { ...res.clusters.at(-1)! }];
    const third = encodeResources({ ...res, clusters }, { resources: res, encoded: first });
    expect(third[XDS_TYPE_URL.clusters]).not.toBe(first[XDS_TYPE_URL.clusters]);
    // A list made by hand is a Map, the translation's one a NamedBytes: the same entries.
    expect([...third[XDS_TYPE_URL.clusters]!]).toEqual([...first[XDS_TYPE_URL.clusters]!]);
  });

  it('lists the bytes of the lists translation collects by name without a Map, and keeps a Map’s reading of any other', () => {
    const res = translateGroup(graph, VNODE_X, NO_ENDPOINTS);
    const encoded = encodeResources(res);
    const clusters = encoded[XDS_TYPE_URL.clusters]!;
    expect(clusters).toBeInstanceOf(NamedBytes);
    expect(encoded[XDS_TYPE_URL.endpoints]).toBeInstanceOf(NamedBytes);
    expect(encoded[XDS_TYPE_URL.listeners]).toBeInstanceOf(Map);
    const asMap = new Map(clusters);
    expect(clusters.size).toBe(asMap.size);
    for (const [name, bytes] of asMap) expect(clusters.get(name)).toBe(bytes);
    expect([...clusters.keys()]).toEqual([...asMap.keys()]);
    expect(clusters.has('no such cluster')).toBe(false);
    // A name twice in a list of other origin: the last object's bytes, in the first one's place.
    const [a, b] = res.clusters;
    const twice = encodeResources({ ...res, clusters: [a!, b!, { ...a!, connect_timeout: { seconds: 9 } }] });
    const m = twice[XDS_TYPE_URL.clusters]!;
    expect(m).toBeInstanceOf(Map);
    expect([...m.keys()]).toEqual([a!.name, b!.name]);
    expect(m.get(a!.name!)).not.toBe(clusters.get(a!.name!));
  });

  it('gives the same bytes for the same input, keyed by type URL and resource name', () => {
    const again = graphFromText(seedText, 'seed.yaml').graph;
    const a = encodeResources(translateGroup(graph, VNODE_X, NO_ENDPOINTS));
    const b = encodeResources(translateGroup(again, VNODE_X, NO_ENDPOINTS));
    expect([...(a[XDS_TYPE_URL.clusters]?.keys() ?? [])].sort()).toEqual([
      'cds_egress_mesh-1_mesh-allow-all',
      'cds_egress_mesh-1_vnode-1_mesh-test_http_80',
      'cds_egress_mesh-1_vnode-2_mesh-test_http_80',
    ]);
    for (const url of Object.keys(a)) {
      const x = a[url] as Map<string, Uint8Array>;
      const y = b[url] as Map<string, Uint8Array>;
      expect([...y.keys()]).toEqual([...x.keys()]);
      for (const [name, bytes] of x)
        expect(Buffer.from(y.get(name) ?? []).equals(Buffer.from(bytes)), `${url} ${name}`).toBe(true);
    }
  });
});

describe('group ids', () => {
  it('accepts short ids, full ARNs, shared-mesh owners and the #grpc flavour', () => {
    expect(
      parseGroupKey('arn:aws:appmesh:us-west-2:111122223333:mesh/mesh-1/virtualNode/vnode-x_mesh-test')?.key,
    ).toBe(VNODE_X);
    expect(parseGroupKey('mesh/mesh-1@111122223333/virtualGateway/gw')?.key).toBe(
      'mesh/mesh-1/virtualGateway/gw',
    );
    expect(parseGroupKey(`${VNODE_X}#grpc`)).toMatchObject({
      flavour: 'grpc',
      kind: 'virtualNode',
      name: 'vnode-x_mesh-test',
    });
    expect(parseGroupKey('mesh/mesh-1/virtualGateway/gw#grpc')).toBeUndefined();
    expect(parseGroupKey('mesh/mesh-1/virtualService/svc')).toBeUndefined();
  });

  it('tells gRPC clients from Envoy by user agent', () => {
    const ua = (userAgentName: string, clientFeatures: string[] = []) =>
      flavourOf({ userAgentName, clientFeatures });
    expect(ua('gRPC Node Pure JS')).toBe('grpc');
    expect(ua('gRPC Go')).toBe('grpc');
    expect(ua('grpc-go')).toBe('grpc');
    expect(ua('grpc-java')).toBe('grpc');
    expect(ua('', ['xds.config.resource-in-sotw'])).toBe('grpc');
    expect(ua('envoy', ['xds.config.resource-in-sotw'])).toBe('envoy');
    expect(ua('envoy')).toBe('envoy');
    expect(ua('')).toBe('envoy');
    expect(ua('grpcurl-like')).toBe('envoy');
  });

  it('throws UnknownGroupError for a node that is not in the graph', () => {
    expect(() => translateGroup(graph, 'mesh/mesh-1/virtualNode/nope', NO_ENDPOINTS)).toThrow(
      UnknownGroupError,
    );
    expect(() => translateGroup(graph, 'not an id', NO_ENDPOINTS)).toThrow(UnknownGroupError);
  });
});
