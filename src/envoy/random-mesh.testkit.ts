/**
 * Random App Mesh documents for property tests: a small mesh (5 nodes, 5 services,
 * 3 routers, 2 gateways, 4 gateway routes) whose documents can each be regenerated,
 * added or removed, plus random endpoint tables. Every field translation reads comes
 * up: ports and protocols, TLS modes and client policies, pools, health checks,
 * outlier detection, timeouts, retries, priorities, matches, rewrites, discovery, the
 * mesh's egress filter, IP preference and short-name annotation. Documents are plain
 * JSON; `graphInput` parses each once (so an unchanged document keeps its object, as
 * a store keeps it) and schema-invalid ones become `invalid` inputs.
 */
import { loadText } from '../load/index.js';
import { graphInputFromLoad, type GraphInput, type InputInvalid, type InputResource } from '../mesh/index.js';
import { staticEndpoints, type Endpoint, type EndpointSource } from './endpoints.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const pick = <T>(rng: Rng, list: readonly T[]): T => list[int(rng, list.length)] as T;
const chance = (rng: Rng, p: number): boolean => rng() < p;
const maybe = (rng: Rng, p: number, value: () => Json): Record<string, Json> | undefined =>
  chance(rng, p) ? { v: value() } : undefined;

const AM = 'appmesh.k8s.aws/v1beta2';
const NS = 'ns';
export const NODES = ['n0', 'n1', 'n2', 'n3', 'n4'];
export const SERVICES = ['s0', 's1', 's2', 's3', 's4'];
export const ROUTERS = ['r0', 'r1', 'r2'];
export const GATEWAYS = ['g0', 'g1'];
export const GATEWAY_ROUTES = ['gr0', 'gr1', 'gr2', 'gr3'];
const PORTS = [80, 8080, 9090];
const PROTOCOLS = ['http', 'http2', 'grpc', 'tcp'] as const;
const ACM_CERT = 'arn:aws:acm:us-west-2:111111111111:certificate/c1';
const ACM_CA = 'arn:aws:acm-pca:us-west-2:111111111111:certificate-authority/ca1';

const duration = (rng: Rng): Json => ({
  unit: pick(rng, ['s', 'ms']),
  value: pick(rng, [0, 1, 250, 15, 60]),
});

function certificate(rng: Rng): Json {
  switch (int(rng, 3)) {
    case 0:
      return { file: { certificateChain: '/certs/chain.pem', privateKey: '/certs/key.pem' } };
    case 1:
      return { sds: { secretName: pick(rng, ['spiffe://m/a', 'spiffe://m/b']) } };
    default:
      return { acm: { certificateARN: pick(rng, [ACM_CERT, `${ACM_CERT}-missing`]) } };
  }
}

function trust(rng: Rng, acm: boolean): Json {
  switch (int(rng, acm ? 3 : 2)) {
    case 0:
      return { file: { certificateChain: '/certs/ca.pem' } };
    case 1:
      return { sds: { secretName: 'spiffe://m' } };
    default:
      return { acm: { certificateAuthorityARNs: [pick(rng, [ACM_CA, `${ACM_CA}-missing`])] } };
  }
}

function listenerTls(rng: Rng, acmTrust: boolean): Json {
  const tls: Record<string, Json> = {
    mode: pick(rng, ['STRICT', 'PERMISSIVE', 'DISABLED']),
    certificate: certificate(rng),
  };
  if (chance(rng, 0.4)) {
    const validation: Record<string, Json> = { trust: trust(rng, acmTrust) };
    if (chance(rng, 0.5)) validation['subjectAlternativeNames'] = { match: { exact: ['spiffe://m/client'] } };
    tls['validation'] = validation;
  }
  return tls;
}

function clientPolicy(rng: Rng): Json {
  const tls: Record<string, Json> = {
    validation: {
      trust: trust(rng, true),
      ...(chance(rng, 0.4) ? { subjectAlternativeNames: { match: { exact: ['n1.example'] } } } : {}),
    },
  };
  if (chance(rng, 0.3)) tls['enforce'] = chance(rng, 0.5);
  if (chance(rng, 0.3)) tls['ports'] = [pick(rng, PORTS)];
  if (chance(rng, 0.4)) tls['certificate'] = certificate(rng);
  return { tls };
}

