/**
 * The check of what changed since a set passed (CheckOptions.passed), against the whole
 * check: the golden cases' real proxy groups, edited the way a translation changes them
 * (a new object for what changed, the same objects for the rest), must get the same
 * problems in the same order both ways, after every edit of random sequences. Seeded:
 * AMIME_EQUIVALENCE_SEED and AMIME_EQUIVALENCE_SEQUENCES (`npm run test:equivalence`
 * runs 1,000).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPlainObject, resourceNameOf, XDS_KINDS, type XdsKind } from '../../proto/index.js';
import { graphFromText, parseHeader } from '../golden.testkit.js';
import { parseGroupKey, proxyGroups } from '../groups.js';
import { translateGroupDetailed } from '../translate.js';
import { changedSince } from './changed.js';
import { checkMemo, checkResources, formatCheckProblem, type PassedSet, type ResourceSet } from './index.js';
import { sampleSet } from '../../../test/support/envoy-samples.js';

const SEQUENCES = Number(process.env['AMIME_EQUIVALENCE_SEQUENCES'] ?? 60);
const SEED = Number(process.env['AMIME_EQUIVALENCE_SEED'] ?? 0x1206);

type Obj = Record<string, unknown>;
type Set = Record<XdsKind, object[]>;
interface Group {
  readonly set: Set;
  readonly suppliedSecrets: readonly string[];
}

const inDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'testdata', 'in');

/** Every proxy group of the golden cases that translate without errors (their sets pass the check). */
function goldenGroups(): Group[] {
  const groups: Group[] = [];
  for (const file of readdirSync(inDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const text = readFileSync(path.join(inDir, file), 'utf8');
    const header = parseHeader(text);
    if (header.expectDiagnostics) continue;
    const { graph } = graphFromText(text, file);
    const keys = header.proxies.map((p) => parseGroupKey(p));
    for (const g of keys.length > 0 ? keys : proxyGroups(graph)) {
      if (!g) continue;
      const t = translateGroupDetailed(graph, g, header.endpoints, header.options);
      const set = Object.fromEntries(XDS_KINDS.map((k) => [k, [...t.resources[k]]])) as Set;
      if (checkResources(set, { suppliedSecrets: t.caSecrets }).length === 0)
        groups.push({ set, suppliedSecrets: t.caSecrets });
    }
  }
  return groups;
}

const objs = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isPlainObject) : []);

/**
 * One edit of a group, as a translation makes it: the changed resource (and the virtual
 * host in it) a new object, everything else the same objects. Returns undefined when the
 * group has nothing the edit applies to. `pick` chooses among candidates.
 */
type Edit = (g: Group, pick: (n: number) => number) => Group | undefined;

function replaced(g: Group, kind: XdsKind, index: number, next: Obj): Group {
  const list = [...g.set[kind]];
  list[index] = next;
  return { ...g, set: { ...g.set, [kind]: list } };
}

/** A new route configuration with virtual_hosts[k] replaced by `edit` of a copy of it. */
function withHost(g: Group, pick: (n: number) => number, edit: (vh: Obj, rc: Obj) => Obj): Group | undefined {
  if (g.set.routes.length === 0) return undefined;
  const i = pick(g.set.routes.length);
  const rc = g.set.routes[i] as Obj;
  const hosts = objs(rc['virtual_hosts']);
  if (hosts.length === 0) return undefined;
  const k = pick(hosts.length);
  const next = hosts.map((vh, j) => (j === k ? edit({ ...vh }, rc) : vh));
  return replaced(g, 'routes', i, { ...rc, virtual_hosts: next });
}

/** A new route configuration with the first route action of a virtual host edited. */
function withAction(g: Group, pick: (n: number) => number, edit: (action: Obj) => Obj): Group | undefined {
  return withHost(g, pick, (vh) => {
    const routes = objs(vh['routes']);
    const at = routes.findIndex((r) => isPlainObject(r['route']));
    if (at < 0) return vh;
    const route = routes[at]!;
    return {
      ...vh,
      routes: routes.map((r, j) =>
        j === at ? { ...route, route: edit({ ...(route['route'] as Obj) }) } : r,
      ),
    };
  });
}

