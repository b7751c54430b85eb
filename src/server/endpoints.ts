/**
 * Endpoint sources at the edge of `amime serve`. The translator reads endpoints
 * synchronously through `EndpointSource`; everything that needs I/O (a registry
 * file, DNS answers) is gathered here and handed over as plain tables.
 */
import { readFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import {
  type Endpoint,
  type EndpointHealth,
  type EndpointSource,
  type VirtualNodeRef,
  endpointKey,
} from '../envoy/index.js';
import type { MeshGraph } from '../mesh/index.js';
import { ConfigError } from './config.js';

/**
 * An endpoints file (`amime serve --endpoints-file`, `amime render --endpoints`):
 * instances per virtual node, like Cloud Map's, for meshes that run outside
 * Kubernetes. Keys are `<mesh>/<virtualNode awsName>`; values `ip:port` or
 * `{address, port, zone, health}`. Anything else is an error naming the file: a file
 * in the wrong shape must not quietly mean "no endpoints" (docs/file-formats.md).
 *
 * ```yaml
 * virtualNodes:
 *   mesh-1/vnode-1_mesh-test: ["10.0.0.5:8080", "10.0.0.6:8080"]
 * ```
 */
export function readEndpointsFile(file: string): Map<string, Endpoint[]> {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const shape = `expected a map with one key, virtualNodes: {"<mesh>/<virtualNode>": [endpoints]} (docs/file-formats.md#endpoints-file)`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(`${file}: ${shape}`);
  const unknown = Object.keys(raw).filter((k) => k !== 'virtualNodes');
  if (unknown.length > 0) throw new ConfigError(`${file}: unknown key ${unknown[0]}: ${shape}`);
  const table = new Map<string, Endpoint[]>();
  const nodes = (raw as { virtualNodes?: unknown }).virtualNodes;
  if (nodes === null || typeof nodes !== 'object' || Array.isArray(nodes)) {
    throw new ConfigError(`${file}: virtualNodes must map "<mesh>/<virtualNode>" to a list of endpoints`);
  }
  for (const [key, list] of Object.entries(nodes)) {
    if (!/^[^/]+\/[^/]+$/.test(key))
      throw new ConfigError(`${file}: virtualNodes.${key}: expected a key "<mesh>/<virtualNode awsName>"`);
    if (!Array.isArray(list)) throw new ConfigError(`${file}: virtualNodes.${key}: expected a list`);
    table.set(
      key,
      list.map((item, i) => parseEndpoint(item, `${file}: virtualNodes.${key}[${i}]`)),
    );
  }
  return table;
}

const HEALTH: readonly EndpointHealth[] = ['HEALTHY', 'UNHEALTHY', 'DRAINING', 'UNKNOWN'];

function parseEndpoint(item: unknown, where: string): Endpoint {
  if (typeof item === 'string') {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(item);
    if (!m || isIP(m[1]!.replace(/^\[|\]$/g, '')) === 0)
      throw new ConfigError(`${where}: expected "ip:port", got "${item}"`);
    return { address: m[1]!.replace(/^\[|\]$/g, ''), ...(m[2] ? { port: Number(m[2]) } : {}) };
  }
  const o = item as Partial<Endpoint> | null;
  if (!o || typeof o.address !== 'string' || isIP(o.address) === 0)
    throw new ConfigError(`${where}: expected {address: <ip>, port?, zone?, health?}`);
  if (o.health !== undefined && !HEALTH.includes(o.health))
    throw new ConfigError(
      `${where}: health: expected one of ${HEALTH.join(', ')}, got "${String(o.health)}"`,
    );
  return {
    address: o.address,
    ...(o.port ? { port: o.port } : {}),
    ...(o.zone ? { zone: o.zone } : {}),
    ...(o.health ? { health: o.health } : {}),
  };
}

export interface EndpointChange {
  nodes: VirtualNodeRef[];
  /** DNS names whose answers changed; the owner maps them to virtual nodes (`nodesWithHostnames`). */
  hostnames: string[];
}

/** Virtual nodes discovered through any of `hostnames`. */
export function nodesWithHostnames(graph: MeshGraph, hostnames: readonly string[]): VirtualNodeRef[] {
  const wanted = new Set(hostnames);
  const out: VirtualNodeRef[] = [];
  for (const [mesh, view] of graph.meshes) {
    for (const [name, node] of view.virtualNodes) {
      const hostname = node.resource.spec.serviceDiscovery?.dns?.hostname;
      if (hostname && wanted.has(hostname)) out.push({ mesh, virtualNode: name });
    }
  }
  return out;
}

/** Hostnames of DNS-discovered virtual nodes: what proxyless gRPC clients need resolved. */
export function dnsHostnames(graph: MeshGraph): string[] {
  const names = new Set<string>();
  for (const view of graph.meshes.values()) {
    for (const node of view.virtualNodes.values()) {
      const hostname = node.resource.spec.serviceDiscovery?.dns?.hostname;
      if (hostname) names.add(hostname);
    }
  }
  return [...names].sort();
}

/**
 * Endpoints from a registry table plus DNS answers refreshed in the background. Each
 * change of what it would answer calls `onChange`, so the owner can re-run the
 * pipeline (endpoint-only changes need no graph rebuild, but a full run is cheap and
 * the cache only pushes what changed).
 */
export class EdgeEndpointSource implements EndpointSource {
  private registry = new Map<string, Endpoint[]>();
  private readonly dns = new Map<string, string[]>();
  private wanted: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly onChange: (change: EndpointChange) => void,
    private readonly refreshMs = 30_000,
  ) {}

  endpoints(node: VirtualNodeRef): ReadonlyArray<Endpoint> | undefined {
    return this.registry.get(endpointKey(node));
  }

  resolve(hostname: string): ReadonlyArray<string> | undefined {
    return this.dns.get(hostname);
  }

  setRegistry(table: Map<string, Endpoint[]>): void {
    const keys = new Set([...this.registry.keys(), ...table.keys()]);
    const nodes: VirtualNodeRef[] = [];
    for (const key of keys) {
      if (JSON.stringify(this.registry.get(key)) === JSON.stringify(table.get(key))) continue;
      const [mesh = '', virtualNode = ''] = key.split('/');
      nodes.push({ mesh, virtualNode });
    }
    this.registry = table;
    if (nodes.length > 0) this.onChange({ nodes, hostnames: [] });
  }

  /** Hostnames to keep resolved; new ones are resolved now. */
  watchHostnames(hostnames: readonly string[]): void {
    const fresh = hostnames.filter((h) => !this.dns.has(h));
    this.wanted = [...hostnames];
    if (fresh.length > 0) void this.refresh(fresh);
    if (!this.timer && this.refreshMs > 0) {
      this.timer = setInterval(() => void this.refresh(this.wanted), this.refreshMs);
      this.timer.unref();
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async refresh(hostnames: readonly string[]): Promise<void> {
    const changed: string[] = [];
    await Promise.all(
      hostnames.map(async (hostname) => {
        let addresses: string[] = [];
        try {
          addresses = (await lookup(hostname, { all: true })).map((a) => a.address).sort();
        } catch {
          // Unresolvable names get no endpoints; Envoy sidecars resolve DNS themselves anyway.
        }
        const before = this.dns.get(hostname);
        if (!before || before.join() !== addresses.join()) {
          this.dns.set(hostname, addresses);
          changed.push(hostname);
        }
      }),
    );
    if (changed.length > 0) this.onChange({ nodes: [], hostnames: changed });
  }
}
