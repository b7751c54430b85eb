/**
 * Fuzzing the whole validate pipeline (loadText → checkObject → buildMeshGraph):
 * generated and mutated manifests must never throw, never hang, and every error
 * must name a field path or be a whole-document problem with a source position.
 * Seeded: set AMIME_FUZZ_SEED (and AMIME_FUZZ_CASES) to reproduce a failure.
 */
import { SEED_AS_WRITTEN, SEED_COMPLETE } from '../../test/support/fixtures.js';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { loadText } from '../load/index.js';
import type { Diagnostic } from '../model/index.js';
import { validateLoaded } from './from-load.js';

const SEED = Number(process.env.AMIME_FUZZ_SEED ?? 0xa31e);
const CASES = Number(process.env.AMIME_FUZZ_CASES ?? 5000);
/** Per case and for the whole run: generous for slow CI machines, tight enough to catch a hang. */
const CASE_BUDGET_MS = 2000;
const TOTAL_BUDGET_MS = 180_000;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Rng = () => number;

function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, list: readonly T[]): T => list[int(rng, list.length)]!;
const chance = (rng: Rng, p: number) => rng() < p;

// ── corpus: the seed's documents and random valid meshes ─────────────────────
function seedDocuments(): Json[][] {
  const out: Json[][] = [];
  for (const root of [SEED_AS_WRITTEN, SEED_COMPLETE]) {
    for (const f of readdirSync(root).sort()) {
      if (!/\.(ya?ml|json)$/.test(f)) continue;
      const docs = parseAllDocuments(readFileSync(path.join(root, f), 'utf8'));
      const list = Array.isArray(docs) ? docs.map((d) => d.toJS() as Json) : [];
      out.push(list.filter((d) => d !== null));
    }
  }
  return out;
}

const AM = 'appmesh.k8s.aws/v1beta2';
const PROTOCOLS = ['http', 'http2', 'grpc', 'tcp'];

function randomMesh(rng: Rng): Json[] {
  const ns = pick(rng, ['ns', 'mesh-test', 'default']);
  const nodes = Array.from({ length: 1 + int(rng, 4) }, (_, i) => `n${i}`);
  const docs: Json[] = [
    {
      apiVersion: AM,
      kind: 'Mesh',
      metadata: { name: 'm' },
      spec: {
        namespaceSelector: chance(rng, 0.5) ? {} : { matchLabels: { mesh: 'm' } },
        egressFilter: { type: pick(rng, ['ALLOW_ALL', 'DROP_ALL']) },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns,
        labels: { mesh: 'm', 'appmesh.k8s.aws/sidecarInjectorWebhook': pick(rng, ['enabled', 'disabled']) },
      },
    },
  ];
  for (const n of nodes) {
    const protocol = pick(rng, PROTOCOLS);
    docs.push({
      apiVersion: AM,
      kind: 'VirtualNode',
      metadata: { name: n, namespace: ns },
      spec: {
        podSelector: { matchLabels: { app: n } },
        listeners: [
          {
            portMapping: { port: 8080 + int(rng, 3), protocol },
            ...(chance(rng, 0.3)
              ? {
                  healthCheck: {
                    protocol,
                    path: '/h',
                    healthyThreshold: 2,
                    unhealthyThreshold: 3,
                    intervalMillis: 5000,
                    timeoutMillis: 2000,
                  },
                }
              : {}),
          },
        ],
        serviceDiscovery: chance(rng, 0.8)
          ? { dns: { hostname: `${n}.${ns}.svc.cluster.local` } }
          : { awsCloudMap: { namespaceName: 'cm', serviceName: n } },
        backends: [{ virtualService: { virtualServiceRef: { name: 'svc' } } }],
      },
    });
    docs.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: n, namespace: ns },
      spec: {
        template: { metadata: { labels: { app: n } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      },
    });
  }
  const type = pick(rng, ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute']);
  const match: Json =
    type === 'grpcRoute' ? { serviceName: 'pkg.Svc' } : type === 'tcpRoute' ? {} : { prefix: '/' };
  docs.push({
    apiVersion: AM,
    kind: 'VirtualRouter',
    metadata: { name: 'r', namespace: ns },
    spec: {
      listeners: [
        {
          portMapping: {
            port: 80,
            protocol: { httpRoute: 'http', http2Route: 'http2', grpcRoute: 'grpc', tcpRoute: 'tcp' }[type]!,
          },
        },
      ],
      routes: [
        {
          name: 'route',
          priority: int(rng, 1001),
          [type]: {
            match,
            action: {
              weightedTargets: nodes.map((n) => ({ virtualNodeRef: { name: n }, weight: 1 + int(rng, 20) })),
            },
          },
        },
      ],
    },
  });
  docs.push({
    apiVersion: AM,
    kind: 'VirtualService',
    metadata: { name: 'svc', namespace: ns },
    spec: { provider: { virtualRouter: { virtualRouterRef: { name: 'r' } } } },
  });
  docs.push({
    apiVersion: AM,
    kind: 'VirtualGateway',
    metadata: { name: 'gw', namespace: ns },
    spec: {
      namespaceSelector: {},
      podSelector: { matchLabels: { gw: 'yes' } },
      listeners: [{ portMapping: { port: 8088, protocol: 'http' } }],
    },
  });
  docs.push({
    apiVersion: AM,
    kind: 'GatewayRoute',
    metadata: { name: 'gr', namespace: ns },
    spec: {
      httpRoute: {
        match: { prefix: '/' },
        action: { target: { virtualService: { virtualServiceRef: { name: 'svc' } } } },
      },
    },
  });
  if (chance(rng, 0.3))
    docs.push({
      apiVersion: AM,
      kind: 'BackendGroup',
      metadata: { name: 'bg', namespace: ns },
      spec: { virtualservices: [{ name: '*' }] },
    });
  return docs;
}

