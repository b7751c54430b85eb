/**
 * The topology as SVG: laid out once per topology, zoomed with the wheel, panned by
 * dragging, searched (matches outlined, the view moves to the first), and focused on
 * one node's neighbourhood. Nodes with rejected configuration or errors are red.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ProxySummary, Topology, TopologyNode } from '../wire.js';
import { layout, type PlacedNode } from './layout.js';

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function stateOf(n: TopologyNode): string {
  if (n.problems.length > 0) return 'problem';
  const p = n.proxies;
  if (!p || p.connected === 0) return 'none';
  return p.nacked > 0 ? 'nacked' : p.stale > 0 ? 'stale' : 'synced';
}

/** `replica-a`, or `replica-a: 2, replica-b: 1` when they are on several. */
export function replicaText(p: ProxySummary): string {
  const on = p.byReplica;
  if (on.length <= 1) return on[0]?.replica ?? 'none';
  return on.map((r) => `${r.replica}: ${r.connected}`).join(', ');
}

function proxyLine(n: TopologyNode): string | undefined {
  const p = n.proxies;
  if (!p) return undefined;
  if (p.connected === 0) return 'no proxy connected';
  const parts = [`${p.connected} connected`];
  if (p.nacked) parts.push(`${p.nacked} NACKED`);
  if (p.stale) parts.push(`${p.stale} stale`);
  if (p.synced) parts.push(`${p.synced} in sync`);
  return `${parts.join(' · ')} (${replicaText(p)})`;
}

/** The ids of `id` and every node one edge away. */
function neighbourhood(t: Topology, id: string): Set<string> {
  const out = new Set([id]);
  for (const e of t.edges) {
    if (e.from === id) out.add(e.to);
    if (e.to === id) out.add(e.from);
  }
  return out;
}