function healthCheck(rng: Rng, protocol: string): Json {
  const hc: Record<string, Json> = {
    protocol: protocol === 'tcp' ? 'tcp' : pick(rng, ['http', 'http2', 'grpc', 'tcp']),
    healthyThreshold: 2 + int(rng, 3),
    unhealthyThreshold: 2 + int(rng, 3),
    timeoutMillis: 2000,
    intervalMillis: 5000 + 1000 * int(rng, 3),
  };
  if (hc['protocol'] === 'http' || hc['protocol'] === 'http2') hc['path'] = pick(rng, ['/', '/health']);
  if (chance(rng, 0.3)) hc['port'] = pick(rng, PORTS);
  return hc;
}

function pool(rng: Rng, protocol: string): Json {
  if (protocol === 'tcp') return { tcp: { maxConnections: 1 + int(rng, 100) } };
  if (protocol === 'http')
    return { http: { maxConnections: 1 + int(rng, 100), maxPendingRequests: 1 + int(rng, 100) } };
  return { [protocol]: { maxRequests: 1 + int(rng, 100) } };
}

function nodeListener(rng: Rng, port: number): Json {
  const protocol = pick(rng, PROTOCOLS);
  const l: Record<string, Json> = { portMapping: { port, protocol } };
  if (chance(rng, 0.3)) l['healthCheck'] = healthCheck(rng, protocol);
  if (chance(rng, 0.3)) l['connectionPool'] = pool(rng, protocol);
  if (chance(rng, 0.3))
    l['outlierDetection'] = {
      maxServerErrors: 1 + int(rng, 5),
      maxEjectionPercent: pick(rng, [10, 50, 100]),
      interval: { unit: 's', value: 1 + int(rng, 10) },
      baseEjectionDuration: { unit: 's', value: 10 + int(rng, 30) },
    };
  if (chance(rng, 0.3)) l['timeout'] = { [protocol]: { perRequest: duration(rng), idle: duration(rng) } };
  if (chance(rng, 0.3)) l['tls'] = listenerTls(rng, false);
  return l;
}

function virtualNode(rng: Rng, name: string): Json {
  const spec: Record<string, Json> = { podSelector: { matchLabels: { app: name } } };
  const ports = [...new Set(Array.from({ length: int(rng, 3) }, () => pick(rng, PORTS)))];
  if (ports.length > 0) spec['listeners'] = ports.map((p) => nodeListener(rng, p));
  spec['serviceDiscovery'] = chance(rng, 0.5)
    ? {
        dns: {
          hostname: `${name}.${NS}.svc.cluster.local`,
          ...(chance(rng, 0.3) ? { responseType: pick(rng, ['ENDPOINTS', 'LOADBALANCER']) } : {}),
        },
      }
    : { awsCloudMap: { namespaceName: 'local', serviceName: name } };
  if (chance(rng, 0.1)) spec['awsName'] = pick(rng, ['custom-a', 'custom-b', `${name}_${NS}`]);
  if (chance(rng, 0.2)) spec['backendGroups'] = [{ name: pick(rng, ['bg0', 'bg1']) }];
  const backends = SERVICES.filter(() => chance(rng, 0.4)).map((s) => {
    const b: Record<string, Json> = { virtualServiceRef: { name: s } };
    if (chance(rng, 0.2)) b['clientPolicy'] = clientPolicy(rng);
    return { virtualService: b };
  });
  if (backends.length > 0) spec['backends'] = backends;
  if (chance(rng, 0.2)) spec['backendDefaults'] = { clientPolicy: clientPolicy(rng) };
  if (chance(rng, 0.3))
    spec['logging'] = {
      accessLog: {
        file: {
          path: '/dev/stdout',
          ...(chance(rng, 0.5) ? { format: { text: '%START_TIME% %RESPONSE_CODE%' } } : {}),
        },
      },
    };
  return { apiVersion: AM, kind: 'VirtualNode', metadata: { name, namespace: NS }, spec };
}

function virtualService(rng: Rng, name: string): Json {
  const provider: Json = chance(rng, 0.6)
    ? { virtualRouter: { virtualRouterRef: { name: pick(rng, ROUTERS) } } }
    : { virtualNode: { virtualNodeRef: { name: pick(rng, NODES) } } };
  const spec: Record<string, Json> = { provider };
  if (chance(rng, 0.3)) spec['awsName'] = `${name}.example.com`;
  return { apiVersion: AM, kind: 'VirtualService', metadata: { name, namespace: NS }, spec };
}

