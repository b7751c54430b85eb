/** Positions for the topology: dagre's layered layout, left to right, edges as polylines. */
import dagre from '@dagrejs/dagre';
import type { Topology, TopologyNode } from '../wire.js';

export interface PlacedNode {
  node: TopologyNode;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  label?: string;
  points: { x: number; y: number }[];
}

export interface Layout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

const WIDTH = 190;
const heightOf = (n: TopologyNode) =>
  34 + (n.detail ? 14 : 0) + (n.proxies ? 14 : 0) + (n.problems.length > 0 ? 14 : 0);

/**
 * Backend edges (a node calling a service) point back against the flow and make cycles,
 * which cost dagre seconds at 200 nodes: they are left out of the layout and drawn
 * straight; the flow gateway → route → service → router → route → node is laid out alone.
 */
const isBackend = (e: { label?: string }) => e.label === 'backend';

export function layout(t: Pick<Topology, 'nodes' | 'edges'>): Layout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 70, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of t.nodes) g.setNode(n.id, { width: WIDTH, height: heightOf(n) });
  t.edges.forEach((e, i) => {
    if (!isBackend(e))
      g.setEdge(e.from, e.to, { width: e.label ? 34 : 0, height: e.label ? 14 : 0 }, String(i));
  });
  dagre.layout(g);
  const graph = g.graph();
  const at = new Map(t.nodes.map((n) => [n.id, g.node(n.id)]));
  return {
    nodes: t.nodes.map((node) => {
      const p = at.get(node.id)!;
      return { node, x: p.x, y: p.y, width: p.width, height: p.height };
    }),
    edges: t.edges.map((e, i) => {
      const laid = isBackend(e)
        ? undefined
        : (g.edge({ v: e.from, w: e.to, name: String(i) })?.points as { x: number; y: number }[] | undefined);
      const a = at.get(e.from)!;
      const b = at.get(e.to)!;
      return {
        from: e.from,
        to: e.to,
        ...(e.label ? { label: e.label } : {}),
        points: laid
          ? laid.map((p) => ({ x: p.x, y: p.y }))
          : [
              { x: a.x, y: a.y + a.height / 2 },
              { x: b.x, y: b.y + b.height / 2 },
            ],
      };
    }),
    width: graph.width ?? 0,
    height: graph.height ?? 0,
  };
}