export function GraphView(props: { topology: Topology; onOpen: (n: TopologyNode) => void }) {
  const [search, setSearch] = useState('');
  const [focus, setFocus] = useState<string | undefined>(undefined);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const shown = useMemo<Topology>(() => {
    if (!focus || !props.topology.nodes.some((n) => n.id === focus)) return props.topology;
    const keep = neighbourhood(props.topology, focus);
    return {
      ...props.topology,
      nodes: props.topology.nodes.filter((n) => keep.has(n.id)),
      edges: props.topology.edges.filter((e) => keep.has(e.from) && keep.has(e.to)),
    };
  }, [props.topology, focus]);
  const placed = useMemo(() => layout(shown), [shown]);
  const [box, setBox] = useState<Box>({ x: 0, y: 0, w: 1, h: 1 });
  const svg = useRef<SVGSVGElement>(null);
  const drag = useRef<{ x: number; y: number; box: Box } | undefined>(undefined);

  useEffect(
    () => setBox({ x: 0, y: 0, w: Math.max(placed.width, 400), h: Math.max(placed.height, 300) }),
    [placed],
  );
  useEffect(() => {
    // The render time of the last layout, for the 200-node check and the curious.
    document.body.dataset.graphNodes = String(placed.nodes.length);
    document.body.dataset.graphRenderedAt = String(performance.now());
  }, [placed]);

  const term = search.trim().toLowerCase();
  const matches = term ? placed.nodes.filter((p) => p.node.name.toLowerCase().includes(term)) : [];
  useEffect(() => {
    const first = matches[0];
    if (first) setBox((b) => ({ ...b, x: first.x - b.w / 2, y: first.y - b.h / 2 }));
  }, [term]);

  const toSvg = (ev: { clientX: number; clientY: number }) => {
    const r = svg.current!.getBoundingClientRect();
    return {
      x: box.x + ((ev.clientX - r.left) / r.width) * box.w,
      y: box.y + ((ev.clientY - r.top) / r.height) * box.h,
    };
  };
  const onWheel = (ev: WheelEvent) => {
    ev.preventDefault();
    const at = toSvg(ev);
    const k = ev.deltaY > 0 ? 1.15 : 1 / 1.15;
    setBox((b) => ({ x: at.x - (at.x - b.x) * k, y: at.y - (at.y - b.y) * k, w: b.w * k, h: b.h * k }));
  };
  const onDown = (ev: PointerEvent) => {
    drag.current = { x: ev.clientX, y: ev.clientY, box };
  };
  const onMove = (ev: PointerEvent) => {
    const d = drag.current;
    if (!d || !svg.current) return;
    const r = svg.current.getBoundingClientRect();
    setBox({
      ...d.box,
      x: d.box.x - ((ev.clientX - d.x) / r.width) * d.box.w,
      y: d.box.y - ((ev.clientY - d.y) / r.height) * d.box.h,
    });
  };
  const matchIds = new Set(matches.map((m) => m.node.id));

  const nodeView = (p: PlacedNode) => {
    const n = p.node;
    const lines: { text: string; cls: string }[] = [
      { text: n.kind, cls: 'kind' },
      { text: n.name, cls: 'name' },
      ...(n.detail ? [{ text: n.detail, cls: 'detail' }] : []),
      ...(proxyLine(n) ? [{ text: proxyLine(n)!, cls: 'proxies' }] : []),
      ...(n.problems.length > 0 ? [{ text: n.problems[0]!, cls: 'error' }] : []),
      ...(n.proxies?.errors[0] ? [{ text: n.proxies.errors[0].message, cls: 'error' }] : []),
    ];
    const cls = [
      'node',
      n.kind,
      stateOf(n),
      matchIds.has(n.id) ? 'match' : '',
      selected === n.id ? 'selected' : '',
    ].join(' ');
    return (
      <g
        key={n.id}
        class={cls}
        data-id={n.id}
        data-state={stateOf(n)}
        transform={`translate(${p.x - p.width / 2},${p.y - p.height / 2})`}
        onClick={(ev) => {
          ev.stopPropagation();
          setSelected(n.id);
        }}
        onDblClick={() => props.onOpen(n)}
      >
        <title>{[n.kind, n.name, ...lines.slice(2).map((l) => l.text)].join('\n')}</title>
        <rect width={p.width} height={Math.max(p.height, lines.length * 14 + 8)} />
        {lines.map((l, i) => (
          <text class={l.cls} x={8} y={16 + i * 14}>
            {l.text.length > 34 ? `${l.text.slice(0, 33)}…` : l.text}
          </text>
        ))}
      </g>
    );
  };

  return (
    <div>
      <div class="toolbar">
        <input
          type="search"
          placeholder="search by name"
          value={search}
          onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
        />
        <span>
          {term
            ? `${matches.length} match${matches.length === 1 ? '' : 'es'}`
            : `${placed.nodes.length} nodes`}
        </span>
        <button disabled={!selected} onClick={() => setFocus(selected)}>
          focus on its neighbourhood
        </button>
        <button disabled={!focus} onClick={() => setFocus(undefined)}>
          show all
        </button>
        <button
          disabled={!selected}
          onClick={() => {
            const n = props.topology.nodes.find((x) => x.id === selected);
            if (n) props.onOpen(n);
          }}
        >
          open
        </button>
        <span class="hint">wheel: zoom · drag: pan · click: select · double-click: open</span>
      </div>
      <svg
        ref={svg}
        class="graph"
        viewBox={`${box.x} ${box.y} ${box.w} ${box.h}`}
        onWheel={onWheel}
        onPointerDown={onDown}
        onPointerMove={onMove}
        onPointerUp={() => (drag.current = undefined)}
        onPointerLeave={() => (drag.current = undefined)}
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#9aa5b1" />
          </marker>
        </defs>
        {placed.edges.map((e) => {
          const mid = e.points[Math.floor(e.points.length / 2)];
          return (
            <g
              class={`edge ${e.label === 'backend' ? 'backend' : ''}`}
              data-from={e.from}
              data-to={e.to}
              data-label={e.label ?? ''}
            >
              <path
                d={e.points.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' ')}
                marker-end="url(#arrow)"
              />
              {e.label && e.label !== 'backend' && mid ? (
                <text x={mid.x + 4} y={mid.y - 4}>
                  {e.label}
                </text>
              ) : null}
            </g>
          );
        })}
        {placed.nodes.map(nodeView)}
      </svg>
    </div>
  );
}