function targets(rng: Rng): Json {
  const picked = [...new Set(Array.from({ length: 1 + int(rng, 3) }, () => pick(rng, NODES)))];
  return picked.map((n) => ({
    virtualNodeRef: { name: n },
    weight: pick(rng, [0, 1, 1, 2, 50]),
    ...(chance(rng, 0.2) ? { port: pick(rng, PORTS) } : {}),
  }));
}

function httpMatch(rng: Rng): Json {
  const m: Record<string, Json> = {};
  switch (int(rng, 3)) {
    case 0:
      m['prefix'] = pick(rng, ['/', '/a', '/a/', '/b/c']);
      break;
    case 1:
      m['path'] = { exact: pick(rng, ['/a', '/x/y']) };
      break;
    default:
      m['path'] = { regex: pick(rng, ['/a/.*', '/b/[0-9]+']) };
  }
  if (chance(rng, 0.3)) m['headers'] = [{ name: 'x-v', match: { exact: pick(rng, ['1', '2']) } }];
  if (chance(rng, 0.2)) m['queryParameters'] = [{ name: 'q', match: { exact: 'z' } }];
  if (chance(rng, 0.2)) m['method'] = pick(rng, ['GET', 'POST']);
  if (chance(rng, 0.2)) m['port'] = pick(rng, PORTS);
  return m;
}

function retry(rng: Rng, grpc: boolean): Json {
  const r: Record<string, Json> = {
    maxRetries: int(rng, 4),
    perRetryTimeout: { unit: 'ms', value: 100 + 100 * int(rng, 5) },
  };
  if (chance(rng, 0.7)) r['httpRetryEvents'] = [pick(rng, ['server-error', 'gateway-error', 'client-error'])];
  if (chance(rng, 0.5)) r['tcpRetryEvents'] = ['connection-error'];
  if (grpc && chance(rng, 0.7)) r['grpcRetryEvents'] = [pick(rng, ['unavailable', 'cancelled', 'internal'])];
  return r;
}

function route(rng: Rng, protocol: string, i: number): Json {
  const r: Record<string, Json> = { name: `route-${i}` };
  if (chance(rng, 0.4)) r['priority'] = int(rng, 5);
  const action = { weightedTargets: targets(rng) };
  const timeout = maybe(rng, 0.3, () => ({ perRequest: duration(rng), idle: duration(rng) }));
  if (protocol === 'tcp') {
    r['tcpRoute'] = { action, ...(chance(rng, 0.3) ? { timeout: { idle: duration(rng) } } : {}) };
  } else if (protocol === 'grpc') {
    const match: Record<string, Json> = {};
    if (chance(rng, 0.6)) match['serviceName'] = pick(rng, ['pkg.Svc', 'pkg.Other']);
    if (match['serviceName'] && chance(rng, 0.5)) match['methodName'] = 'Get';
    if (chance(rng, 0.2)) match['metadata'] = [{ name: 'x-m', match: { prefix: 'a' } }];
    r['grpcRoute'] = {
      match,
      action,
      ...(timeout ? { timeout: timeout.v } : {}),
      ...(chance(rng, 0.4) ? { retryPolicy: retry(rng, true) } : {}),
    };
  } else {
    r[protocol === 'http' ? 'httpRoute' : 'http2Route'] = {
      match: httpMatch(rng),
      action,
      ...(timeout ? { timeout: timeout.v } : {}),
      ...(chance(rng, 0.4) ? { retryPolicy: retry(rng, false) } : {}),
    };
  }
  return r;
}

function virtualRouter(rng: Rng, name: string): Json {
  const ports = [...new Set(Array.from({ length: 1 + int(rng, 2) }, () => pick(rng, PORTS)))];
  const listeners = ports.map((port) => ({ portMapping: { port, protocol: pick(rng, PROTOCOLS) } }));
  const routes: Json[] = [];
  for (let i = 0; i < 1 + int(rng, 4); i++) {
    const l = pick(rng, listeners);
    routes.push(route(rng, l.portMapping.protocol, i));
  }
  return {
    apiVersion: AM,
    kind: 'VirtualRouter',
    metadata: { name, namespace: NS },
    spec: { listeners, routes },
  };
}