// ── mutations ────────────────────────────────────────────────────────────────
const UNICODE = ['ü', '名前', '🚀', '\u200b', '\u202e', 'e\u0301', '\ud83d', 'Ω≈ç√', '\u0000'];
function hugeString(rng: Rng): string {
  return pick(rng, ['x', '/', 'é', '🚀']).repeat(pick(rng, [256, 1025, 100_000]));
}
function wrongValue(rng: Rng): Json {
  return pick<() => Json>(rng, [
    () => null,
    () => true,
    () => -1,
    () => 0,
    () => 1e308,
    () => -1e308,
    () => 2 ** 63,
    () => 3.5,
    () => '',
    () => 'x',
    () => hugeString(rng),
    () => pick(rng, UNICODE),
    () => [],
    () => [null, 1, 'a'],
    () => ({}),
    () => ({ unexpected: { deeper: [1, 2, 3] } }),
  ])();
}
function deep(rng: Rng, depth: number): Json {
  let v: Json = 'leaf';
  for (let i = 0; i < depth; i++) v = chance(rng, 0.5) ? [v] : { k: v };
  return v;
}

/** Every [container, key] in a JSON tree (containers are objects or arrays). */
function slots(root: Json): Array<[Record<string, Json> | Json[], string | number]> {
  const out: Array<[Record<string, Json> | Json[], string | number]> = [];
  const walk = (v: Json, depth: number): void => {
    if (depth > 40 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        out.push([v, i]);
        walk(x, depth + 1);
      });
      return;
    }
    for (const k of Object.keys(v)) {
      out.push([v, k]);
      walk(v[k]!, depth + 1);
    }
  };
  walk(root, 0);
  return out;
}

function mutateTree(rng: Rng, doc: Json): Json {
  const all = slots(doc);
  if (all.length === 0) return wrongValue(rng);
  const [container, key] = pick(rng, all);
  const c = container as Record<string | number, Json>;
  switch (int(rng, 8)) {
    case 0: // missing field
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete c[key];
      break;
    case 1: // wrong type, huge value
      c[key] = wrongValue(rng);
      break;
    case 2: // deep nesting (sometimes past the loader's limit)
      c[key] = deep(rng, pick(rng, [10, 60, 150, 250]));
      break;
    case 3: // unicode in names and values
      if (typeof c[key] === 'string') c[key] = `${c[key] as string}${pick(rng, UNICODE)}`;
      else if (!Array.isArray(container)) c[`${String(key)}${pick(rng, UNICODE)}`] = 'v';
      break;
    case 4: // shared subtree: stringify writes an anchor and an alias for it
      {
        const [other, okey] = pick(rng, all);
        const v = c[key];
        if (v !== null && typeof v === 'object') (other as Record<string | number, Json>)[okey] = v;
      }
      break;
    case 5: // unknown or misspelled key
      if (!Array.isArray(container)) c[`${String(key)}x`] = c[key] ?? null;
      break;
    case 6: // numbers at the edges
      c[key] = pick(rng, [0, -0, 65535, 65536, 1000, 1001, 100, 101, Number.MAX_SAFE_INTEGER + 2]);
      break;
    default: // a long list
      c[key] = Array.from({ length: pick(rng, [11, 26, 300]) }, (_, i) => ({
        name: `h${i}`,
        weight: 1,
        virtualNodeRef: { name: 'n0' },
      }));
  }
  return doc;
}