function withCluster(g: Group, pick: (n: number) => number, edit: (c: Obj) => Obj): Group | undefined {
  if (g.set.clusters.length === 0) return undefined;
  const i = pick(g.set.clusters.length);
  return replaced(g, 'clusters', i, edit({ ...(g.set.clusters[i] as Obj) }));
}

const clusterNames = (g: Group): string[] => g.set.clusters.map((c) => resourceNameOf('clusters', c));

const EDITS: Record<string, Edit> = {
  'a route to a cluster not in the group': (g, pick) =>
    withAction(g, pick, ({ weighted_clusters: _, ...a }) => ({ ...a, cluster: 'cds_missing' })),
  'a route to another cluster of the group': (g, pick) => {
    const names = clusterNames(g);
    if (names.length === 0) return undefined;
    const name = names[pick(names.length)]!;
    return withAction(g, pick, ({ weighted_clusters: _, ...a }) => ({ ...a, cluster: name }));
  },
  'a route timeout changed': (g, pick) =>
    withAction(g, pick, (a) => ({ ...a, timeout: { seconds: 7 + pick(50) } })),
  'a route timeout that does not encode': (g, pick) =>
    withAction(g, pick, (a) => ({ ...a, timeout: 'soon' })),
  'a weighted route weighing 0': (g, pick) =>
    withAction(g, pick, ({ cluster: _, ...a }) => {
      const names = clusterNames(g);
      return {
        ...a,
        weighted_clusters: { clusters: [{ name: names[0] ?? 'cds_missing', weight: { value: 0 } }] },
      };
    }),
  "a virtual host taking another's domain": (g, pick) =>
    withHost(g, pick, (vh, rc) => {
      const domain = objs(rc['virtual_hosts']).flatMap((h) =>
        Array.isArray(h['domains']) ? h['domains'] : [],
      )[0];
      return { ...vh, domains: [...(Array.isArray(vh['domains']) ? vh['domains'] : []), domain ?? '*'] };
    }),
  "a virtual host taking another's name": (g, pick) =>
    withHost(g, pick, (vh, rc) => ({ ...vh, name: objs(rc['virtual_hosts'])[0]?.['name'] ?? 'x' })),
  'a virtual host with a misspelled field': (g, pick) =>
    withHost(g, pick, (vh) => ({ ...vh, domanes: ['*'] })),
  'virtual hosts in another order': (g, pick) => {
    if (g.set.routes.length === 0) return undefined;
    const i = pick(g.set.routes.length);
    const rc = g.set.routes[i] as Obj;
    return replaced(g, 'routes', i, { ...rc, virtual_hosts: [...objs(rc['virtual_hosts'])].reverse() });
  },
  'a cluster re-made the same': (g, pick) => withCluster(g, pick, (c) => c),
  'a cluster with a bad connect timeout': (g, pick) =>
    withCluster(g, pick, (c) => ({ ...c, connect_timeout: { seconds: -1 } })),
  'an EDS cluster reading a load assignment not in the group': (g, pick) =>
    withCluster(g, pick, (c) =>
      isPlainObject(c['eds_cluster_config'])
        ? { ...c, eds_cluster_config: { ...c['eds_cluster_config'], service_name: 'cla_missing' } }
        : c,
    ),
  'a cluster renamed': (g, pick) => withCluster(g, pick, (c) => ({ ...c, name: `${String(c['name'])}_2` })),
  'a cluster removed': (g, pick) => {
    if (g.set.clusters.length === 0) return undefined;
    const i = pick(g.set.clusters.length);
    return { ...g, set: { ...g.set, clusters: g.set.clusters.filter((_, j) => j !== i) } };
  },
  'a cluster added twice': (g, pick) => {
    if (g.set.clusters.length === 0) return undefined;
    const c = g.set.clusters[pick(g.set.clusters.length)]!;
    return { ...g, set: { ...g.set, clusters: [...g.set.clusters, { ...c }] } };
  },
  'a listener re-made the same': (g, pick) => {
    if (g.set.listeners.length === 0) return undefined;
    const i = pick(g.set.listeners.length);
    return replaced(g, 'listeners', i, { ...(g.set.listeners[i] as Obj) });
  },
  'a load assignment re-made the same': (g, pick) => {
    if (g.set.endpoints.length === 0) return undefined;
    const i = pick(g.set.endpoints.length);
    return replaced(g, 'endpoints', i, { ...(g.set.endpoints[i] as Obj) });
  },
  'a supplied secret gone': (g) =>
    g.suppliedSecrets.length === 0 ? undefined : { ...g, suppliedSecrets: g.suppliedSecrets.slice(1) },
  'nothing changed': (g) => ({ ...g, set: { ...g.set } }),
};
const EDIT_NAMES = Object.keys(EDITS);