function virtualGateway(rng: Rng, name: string): Json {
  const ports = [...new Set(Array.from({ length: 1 + int(rng, 2) }, () => pick(rng, [8088, 8443])))];
  const listeners = ports.map((port) => {
    const protocol = pick(rng, ['http', 'http2', 'grpc']);
    const l: Record<string, Json> = { portMapping: { port, protocol } };
    if (chance(rng, 0.4)) l['connectionPool'] = pool(rng, protocol);
    if (chance(rng, 0.2)) l['tls'] = listenerTls(rng, true);
    return l;
  });
  const spec: Record<string, Json> = {
    namespaceSelector: {},
    podSelector: { matchLabels: { gw: name } },
    gatewayRouteSelector: { matchLabels: { gw: name } },
    listeners,
  };
  if (chance(rng, 0.2)) spec['backendDefaults'] = { clientPolicy: clientPolicy(rng) };
  if (chance(rng, 0.3)) spec['logging'] = { accessLog: { file: { path: '/dev/stdout' } } };
  return { apiVersion: AM, kind: 'VirtualGateway', metadata: { name, namespace: NS }, spec };
}

function gatewayRoute(rng: Rng, name: string): Json {
  const target: Record<string, Json> = {
    virtualService: { virtualServiceRef: { name: pick(rng, SERVICES) } },
  };
  if (chance(rng, 0.2)) target['port'] = pick(rng, PORTS);
  const spec: Record<string, Json> = {};
  if (chance(rng, 0.3)) spec['priority'] = int(rng, 5);
  const kind = pick(rng, ['httpRoute', 'http2Route', 'grpcRoute']);
  if (kind === 'grpcRoute') {
    spec['grpcRoute'] = {
      match: { serviceName: pick(rng, ['pkg.Svc', 'pkg.Other']) },
      action: { target },
    };
  } else {
    const match: Record<string, Json> = {};
    if (chance(rng, 0.7)) match['prefix'] = pick(rng, ['/', '/a/', '/api', '/b/c/']);
    else match['path'] = { exact: pick(rng, ['/a', '/x/y']) };
    if (chance(rng, 0.2)) match['hostname'] = { exact: 'www.example.com' };
    if (chance(rng, 0.2)) match['headers'] = [{ name: 'x-g', match: { suffix: 'z' } }];
    const action: Record<string, Json> = { target };
    if (chance(rng, 0.5)) {
      const rewrite: Record<string, Json> = {};
      if (match['prefix'] !== undefined && chance(rng, 0.6))
        rewrite['prefix'] = chance(rng, 0.5)
          ? { defaultPrefix: pick(rng, ['ENABLED', 'DISABLED']) }
          : { value: pick(rng, ['/', '/v/', '/a/']) };
      else if (chance(rng, 0.5)) rewrite['path'] = { exact: '/b/c' };
      if (Object.keys(rewrite).length === 0 || chance(rng, 0.3))
        rewrite['hostname'] = { defaultTargetHostname: pick(rng, ['ENABLED', 'DISABLED']) };
      action['rewrite'] = rewrite;
    }
    spec[kind] = { match, action };
  }
  return {
    apiVersion: AM,
    kind: 'GatewayRoute',
    metadata: { name, namespace: NS, labels: { gw: pick(rng, GATEWAYS) } },
    spec,
  };
}

function mesh(rng: Rng): Json {
  const spec: Record<string, Json> = { namespaceSelector: {} };
  if (chance(rng, 0.5)) spec['egressFilter'] = { type: pick(rng, ['ALLOW_ALL', 'DROP_ALL']) };
  if (chance(rng, 0.2))
    spec['meshServiceDiscovery'] = { ipPreference: pick(rng, ['IPv4_ONLY', 'IPv6_ONLY']) };
  const annotations = chance(rng, 0.3) ? { 'amime.io/match-short-names': 'true' } : undefined;
  return {
    apiVersion: AM,
    kind: 'Mesh',
    metadata: { name: 'm', ...(annotations ? { annotations } : {}) },
    spec,
  };
}

