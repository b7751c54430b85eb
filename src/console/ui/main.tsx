/**
 * The Amime console: meshes, one mesh as a topology graph with its problems on top,
 * and one resource's manifest, diagnostics and Envoy configuration. Read-only; follows
 * the server's changes over server-sent events without a reload. Pages are addressed
 * by the URL hash: #/, #/mesh/<mesh>, #/resource/<mesh>/<kind>/<name>[/<parent>].
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { MeshesResponse, ResourcePage, Topology, TopologyNode } from '../wire.js';
import { followChanges, getJson } from './api.js';
import { GraphView, replicaText } from './graph-view.js';
import { JsonTree } from './json-tree.js';

type Route =
  | { page: 'meshes' }
  | { page: 'mesh'; mesh: string }
  | { page: 'resource'; mesh: string; kind: string; name: string; parent?: string };

function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'mesh' && parts[1]) return { page: 'mesh', mesh: parts[1] };
  if (parts[0] === 'resource' && parts[1] && parts[2] && parts[3])
    return {
      page: 'resource',
      mesh: parts[1],
      kind: parts[2],
      name: parts[3],
      ...(parts[4] ? { parent: parts[4] } : {}),
    };
  return { page: 'meshes' };
}

const enc = encodeURIComponent;

function openHref(mesh: string, n: TopologyNode): string {
  const parent = n.kind === 'Route' || n.kind === 'GatewayRoute' ? n.id.split('/')[1] : undefined;
  return `#/resource/${enc(mesh)}/${n.kind}/${enc(n.name)}${parent ? `/${enc(parent)}` : ''}`;
}

/** Loads `path` now and again whenever the server reports a change (`tick`). */
function useLive<T>(path: string, tick: number): { data?: T; error?: string } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  useEffect(() => {
    let current = true;
    getJson<T>(path)
      .then((data) => current && setState({ data }))
      .catch((e: Error) => current && setState((s) => ({ ...s, error: e.message })));
    return () => {
      current = false;
    };
  }, [path, tick]);
  return state;
}

function ReadOnly(props: { reason: string | undefined }) {
  return props.reason ? (
    <div class="banner" data-testid="read-only">
      Read-only: {props.reason}
    </div>
  ) : null;
}

function Meshes(props: { tick: number }) {
  const { data, error } = useLive<MeshesResponse>('/ui/api/meshes', props.tick);
  if (error) return <p class="error">{error}</p>;
  if (!data) return <p>loading…</p>;
  return (
    <>
      <ReadOnly reason={data.readOnly} />
      <main>
        <h1>Meshes</h1>
        <table>
          <thead>
            <tr>
              <th>mesh</th>
              <th>resources</th>
              <th>connected proxies</th>
              <th>problems</th>
            </tr>
          </thead>
          <tbody>
            {data.meshes.map((m) => (
              <tr>
                <td>
                  <a href={`#/mesh/${enc(m.name)}`}>{m.name}</a>
                </td>
                <td>{m.resources}</td>
                <td>{m.proxies}</td>
                <td>{m.problems ? <span class="pill nacked">{m.problems}</span> : '0'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </main>
    </>
  );
}

function Mesh(props: { mesh: string; tick: number }) {
  const { data, error } = useLive<Topology>(`/ui/api/topology?mesh=${enc(props.mesh)}`, props.tick);
  if (error && !data) return <p class="error">{error}</p>;
  if (!data) return <p>loading…</p>;
  return (
    <>
      <ReadOnly reason={data.readOnly} />
      <main>
        <h1>Mesh {data.mesh}</h1>
        {data.problems.length > 0 ? (
          <ul class="problems" data-testid="problems">
            {data.problems.map((p) => (
              <li class={p.severity}>{p.message}</li>
            ))}
          </ul>
        ) : (
          <p data-testid="problems">No problems.</p>
        )}
        <GraphView topology={data} onOpen={(n) => (location.hash = openHref(data.mesh, n))} />
      </main>
    </>
  );
}

function Resource(props: { route: Extract<Route, { page: 'resource' }>; tick: number }) {
  const r = props.route;
  const q = `mesh=${enc(r.mesh)}&kind=${enc(r.kind)}&name=${enc(r.name)}${r.parent ? `&parent=${enc(r.parent)}` : ''}`;
  const { data, error } = useLive<ResourcePage>(`/ui/api/resource?${q}`, props.tick);
  const [search, setSearch] = useState('');
  if (error && !data) return <p class="error">{error}</p>;
  if (!data) return <p>loading…</p>;
  const term = search.trim().toLowerCase();
  return (
    <main>
      <p>
        <a href={`#/mesh/${enc(r.mesh)}`}>← mesh {r.mesh}</a>
      </p>
      <h1>
        {data.kind} {data.name}
      </h1>
      {data.proxies ? (
        <p data-testid="proxies">
          {data.proxies.connected} proxies connected ({replicaText(data.proxies)}): {data.proxies.synced} in
          sync, {data.proxies.stale} stale, {data.proxies.nacked} NACKED
          {data.proxies.errors.map((e) => (
            <div class="error">
              {e.nodeId} rejected {e.type}: {e.message}
            </div>
          ))}
        </p>
      ) : null}
      <h2>Diagnostics</h2>
      {data.diagnostics.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul class="problems">
          {data.diagnostics.map((d) => (
            <li class={d.severity}>
              {d.where ? `${d.where}: ` : ''}
              {d.message} [{d.code}]
            </li>
          ))}
        </ul>
      )}
      <h2>Manifest</h2>
      <pre data-testid="yaml">{data.yaml}</pre>
      <h2>Status</h2>
      <pre>{JSON.stringify(data.status, null, 2)}</pre>
      {data.envoy ? (
        <>
          <h2>Envoy configuration its proxies receive</h2>
          <div class="toolbar">
            <input
              type="search"
              placeholder="search the configuration"
              value={search}
              onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
            />
          </div>
          <div class="json" data-testid="envoy">
            {Object.entries(data.envoy).map(([kind, list]) => (
              <JsonTree value={list} label={kind} search={term} open={false} />
            ))}
          </div>
        </>
      ) : null}
    </main>
  );
}

function App() {
  const [route, setRoute] = useState<Route>(parseHash(location.hash));
  const [tick, setTick] = useState(0);
  const [live, setLive] = useState(false);
  useEffect(() => {
    const onHash = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', onHash);
    const stop = followChanges(() => setTick((t) => t + 1), setLive);
    return () => {
      removeEventListener('hashchange', onHash);
      stop();
    };
  }, []);
  return (
    <>
      <header>
        <a href="#/">Amime console</a>
        {route.page !== 'meshes' ? <a href={`#/mesh/${enc(route.mesh)}`}>{route.mesh}</a> : null}
        <span class="live" data-live={String(live)}>
          {live ? '● live' : '○ reconnecting'}
        </span>
      </header>
      {route.page === 'meshes' ? (
        <Meshes tick={tick} />
      ) : route.page === 'mesh' ? (
        <Mesh mesh={route.mesh} tick={tick} />
      ) : (
        <Resource route={route} tick={tick} />
      )}
    </>
  );
}

render(<App />, document.getElementById('app')!);