const verdicts = (set: ResourceSet, suppliedSecrets: readonly string[], more = {}): string[] =>
  checkResources(set, { suppliedSecrets, ...more }).map(formatCheckProblem);

describe('checkResources with the set that last passed (only what changed is checked)', () => {
  const groups = goldenGroups();

  it('has real groups to edit: routes, clusters, listeners, load assignments and supplied secrets', () => {
    expect(groups.length).toBeGreaterThan(50);
    expect(groups.some((g) => g.suppliedSecrets.length > 0)).toBe(true);
    expect(groups.some((g) => g.set.routes.some((rc) => objs((rc as Obj)['virtual_hosts']).length > 1))).toBe(
      true,
    );
  });

  it('gives the whole check’s problems, in order, after every edit of random sequences', () => {
    const used = new Map<string, { changedOnly: number; whole: number; problems: number }>();
    fc.assert(
      fc.property(
        fc.nat(groups.length - 1),
        fc.array(
          fc.tuple(fc.constantFrom(...EDIT_NAMES), fc.array(fc.nat(1_000), { minLength: 4, maxLength: 4 })),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        (start, edits) => {
          const memo = checkMemo();
          let passed: Group = groups[start]!;
          verdicts(passed.set, passed.suppliedSecrets, { memo });
          for (const [name, choices] of edits) {
            let c = 0;
            const pick = (n: number) => choices[c++ % choices.length]! % n;
            const next = EDITS[name]!(passed, pick);
            if (!next) continue;
            const given: PassedSet = { set: passed.set, suppliedSecrets: passed.suppliedSecrets };
            const whole = verdicts(next.set, next.suppliedSecrets);
            expect(verdicts(next.set, next.suppliedSecrets, { memo, passed: given }), name).toEqual(whole);
            const tally = used.get(name) ?? { changedOnly: 0, whole: 0, problems: 0 };
            if (changedSince(given, next.set, next.suppliedSecrets)) tally.changedOnly++;
            else tally.whole++;
            if (whole.length > 0) tally.problems++;
            used.set(name, tally);
            // As the pipeline does: what passes is served, and is what the next check starts from.
            if (whole.length === 0) passed = next;
          }
        },
      ),
      { numRuns: SEQUENCES, seed: SEED },
    );
    // The sequences went both ways, and found problems both ways.
    const sum = (f: (t: { changedOnly: number; whole: number; problems: number }) => number) =>
      [...used.values()].reduce((n, t) => n + f(t), 0);
    expect(sum((t) => t.changedOnly)).toBeGreaterThan(0);
    expect(sum((t) => t.whole)).toBeGreaterThan(0);
    expect(used.get('a route to a cluster not in the group')?.problems ?? 0).toBeGreaterThan(0);
  });

  it('checks only what changed: what the passed set holds is taken as having passed', () => {
    const set = sampleSet();
    const broken = { ...(set.clusters[0] as Obj), connect_timeout: { seconds: -1 } };
    const edited = { ...set, clusters: [broken, ...set.clusters.slice(1)] };
    expect(verdicts(edited, []).join('\n')).toMatch(/connect_timeout/);
    // The broken cluster is the same object in both sets, and only the route configuration
    // is new: the cluster is not checked again. (A caller must only pass a set that passed.)
    const rc = { ...(set.routes[0] as Obj) };
    const next = { ...edited, routes: [rc, ...set.routes.slice(1)] };
    expect(verdicts(next, [], { passed: { set: edited, suppliedSecrets: [] } })).toEqual([]);
    // Renamed, it is: a new name is something every reference is checked against again.
    const renamed = { ...next, routes: [{ ...rc, name: 'rds_renamed' }, ...set.routes.slice(1)] };
    expect(verdicts(renamed, [], { passed: { set: edited, suppliedSecrets: [] } }).join('\n')).toMatch(
      /connect_timeout/,
    );
  });
});