function mutateText(rng: Rng, text: string): string {
  const lines = text.split('\n');
  switch (int(rng, 7)) {
    case 0: {
      // duplicate key
      const i = int(rng, lines.length);
      if (/^\s*[\w.-]+:/.test(lines[i] ?? '')) lines.splice(i + 1, 0, lines[i]!);
      return lines.join('\n');
    }
    case 1: // billion laughs
      return `${text}\n---\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`;
    case 2: // merge keys and an alias used before its anchor
      return `${text}\n---\napiVersion: ${AM}\nkind: VirtualNode\nmetadata: &meta { name: merged, namespace: ns }\nspec:\n  <<: *base\n  listeners: [{ portMapping: { port: 1, protocol: http } }]\n---\nbase: &base { serviceDiscovery: { dns: { hostname: h } } }\n`;
    case 3: {
      // truncate
      return text.slice(0, int(rng, text.length + 1));
    }
    case 4: {
      // a random character somewhere
      const at = int(rng, text.length + 1);
      return (
        text.slice(0, at) +
        pick(rng, [':', '-', '\t', '"', '{', '[', '&', '*', '!', '%', '\u00a0', '🚀']) +
        text.slice(at)
      );
    }
    case 5: {
      // indentation shifted
      const i = int(rng, lines.length);
      lines[i] = ` ${lines[i] ?? ''}`;
      return lines.join('\n');
    }
    default: // a JSON document instead of YAML (shared subtrees may have made it cyclic: keep YAML then)
      try {
        return JSON.stringify(parseAllDocuments(text).map((d) => (Array.isArray(d) ? null : d.toJS())));
      } catch {
        return text;
      }
  }
}

function makeCase(rng: Rng, corpus: Json[][]): string {
  const docs: Json[] = structuredClone(chance(rng, 0.4) ? pick(rng, corpus) : randomMesh(rng));
  const treeMutations = int(rng, 4);
  for (let i = 0; i < treeMutations && docs.length > 0; i++) {
    const k = int(rng, docs.length);
    docs[k] = mutateTree(rng, docs[k]!);
  }
  let text = docs.map((d) => stringify(d, { aliasDuplicateObjects: true, lineWidth: 0 })).join('---\n');
  if (chance(rng, 0.35)) text = mutateText(rng, text);
  return text;
}

function badRejections(diagnostics: ReadonlyArray<Diagnostic>): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error' && d.path === '' && d.source === undefined);
}

describe('fuzz: validate never throws, never hangs, and every rejection names a path', () => {
  it(
    `${CASES} generated and mutated manifests (seed ${SEED})`,
    async () => {
      const rng = mulberry32(SEED);
      const corpus = seedDocuments();
      expect(corpus.length).toBeGreaterThan(0);
      const started = performance.now();
      let errors = 0;
      let slowest = 0;
      for (let i = 0; i < CASES; i++) {
        // Yield now and then: a minute of synchronous work starves the test runner's own RPC.
        if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
        const text = makeCase(rng, corpus);
        const t0 = performance.now();
        let diagnostics: Diagnostic[];
        try {
          diagnostics = validateLoaded(loadText(text, `case-${i}.yaml`)).diagnostics;
        } catch (error) {
          throw new Error(
            `case ${i} (seed ${SEED}) threw ${String(error)}\n--- input ---\n${text.slice(0, 4000)}`,
          );
        }
        const ms = performance.now() - t0;
        slowest = Math.max(slowest, ms);
        if (ms > CASE_BUDGET_MS)
          throw new Error(`case ${i} (seed ${SEED}) took ${ms.toFixed(0)} ms\n${text.slice(0, 2000)}`);
        const bad = badRejections(diagnostics);
        if (bad.length > 0)
          throw new Error(
            `case ${i} (seed ${SEED}): errors without a path or a position: ${JSON.stringify(bad)}\n--- input ---\n${text.slice(0, 4000)}`,
          );
        for (const d of diagnostics) {
          if (
            typeof d.message !== 'string' ||
            d.message === '' ||
            typeof d.code !== 'string' ||
            d.code === ''
          ) {
            throw new Error(`case ${i} (seed ${SEED}): malformed diagnostic ${JSON.stringify(d)}`);
          }
          if (d.code === 'internal.error' || d.code === 'load.internal')
            throw new Error(`case ${i} (seed ${SEED}): ${d.message}\n${text.slice(0, 4000)}`);
        }
        errors += diagnostics.filter((d) => d.severity === 'error').length;
      }
      const total = performance.now() - started;
      expect(total).toBeLessThan(TOTAL_BUDGET_MS);
      // The mutations must actually break things, or the test proves nothing.
      expect(errors).toBeGreaterThan(CASES / 2);
      console.log(
        `fuzz: ${CASES} cases in ${(total / 1000).toFixed(1)} s (slowest ${slowest.toFixed(0)} ms), ${errors} errors reported`,
      );
    },
    TOTAL_BUDGET_MS + 10_000,
  );
});
