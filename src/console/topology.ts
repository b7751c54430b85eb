/**
 * One mesh as the console draws it: virtual gateways → gateway routes → virtual
 * services → routers → routes (match, weights) → virtual nodes, and each node's
 * backends; every node and gateway with its live proxies (how many, on which replica,
 * in sync, stale or rejecting, with Envoy's message) and its problems. Read from the
 * process's one mesh graph, its diagnostics, the xDS client status and what the other
 * replicas publish of theirs (StatusBoard).
 */
import { nodeIdOf } from '../envoy/index.js';
import type { MeshGraph, MeshView } from '../mesh/index.js';
import type { Diagnostic, ResourceId } from '../model/index.js';
import type { ClientStatus } from '../xds/index.js';
import { proxyStatusRow, STATUS_TYPES, type ProxyStatusRow } from './proxy-status.js';
import type { Problem, ProxySummary, Topology, TopologyEdge, TopologyKind, TopologyNode } from './wire.js';

export interface TopologyInput {
  graph: MeshGraph;
  diagnostics: readonly Diagnostic[];
  clients: readonly ClientStatus[];
  replica: string;
  now: number;
  /** The proxies connected to the other replicas (StatusBoard). */
  elsewhere?: readonly ProxyStatusRow[];
}

const idOf = (kind: TopologyKind, name: string, parent?: string): string =>
  parent === undefined ? `${kind}/${name}` : `${kind}/${parent}/${name}`;

export const sameResource = (a: ResourceId | undefined, b: ResourceId): boolean =>
  a !== undefined && a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');

type Spec = Record<string, Record<string, unknown> | undefined>;

/** `prefix /`, `path /a`, `grpc svc/method`, `tcp`; plus `+N headers`. */
export function matchText(spec: unknown): string | undefined {
  const s = (spec ?? {}) as Spec;
  for (const protocol of ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'] as const) {
    const route = s[protocol];
    if (!route) continue;
    if (protocol === 'tcpRoute') return 'tcp';
    const m = (route.match ?? {}) as Record<string, unknown>;
    const parts: string[] = [];
    if (typeof m.prefix === 'string') parts.push(`prefix ${m.prefix}`);
    const p = m.path as { exact?: string; regex?: string } | undefined;
    if (p?.exact) parts.push(`path ${p.exact}`);
    if (p?.regex) parts.push(`path ~${p.regex}`);
    if (typeof m.serviceName === 'string')
      parts.push(`grpc ${m.serviceName}${m.methodName ? `/${String(m.methodName)}` : ''}`);
    const host = m.hostname as { exact?: string; suffix?: string } | undefined;
    if (host?.exact) parts.push(`host ${host.exact}`);
    if (host?.suffix) parts.push(`host *${host.suffix}`);
    const headers = (m.headers as unknown[] | undefined)?.length ?? 0;
    if (headers > 0) parts.push(`+${headers} header${headers === 1 ? '' : 's'}`);
    return parts.join(' ') || protocol.replace('Route', '');
  }
  return undefined;
}

export function summarize(rows: readonly ProxyStatusRow[]): ProxySummary {
  const out: ProxySummary = {
    connected: rows.length,
    replicas: [],
    byReplica: [],
    synced: 0,
    stale: 0,
    nacked: 0,
    errors: [],
  };
  for (const row of rows) {
    if (!out.replicas.includes(row.replica)) out.replicas.push(row.replica);
    if (row.state === 'NACKED') out.nacked++;
    else if (row.state === 'STALE') out.stale++;
    else out.synced++;
    for (const t of STATUS_TYPES)
      if (row.types[t].state === 'NACKED')
        out.errors.push({ nodeId: row.nodeId, type: t, message: row.types[t].error ?? '' });
  }
  out.replicas.sort();
  out.byReplica = out.replicas.map((replica) => ({
    replica,
    connected: rows.filter((r) => r.replica === replica).length,
  }));
  return out;
}

