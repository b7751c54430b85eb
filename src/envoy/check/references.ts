/**
 * Consistency of one proxy group's resources with each other: what Envoy would only
 * find out at run time (a 503 for a route to a missing cluster, a cluster stuck
 * warming without its ClusterLoadAssignment) or reject whole (duplicate names or
 * domains, two filter chains with the same match).
 *
 * Works on decoded plain objects (decodeMessage's form: enums as names); nested Anys
 * (HCM, tcp_proxy, TLS contexts) are unpacked when their type is loaded.
 */
import {
  isPlainAny,
  unpackAny,
  type AnyCache,
  isPlainObject,
  EXT,
  XDS_KINDS,
  XDS_SHORT_NAME,
  resourceNameOf,
  type XdsKind,
} from '../../proto/index.js';
import type { CheckProblem } from './problem.js';

/** The resources of one proxy group, by kind. */
export interface ResourceSet {
  listeners: readonly object[];
  routes: readonly object[];
  clusters: readonly object[];
  endpoints: readonly object[];
  secrets: readonly object[];
}

type R = Record<string, unknown>;
const obj = (v: unknown): R | undefined => (isPlainObject(v) ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const join = (path: string, name: string): string => (path === '' ? name : `${path}.${name}`);
/** A decoded wrapper (`{ value: 5 }`; `{}` is a set wrapper holding 0) or undefined. */
const wrapped = (v: unknown): number | undefined => {
  const o = obj(v);
  if (!o) return undefined;
  const x = o['value'];
  return typeof x === 'number' ? x : typeof x === 'string' ? Number(x) : 0;
};

const TERMINAL_NETWORK_FILTERS = new Set<string>([EXT.httpConnectionManager, EXT.tcpProxy]);
const TERMINAL_HTTP_FILTERS = new Set<string>([EXT.router]);
const MAX_MATCH_COMBINATIONS = 10_000;

/** Served by this control plane (ADS, or `self`, or unset), so the named resource must be in the set. */
function fromUs(configSource: unknown): boolean {
  const cs = obj(configSource);
  return !cs || 'ads' in cs || 'self' in cs;
}

function ipv4Bits(a: string): bigint | undefined {
  const parts = a.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

function ipv6Bits(a: string): bigint | undefined {
  const [head, tail, extra] = a.split('::');
  if (extra !== undefined) return undefined;
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) return undefined;
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return v;
}

/** `10.1.2.3/8` → `10.0.0.0/8`: Envoy matches on the masked range. */
function cidrKey(range: unknown): string {
  const r = obj(range) ?? {};
  const addr = str(r['address_prefix']);
  const len = wrapped(r['prefix_len']) ?? 0;
  const v4 = ipv4Bits(addr);
  const bits = v4 !== undefined ? 32 : 128;
  const value = v4 ?? ipv6Bits(addr);
  if (value === undefined) return `${addr}/${len}`;
  const l = BigInt(Math.min(len, bits));
  const mask = ((1n << l) - 1n) << BigInt(bits - Number(l));
  return `${bits === 32 ? 'v4' : 'v6'}:${(value & mask).toString(16)}/${l}`;
}

/** Every (port, ip, server name, ...) combination a FilterChainMatch claims, as strings. */
function matchCombinations(match: unknown): string[] {
  const m = obj(match) ?? {};
  const list = (v: unknown[], f: (x: unknown) => string): string[] =>
    v.length === 0 ? ['*'] : [...new Set(v.map(f))];
  const dims: string[][] = [
    [String(wrapped(m['destination_port']) ?? '*')],
    list(arr(m['prefix_ranges']), cidrKey),
    list(arr(m['server_names']), (x) => str(x).toLowerCase()),
    [str(m['transport_protocol']) || '*'],
    list(arr(m['application_protocols']), str),
    list(arr(m['direct_source_prefix_ranges']), cidrKey),
    [str(m['source_type']) || 'ANY'],
    list(arr(m['source_prefix_ranges']), cidrKey),
    list(arr(m['source_ports']), String),
  ];
  const total = dims.reduce((n, d) => n * d.length, 1);
  if (total > MAX_MATCH_COMBINATIONS) return [dims.map((d) => [...d].sort().join(',')).join('|')];
  let out = [''];
  for (const d of dims) out = out.flatMap((prefix) => d.map((x) => `${prefix}|${x}`));
  return out;
}

/** A problem a resource has whatever else is in its group, or has unless the group holds the name it `need`s. */
interface Finding {
  readonly path: string;
  readonly rule: string;
  readonly message: string;
  readonly need?: NeededKind;
  readonly name?: string;
}
type NeededKind = 'clusters' | 'endpoints' | 'routes' | 'secrets';

/** What walking one resource (or one virtual host's routes) found, in walk order. */
interface Findings {
  readonly entries: readonly Finding[];
  /** A listener's bound address, which no other listener of the group may bind. */
  readonly address?: string | undefined;
}

/**
 * Findings kept on the decoded resource (and virtual host) they were found in. The check
 * memo gives an unchanged resource the same decoded object in every group and run, so it
 * is walked once: a change of one route re-walks the virtual host it is in, not the
 * group's ~200 others. A slot on the object, not a weak map keyed by it: the decoded
 * objects are reachable only through the memo's entries, and a weak map of such keys is
 * resolved in chains in the pause of every full collection (src/envoy/check/index.ts).
 */
export interface FindingsMemo {
  /** Resources used as written, not decoded: the caller's objects, on which nothing is kept. */
  readonly asWritten: ReadonlySet<object>;
}

const FINDINGS = Symbol('amime.check.findings');
type WithFindings = { [FINDINGS]?: Findings };

class ReferenceChecker {
  readonly problems: CheckProblem[] = [];
  private readonly names: Record<XdsKind, Set<string>>;
  /** The kinds whose names are in `names`. */
  private readonly gathered: Record<XdsKind, boolean> = {
    listeners: false,
    routes: false,
    clusters: false,
    endpoints: false,
    secrets: false,
  };
  private kind: XdsKind = 'listeners';
  private index = 0;
  private name = '';
  /** Whether the resource under way is a decoded one, whose findings are kept on it. */
  private keep = false;
  /** Where a walk records its findings. */
  private entries: Finding[] = [];
  private address: string | undefined;

  constructor(
    private readonly set: ResourceSet,
    private readonly cache: AnyCache,
    suppliedSecrets: Iterable<string>,
    private readonly memo: FindingsMemo | undefined,
  ) {
    this.names = {
      listeners: new Set(),
      routes: new Set(),
      clusters: new Set(),
      endpoints: new Set(),
      secrets: new Set(suppliedSecrets),
    };
  }

  /**
   * The reference findings of the `changed` resources only (index lists per kind), for a
   * set whose other resources, names and supplied secrets are those of a set that passed
   * the check (checkChangedReferences). Names are gathered only for the kinds a finding
   * needs; the duplicate-name and bound-address checks are not run (names unchanged; the
   * caller re-checks in full when a listener changed).
   */
  runChanged(changed: ChangedIndexes, keptHost: KeptHost): CheckProblem[] {
    for (const i of changed.clusters ?? []) {
      const c = this.set.clusters[i]!;
      this.at('clusters', i, c);
      this.replay(this.findings(c, () => this.cluster(c as R)));
    }
    for (const i of changed.routes ?? []) this.routeConfigurationAt(i, (k) => keptHost(i, k));
    return this.problems;
  }

  /** The names of a kind in the set: gathered by `duplicates` in a full run, else when first needed. */
  private namesOf(kind: XdsKind): ReadonlySet<string> {
    if (!this.gathered[kind]) {
      this.gathered[kind] = true;
      for (const r of this.set[kind]) {
        const name = resourceNameOf(kind, r);
        if (name !== '') this.names[kind].add(name);
      }
    }
    return this.names[kind];
  }

  private at(kind: XdsKind, index: number, resource: object): void {
    this.kind = kind;
    this.index = index;
    this.name = resourceNameOf(kind, resource);
    this.keep = this.memo !== undefined && !this.memo.asWritten.has(resource);
  }

  private report(path: string, rule: string, message: string): void {
    this.problems.push({ kind: this.kind, index: this.index, name: this.name, path, rule, message });
  }

  private push(path: string, rule: string, message: string): void {
    this.entries.push({ path, rule, message });
  }

  /** A problem unless the group has a `kind` resource named `name`. */
  private need(kind: NeededKind, name: string, path: string, rule: string, message: string): void {
    this.entries.push({ path, rule, message, need: kind, name });
  }

  /** The findings of `walk` over `subject` (kept on it when there is a memo). */
  private findings(subject: object, walk: () => void): Findings {
    const hit = this.keep ? (subject as WithFindings)[FINDINGS] : undefined;
    if (hit) return hit;
    const saved = { entries: this.entries, address: this.address };
    this.entries = [];
    this.address = undefined;
    let out: Findings;
    try {
      walk();
      out = { entries: this.entries, address: this.address };
    } finally {
      this.entries = saved.entries;
      this.address = saved.address;
    }
    // Not enumerable: invisible to the walks, copies and comparisons of the decoded object.
    if (this.keep) Object.defineProperty(subject, FINDINGS, { value: out });
    return out;
  }

  /** Reports what the walk under way (not memoised) recorded so far, and starts afresh. */
  private flush(): void {
    this.replay({ entries: this.entries });
    this.entries = [];
  }

  /** Reports the findings that hold in this group, their paths under `prefix`. */
  private replay(f: Findings, prefix = ''): void {
    for (const e of f.entries) {
      if (e.need !== undefined && this.namesOf(e.need).has(e.name ?? '')) continue;
      this.report(join(prefix, e.path), e.rule, e.message);
    }
  }

  private unpack(any: unknown): { typeName: string; message: R } | undefined {
    if (!isPlainAny(any)) return undefined;
    try {
      return unpackAny(any, this.cache);
    } catch {
      return undefined; // malformed payloads are the PGV pass's to report
    }
  }

  run(): CheckProblem[] {
    for (const kind of XDS_KINDS) this.duplicates(kind);
    this.set.clusters.forEach((c, i) => {
      this.at('clusters', i, c);
      this.replay(this.findings(c, () => this.cluster(c as R)));
    });
    const addresses = new Map<string, number>();
    this.set.listeners.forEach((l, i) => {
      this.at('listeners', i, l);
      const f = this.findings(l, () => this.listener(l as R));
      if (f.address !== undefined) {
        const j = addresses.get(f.address);
        if (j !== undefined)
          this.report('address', 'xds.duplicate_address', `listeners[${j}] already binds ${f.address}`);
        else addresses.set(f.address, this.index);
      }
      this.replay(f);
    });
    this.set.routes.forEach((_, i) => this.routeConfigurationAt(i));
    return this.problems;
  }

  /** `kept(k)`: virtual_hosts[k]'s findings are known to hold (see runChanged), so they are not replayed. */
  private routeConfigurationAt(i: number, kept?: (host: number) => boolean): void {
    const r = this.set.routes[i]!;
    this.at('routes', i, r);
    // The checks across virtual hosts are walked here, in order with each virtual host's
    // routes, which are walked once (memoised) and reported under the virtual host's path.
    this.routeConfiguration(r as R, '', (vh, vp, k) => {
      this.flush();
      if (kept?.(k)) return;
      this.replay(
        this.findings(vh, () => this.routes(vh, '')),
        vp,
      );
    });
    this.flush();
  }

  private duplicates(kind: XdsKind): void {
    this.gathered[kind] = true;
    const first = new Map<string, number>();
    this.set[kind].forEach((r, i) => {
      this.at(kind, i, r);
      if (this.name === '') return; // an empty name is the name field's own PGV rule
      this.names[kind].add(this.name);
      const j = first.get(this.name);
      if (j === undefined) first.set(this.name, i);
      else
        this.report(
          kind === 'endpoints' ? 'cluster_name' : 'name',
          'xds.duplicate_name',
          `${XDS_SHORT_NAME[kind]} ${kind}[${j}] has the same name`,
        );
    });
  }

  private requireCluster(name: string, path: string, from: string): void {
    this.need(
      'clusters',
      name,
      path,
      'xds.missing_cluster',
      `${from} names cluster ${JSON.stringify(name)}, which is not in this proxy group's clusters`,
    );
  }

  private cluster(c: R): void {
    if (c['type'] === 'EDS' || c['type'] === 3) {
      const eds = obj(c['eds_cluster_config']) ?? {};
      const serviceName = str(eds['service_name']);
      const wanted = serviceName || this.name;
      if (fromUs(eds['eds_config'])) {
        this.need(
          'endpoints',
          wanted,
          serviceName ? 'eds_cluster_config.service_name' : 'name',
          'xds.missing_endpoints',
          `EDS cluster has no ClusterLoadAssignment with cluster_name ${JSON.stringify(wanted)}; Envoy would keep it warming`,
        );
      }
    }
    const custom = obj(c['cluster_type']);
    const aggregate = custom ? this.unpack(custom['typed_config']) : undefined;
    if (aggregate?.typeName === EXT.aggregateCluster) {
      arr(aggregate.message['clusters']).forEach((n, i) =>
        this.requireCluster(str(n), `cluster_type.typed_config.clusters[${i}]`, 'aggregate cluster'),
      );
    }
    this.transportSocket(c['transport_socket'], 'transport_socket');
    arr(c['transport_socket_matches']).forEach((m, i) =>
      this.transportSocket(obj(m)?.['transport_socket'], `transport_socket_matches[${i}].transport_socket`),
    );
  }

  private transportSocket(ts: unknown, path: string): void {
    const tls = this.unpack(obj(ts)?.['typed_config']);
    if (!tls || (tls.typeName !== EXT.upstreamTlsContext && tls.typeName !== EXT.downstreamTlsContext))
      return;
    const base = join(path, 'typed_config.common_tls_context');
    const common = obj(tls.message['common_tls_context']) ?? {};
    const refs: [unknown, string][] = arr(common['tls_certificate_sds_secret_configs']).map((s, i) => [
      s,
      `${base}.tls_certificate_sds_secret_configs[${i}]`,
    ]);
    refs.push([
      common['validation_context_sds_secret_config'],
      `${base}.validation_context_sds_secret_config`,
    ]);
    const combined = obj(common['combined_validation_context']);
    if (combined)
      refs.push([
        combined['validation_context_sds_secret_config'],
        `${base}.combined_validation_context.validation_context_sds_secret_config`,
      ]);
    for (const [sds, p] of refs) {
      const s = obj(sds);
      if (!s || !obj(s['sds_config'])) continue; // no sds_config: a static secret from the bootstrap
      if (fromUs(s['sds_config'])) {
        this.need(
          'secrets',
          str(s['name']),
          join(p, 'name'),
          'xds.missing_secret',
          `SDS secret ${JSON.stringify(str(s['name']))} is not in this proxy group's secrets`,
        );
      }
    }
  }

  private listener(l: R): void {
    const sock = obj(obj(l['address'])?.['socket_address']);
    const bind = obj(l['bind_to_port']);
    if (sock && (!bind || bind['value'] === true))
      this.address = `${str(sock['protocol']) || 'TCP'} ${str(sock['address'])}:${String(sock['port_value'] ?? sock['named_port'] ?? 0)}`;
    const seen = new Map<string, number>();
    arr(l['filter_chains']).forEach((fc, i) => {
      const chain = obj(fc) ?? {};
      const path = `filter_chains[${i}]`;
      let clash: number | undefined;
      for (const key of matchCombinations(chain['filter_chain_match'])) {
        const j = seen.get(key);
        if (j !== undefined && j !== i) clash ??= j;
        else seen.set(key, i);
      }
      if (clash !== undefined)
        this.push(
          join(path, 'filter_chain_match'),
          'xds.duplicate_filter_chain_match',
          `matches the same connections as filter_chains[${clash}]`,
        );
      this.filterChain(chain, path);
    });
    const def = obj(l['default_filter_chain']);
    if (def) this.filterChain(def, 'default_filter_chain');
    const api = obj(l['api_listener']);
    const hcm = api ? this.unpack(api['api_listener']) : undefined;
    if (hcm?.typeName === EXT.httpConnectionManager) this.hcm(hcm.message, 'api_listener.api_listener');
  }

  private filterChain(chain: R, path: string): void {
    const filters = arr(chain['filters']);
    filters.forEach((f, i) => {
      const p = `${path}.filters[${i}]`;
      const inner = this.unpack(obj(f)?.['typed_config']);
      if (!inner) return;
      if (TERMINAL_NETWORK_FILTERS.has(inner.typeName) && i !== filters.length - 1) {
        this.push(
          p,
          'xds.filter_order',
          `${inner.typeName} is a terminal filter and must be the last in the chain`,
        );
      }
      if (inner.typeName === EXT.httpConnectionManager) this.hcm(inner.message, `${p}.typed_config`);
      else if (inner.typeName === EXT.tcpProxy) this.tcpProxy(inner.message, `${p}.typed_config`);
    });
    this.transportSocket(chain['transport_socket'], join(path, 'transport_socket'));
  }

  private hcm(hcm: R, path: string): void {
    const rds = obj(hcm['rds']);
    if (rds && fromUs(rds['config_source'])) {
      const name = str(rds['route_config_name']);
      this.need(
        'routes',
        name,
        `${path}.rds.route_config_name`,
        'xds.missing_route_configuration',
        `RDS names RouteConfiguration ${JSON.stringify(name)}, which is not in this proxy group's routes`,
      );
    }
    const inline = obj(hcm['route_config']);
    if (inline) this.routeConfiguration(inline, `${path}.route_config`);
    const filters = arr(hcm['http_filters']);
    filters.forEach((f, i) => {
      const typeName = this.unpack(obj(f)?.['typed_config'])?.typeName;
      if (typeName === undefined) return;
      const last = i === filters.length - 1;
      if (TERMINAL_HTTP_FILTERS.has(typeName) && !last)
        this.push(
          `${path}.http_filters[${i}]`,
          'xds.filter_order',
          `${typeName} is a terminal filter and must be the last http filter`,
        );
      if (!TERMINAL_HTTP_FILTERS.has(typeName) && last)
        this.push(
          `${path}.http_filters[${i}]`,
          'xds.filter_order',
          `the last http filter must be a terminal one (the router), not ${typeName}`,
        );
    });
  }

  private tcpProxy(tp: R, path: string): void {
    const cluster = tp['cluster'];
    if (typeof cluster === 'string') this.requireCluster(cluster, `${path}.cluster`, 'tcp_proxy');
    const wc = obj(tp['weighted_clusters']);
    if (!wc) return;
    let total = 0;
    arr(wc['clusters']).forEach((cw, i) => {
      const w = obj(cw) ?? {};
      total += typeof w['weight'] === 'number' ? w['weight'] : 0;
      this.requireCluster(str(w['name']), `${path}.weighted_clusters.clusters[${i}].name`, 'tcp_proxy');
    });
    if (total <= 0)
      this.push(
        `${path}.weighted_clusters`,
        'xds.weighted_clusters_total',
        'the weights must add up to more than 0',
      );
  }

  /** `routesOf`: what checks a virtual host's routes (by default: walk them here). */
  private routeConfiguration(
    rc: R,
    path: string,
    routesOf: (vh: R, vp: string, index: number) => void = (vh, vp) => this.routes(vh, vp),
  ): void {
    const domains = new Map<string, number>();
    const vhostNames = new Map<string, number>();
    arr(rc['virtual_hosts']).forEach((vhv, i) => {
      const vh = obj(vhv) ?? {};
      const vp = join(path, `virtual_hosts[${i}]`);
      const name = str(vh['name']);
      const j = vhostNames.get(name);
      if (j !== undefined)
        this.push(
          `${vp}.name`,
          'xds.duplicate_virtual_host',
          `virtual_hosts[${j}] has the same name ${JSON.stringify(name)}`,
        );
      else vhostNames.set(name, i);
      arr(vh['domains']).forEach((d, k) => {
        const domain = str(d).toLowerCase();
        const prev = domains.get(domain);
        if (prev !== undefined)
          this.push(
            `${vp}.domains[${k}]`,
            'xds.duplicate_domain',
            `domain ${JSON.stringify(domain)} is already in virtual_hosts[${prev}]; Envoy rejects the route configuration`,
          );
        else domains.set(domain, i);
      });
      routesOf(vh, vp, i);
    });
  }

  private routes(vh: R, vp: string): void {
    arr(vh['routes']).forEach((r, k) => this.route(obj(r) ?? {}, join(vp, `routes[${k}]`)));
  }

  private route(route: R, path: string): void {
    const action = obj(route['route']);
    if (!action) return;
    const ap = `${path}.route`;
    if (typeof action['cluster'] === 'string')
      this.requireCluster(action['cluster'], `${ap}.cluster`, 'route');
    const wc = obj(action['weighted_clusters']);
    if (wc) {
      let total = 0;
      arr(wc['clusters']).forEach((cwv, i) => {
        const cw = obj(cwv) ?? {};
        total += wrapped(cw['weight']) ?? 0;
        if (typeof cw['cluster_header'] === 'string' && cw['cluster_header'] !== '') return;
        this.requireCluster(str(cw['name']), `${ap}.weighted_clusters.clusters[${i}].name`, 'weighted route');
      });
      const declared = wrapped(wc['total_weight']);
      if (total <= 0)
        this.push(
          `${ap}.weighted_clusters`,
          'xds.weighted_clusters_total',
          'the cluster weights must add up to more than 0',
        );
      else if (total > 4294967295)
        this.push(
          `${ap}.weighted_clusters`,
          'xds.weighted_clusters_total',
          `the cluster weights add up to ${total}, more than 4294967295`,
        );
      else if (declared !== undefined && declared !== total)
        this.push(
          `${ap}.weighted_clusters.total_weight`,
          'xds.weighted_clusters_total',
          `total_weight is ${declared} but the weights add up to ${total}`,
        );
    }
    arr(action['request_mirror_policies']).forEach((m, i) => {
      const c = obj(m)?.['cluster'];
      if (typeof c === 'string')
        this.requireCluster(c, `${ap}.request_mirror_policies[${i}].cluster`, 'request mirror policy');
    });
  }
}

/** Positions of the resources of a set that changed, by kind, ascending. */
export type ChangedIndexes = Partial<Record<XdsKind, readonly number[]>>;

/**
 * Whether virtual_hosts[host] of the changed routes[route] is the virtual host the passed
 * set had there: its findings held then, under the same names, so they hold now.
 */
export type KeptHost = (route: number, host: number) => boolean;

/**
 * checkReferences of a set that differs from one that passed it (no problem, the same
 * supplied secrets) only in the `changed` clusters and route configurations (and in
 * endpoints and secrets, which refer to nothing), each keeping its name. An unchanged
 * resource's findings (and a `keptHost`'s) are then those it had, all satisfied by the
 * same names, so the result is what checkReferences gives for the whole set, in the
 * same order.
 */
export function checkChangedReferences(
  set: ResourceSet,
  changed: ChangedIndexes,
  keptHost: KeptHost,
  anyCache: AnyCache,
  suppliedSecrets: Iterable<string>,
  memo: FindingsMemo | undefined,
): CheckProblem[] {
  if ((changed.listeners?.length ?? 0) > 0)
    throw new Error('checkChangedReferences: a changed listener needs the full check (bound addresses)');
  return new ReferenceChecker(set, anyCache, suppliedSecrets, memo).runChanged(changed, keptHost);
}

/**
 * Cross-resource checks over one proxy group's decoded resources: clusters named by
 * routes, tcp_proxy and aggregate clusters exist; every EDS cluster has its
 * ClusterLoadAssignment; every RDS name and ADS-served SDS secret exists; weighted
 * clusters weigh more than 0; names are unique per kind, domains per route
 * configuration, bound addresses per group, and filter chain matches per listener;
 * terminal filters come last.
 */
/** `suppliedSecrets`: SDS secret names served over ADS with the group though not in `set`. */
export function checkReferences(
  set: ResourceSet,
  anyCache: AnyCache = new WeakMap(),
  suppliedSecrets: Iterable<string> = [],
  memo?: FindingsMemo,
): CheckProblem[] {
  return new ReferenceChecker(set, anyCache, suppliedSecrets, memo).run();
}
