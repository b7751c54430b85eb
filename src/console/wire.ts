/**
 * The JSON the console's pages read (`/ui/api/meshes`, `/ui/api/topology`,
 * `/ui/api/resource`). Plain types with no imports, so the browser bundle and the
 * server share them.
 */

export type TopologyKind =
  'VirtualGateway' | 'GatewayRoute' | 'VirtualService' | 'VirtualRouter' | 'Route' | 'VirtualNode';

export type ProxyState = 'SYNCED' | 'STALE' | 'NACKED' | 'NOT SENT';

export interface ProxySummary {
  connected: number;
  /** Replicas the proxies are connected to. */
  replicas: string[];
  /** How many are connected to each of them, in the order of `replicas`. */
  byReplica: { replica: string; connected: number }[];
  synced: number;
  stale: number;
  nacked: number;
  /** One line per rejected type: node id, type and Envoy's message. */
  errors: { nodeId: string; type: string; message: string }[];
}

export interface TopologyNode {
  /** `<Kind>/<name>`, routes `Route/<router>/<route>`. */
  id: string;
  kind: TopologyKind;
  /** App Mesh name. */
  name: string;
  /** A second line: a route's match, a gateway route's prefix. */
  detail?: string;
  /** Virtual nodes and gateways: their proxies. */
  proxies?: ProxySummary;
  /** Error diagnostics and the reason it is not active. */
  problems: string[];
}

export interface TopologyEdge {
  from: string;
  to: string;
  /** A weighted target's share (`50%`), a backend (`backend`). */
  label?: string;
}

export interface Problem {
  severity: 'error' | 'warning';
  /** The node it belongs to, if any. */
  nodeId?: string;
  message: string;
}

export interface Topology {
  mesh: string;
  nodes: TopologyNode[];
  edges: TopologyEdge[];
  /** NACKs first, then errors, then warnings. */
  problems: Problem[];
  /** Set when the server is read-only (`--from`). */
  readOnly?: string;
}

export interface MeshSummary {
  name: string;
  resources: number;
  proxies: number;
  problems: number;
}

export interface MeshesResponse {
  meshes: MeshSummary[];
  readOnly?: string;
}

export interface ResourcePage {
  mesh: string;
  kind: TopologyKind;
  name: string;
  /** The resource as `kubectl get -o yaml` shows it. */
  yaml: string;
  status: unknown;
  /** `file:line: message` where the source is known (`--from`). */
  diagnostics: { severity: string; code: string; message: string; where?: string }[];
  /** Virtual nodes and gateways: the Envoy configuration their proxies receive, per xDS kind. */
  envoy?: Record<string, unknown[]>;
  proxies?: ProxySummary;
}