function backendGroup(rng: Rng, name: string): Json {
  const virtualservices = chance(rng, 0.3)
    ? [{ name: '*' }]
    : SERVICES.filter(() => chance(rng, 0.3)).map((s) => ({ name: s }));
  return {
    apiVersion: AM,
    kind: 'BackendGroup',
    metadata: { name, namespace: NS },
    spec: { virtualservices },
  };
}

/** Document keys `Kind/name`, each with its generator. */
export const DOCUMENTS: ReadonlyArray<[string, (rng: Rng) => Json]> = [
  ['Mesh/m', mesh],
  ...NODES.map((n): [string, (rng: Rng) => Json] => [`VirtualNode/${n}`, (rng) => virtualNode(rng, n)]),
  ...SERVICES.map((s): [string, (rng: Rng) => Json] => [
    `VirtualService/${s}`,
    (rng) => virtualService(rng, s),
  ]),
  ...ROUTERS.map((r): [string, (rng: Rng) => Json] => [`VirtualRouter/${r}`, (rng) => virtualRouter(rng, r)]),
  ...GATEWAYS.map((g): [string, (rng: Rng) => Json] => [
    `VirtualGateway/${g}`,
    (rng) => virtualGateway(rng, g),
  ]),
  ...['bg0', 'bg1'].map((b): [string, (rng: Rng) => Json] => [
    `BackendGroup/${b}`,
    (rng) => backendGroup(rng, b),
  ]),
  ...GATEWAY_ROUTES.map((g): [string, (rng: Rng) => Json] => [
    `GatewayRoute/${g}`,
    (rng) => gatewayRoute(rng, g),
  ]),
];

type Parsed = { resource: InputResource } | { invalid: InputInvalid } | undefined;

/** One document as a graph input (parsed once: the object stays the same until the document changes). */
export function parseDocument(doc: Json): Parsed {
  const { input } = graphInputFromLoad(loadText(JSON.stringify(doc), 'random.json'));
  const resource = input.resources[0];
  if (resource) return { resource };
  const invalid = input.invalid?.[0];
  return invalid ? { invalid } : undefined;
}

/** A mutable set of documents, as a store holds them. */
export class RandomMesh {
  readonly docs = new Map<string, Parsed>();

  constructor(private readonly rng: Rng) {
    for (const [key, make] of DOCUMENTS)
      if (key === 'Mesh/m' || chance(rng, 0.8)) this.docs.set(key, parseDocument(make(rng)));
  }

  /** Regenerates, adds or removes one random document; returns its key. */
  mutate(): string {
    const [key, make] = pick(this.rng, DOCUMENTS);
    if (key !== 'Mesh/m' && this.docs.has(key) && chance(this.rng, 0.15)) this.docs.delete(key);
    else this.docs.set(key, parseDocument(make(this.rng)));
    return key;
  }

  graphInput(): GraphInput {
    const resources: InputResource[] = [];
    const invalid: InputInvalid[] = [];
    for (const p of this.docs.values()) {
      if (p && 'resource' in p) resources.push(p.resource);
      else if (p) invalid.push(p.invalid);
    }
    return { resources, invalid };
  }
}

/** Random endpoints: each node known (some with no endpoints) or unknown; some hostnames resolved. */
export function randomEndpoints(rng: Rng): EndpointSource {
  const byNode: Record<string, Endpoint[]> = {};
  const byHost: Record<string, string[]> = {};
  for (const name of [...NODES.map((n) => `${n}_${NS}`), 'custom-a', 'custom-b']) {
    if (chance(rng, 0.5))
      byNode[`m/${name}`] = Array.from({ length: int(rng, 3) }, (_, i) => ({
        address: `10.0.${int(rng, 3)}.${i + 1}`,
        ...(chance(rng, 0.3) ? { zone: pick(rng, ['a', 'b']) } : {}),
      }));
  }
  for (const n of NODES)
    if (chance(rng, 0.5)) byHost[`${n}.${NS}.svc.cluster.local`] = [`10.1.0.${int(rng, 9) + 1}`];
  return staticEndpoints(byNode, byHost);
}

/** ACM material for the first certificate and CA ARNs (the `-missing` ones have none). */
export const RANDOM_ACM = {
  certificate: (arn: string) =>
    arn === ACM_CERT ? { certificateChain: '-----CERT-----', privateKey: '-----KEY-----' } : undefined,
  certificateAuthority: (arn: string) => (arn === ACM_CA ? '-----CA-----' : undefined),
};