/** A virtual node's Envoys and its proxyless gRPC clients (`…#grpc`) are one node in the picture. */
export const pictureGroup = (c: { group: string }): string => c.group.replace(/#grpc$/, '');

/** This replica's proxies and the other replicas', as rows. */
export function allRows(
  input: Pick<TopologyInput, 'clients' | 'replica' | 'now' | 'elsewhere'>,
): ProxyStatusRow[] {
  return [
    ...input.clients.map((c) => proxyStatusRow(c, input.replica, input.now, null)),
    ...(input.elsewhere ?? []),
  ];
}

function proxiesByGroup(rows: readonly ProxyStatusRow[]): Map<string, ProxyStatusRow[]> {
  const m = new Map<string, ProxyStatusRow[]>();
  for (const r of rows) {
    const key = pictureGroup(r);
    m.set(key, [...(m.get(key) ?? []), r]);
  }
  return m;
}

export function meshTopology(mesh: string, view: MeshView, input: TopologyInput): Topology {
  const nodes: TopologyNode[] = [];
  const edges: TopologyEdge[] = [];
  const problems: Problem[] = [];
  const byGroup = proxiesByGroup(allRows(input));
  const members: ResourceId[] = [view.mesh.id];
  /** Why it is inactive and its errors; it is remembered as a member, whose warnings the mesh lists. */
  const errorsOf = (id: ResourceId, inactive: { message: string } | undefined): string[] => {
    members.push(id);
    return [
      ...(inactive ? [inactive.message] : []),
      ...input.diagnostics
        .filter((d) => d.severity === 'error' && sameResource(d.resource, id))
        .map((d) => d.message),
    ];
  };
  const add = (node: TopologyNode) => {
    nodes.push(node);
    for (const p of node.problems)
      problems.push({ severity: 'error', nodeId: node.id, message: `${node.kind} ${node.name}: ${p}` });
    for (const e of node.proxies?.errors ?? [])
      problems.push({
        severity: 'error',
        nodeId: node.id,
        message: `${e.nodeId} rejected ${e.type}: ${e.message}`,
      });
  };
  const proxies = (kind: 'virtualNode' | 'virtualGateway', name: string) =>
    summarize(byGroup.get(nodeIdOf(mesh, kind, name)) ?? []);

  for (const [name, vn] of view.virtualNodes) {
    add({
      id: idOf('VirtualNode', name),
      kind: 'VirtualNode',
      name,
      proxies: proxies('virtualNode', name),
      problems: errorsOf(vn.id, vn.inactive),
    });
    for (const b of vn.backends)
      if (b.found)
        edges.push({
          from: idOf('VirtualNode', name),
          to: idOf('VirtualService', b.serviceName),
          label: 'backend',
        });
  }
  for (const [name, vs] of view.virtualServices) {
    add({
      id: idOf('VirtualService', name),
      kind: 'VirtualService',
      name,
      problems: errorsOf(vs.id, vs.inactive),
    });
    const p = vs.provider;
    if (p?.kind === 'virtualNode')
      edges.push({ from: idOf('VirtualService', name), to: idOf('VirtualNode', p.node.awsName) });
    if (p?.kind === 'virtualRouter')
      edges.push({ from: idOf('VirtualService', name), to: idOf('VirtualRouter', p.router.awsName) });
  }
  for (const [name, vr] of view.virtualRouters) {
    add({
      id: idOf('VirtualRouter', name),
      kind: 'VirtualRouter',
      name,
      problems: errorsOf(vr.id, vr.inactive),
    });
    for (const route of vr.routes) {
      const rid = idOf('Route', route.name, name);
      const detail = matchText(route.spec);
      add({ id: rid, kind: 'Route', name: route.name, ...(detail ? { detail } : {}), problems: [] });
      edges.push({ from: idOf('VirtualRouter', name), to: rid });
      const total = route.targets.reduce((s, t) => s + t.weight, 0);
      for (const t of route.targets)
        edges.push({
          from: rid,
          to: idOf('VirtualNode', t.node.awsName),
          label: total > 0 ? `${Math.round((t.weight / total) * 100)}%` : '0%',
        });
    }
  }
  for (const [name, vg] of view.virtualGateways) {
    add({
      id: idOf('VirtualGateway', name),
      kind: 'VirtualGateway',
      name,
      proxies: proxies('virtualGateway', name),
      problems: errorsOf(vg.id, vg.inactive),
    });
    for (const gr of vg.routes) {
      const gid = idOf('GatewayRoute', gr.awsName, name);
      const detail = matchText(gr.resource.spec);
      add({
        id: gid,
        kind: 'GatewayRoute',
        name: gr.awsName,
        ...(detail ? { detail } : {}),
        problems: errorsOf(gr.id, gr.inactive),
      });
      edges.push({ from: idOf('VirtualGateway', name), to: gid });
      edges.push({ from: gid, to: idOf('VirtualService', gr.target.service.awsName) });
    }
  }
  const ids = new Set(nodes.map((n) => n.id));
  for (const d of input.diagnostics)
    if (d.severity === 'warning' && members.some((m) => sameResource(d.resource, m)))
      problems.push({ severity: 'warning', message: d.message });
  const rank = (p: Problem) => (p.message.includes(' rejected ') ? 0 : p.severity === 'error' ? 1 : 2);
  return {
    mesh,
    nodes,
    edges: edges.filter((e) => ids.has(e.from) && ids.has(e.to)),
    problems: problems.sort((a, b) => rank(a) - rank(b)),
  };
}
