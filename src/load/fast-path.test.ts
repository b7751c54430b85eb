/**
 * The fast path (JSON.parse / js-yaml, lazy positions) must load every text exactly as
 * the slow path (`yaml`, eager positions) does, or decline it. Each case loads a text
 * both ways and compares objects, classification, diagnostics and the position of every
 * field path.
 */
import { SEED_AS_WRITTEN, SEED_COMPLETE } from '../../test/support/fixtures.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import jsyaml from 'js-yaml';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { classify } from './classify.js';
import { expandDocuments } from './expand-lists.js';
import { parseFast } from './fast-path.js';
import { loadText, parseText } from './index.js';
import { LazySourceMap } from './lazy-source-map.js';
import { parseDocuments } from './parse-documents.js';
import { simpleYamlProblem } from './simple-yaml.js';
import type { FieldPath, LoadedObject, LoadResult } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface Loaded {
  result: LoadResult;
  objects: LoadedObject[];
}

function loadVia(text: string, file: string, useFastPath: boolean): Loaded {
  const parsed = parseDocuments(text, file, {}, useFastPath);
  const expanded = expandDocuments(parsed.documents, file);
  const result = classify(expanded.objects);
  result.diagnostics = [...parsed.diagnostics, ...expanded.diagnostics, ...result.diagnostics];
  return { result, objects: expanded.objects };
}

/** Every path into a value (containers too), plus two that do not exist. */
function pathsOf(value: unknown, prefix: Array<string | number> = [], out: FieldPath[] = []): FieldPath[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

function positions(o: LoadedObject): unknown[] {
  const paths = pathsOf(o.object);
  paths.push(['no such field'], [...paths[paths.length - 1]!, 'missing', 7]);
  return [o.source.documentPosition(), ...paths.map((p) => o.source.positionOf(p))];
}

function summary(r: LoadResult): unknown {
  return {
    meshObjects: r.meshObjects.map((o) => o.object),
    namespaces: r.namespaces.map((n) => [n.name, n.labels, n.source, n.locate(['metadata', 'name'])]),
    pods: r.pods.map((p) => [
      p.origin,
      p.namespace,
      p.name,
      p.labels,
      p.annotations,
      p.podSpec,
      p.source,
      p.locate(['spec', 'containers', 0]),
    ]),
    ignored: r.ignored,
    diagnostics: r.diagnostics,
  };
}

/** Loads `text` both ways, expects the same outcome, and tells whether the fast path took it. */
function expectSameBothWays(text: string, file = 'in.yaml'): boolean {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const fast = parseFast(src, file, 200) !== undefined;
  const a = loadVia(text, file, true);
  const b = loadVia(text, file, false);
  const context = JSON.stringify(text).slice(0, 300);
  // The decoded documents themselves, including those that are not mappings.
  const docs = (fastPath: boolean): unknown[] =>
    parseDocuments(text, file, {}, fastPath).documents.map((d) => [d.docIndex, d.value]);
  expect(docs(true), context).toEqual(docs(false));
  expect(summary(a.result), context).toEqual(summary(b.result));
  expect(a.objects.length, context).toBe(b.objects.length);
  a.objects.forEach((x, i) => {
    const y = b.objects[i]!;
    expect([x.object, x.file, x.docIndex, x.itemIndex], context).toEqual([
      y.object,
      y.file,
      y.docIndex,
      y.itemIndex,
    ]);
    expect(positions(x), context).toEqual(positions(y));
  });
  if (fast)
    expect(
      b.result.diagnostics.filter((d) => PARSE_CODES.has(d.code)),
      context,
    ).toEqual([]);
  return fast;
}

/** What only the parser reports; the fast path takes no text that has one of these. */
const PARSE_CODES = new Set([
  'load.syntax',
  'load.yaml-warning',
  'load.duplicate-key',
  'load.too-deep',
  'load.alias-limit',
  'load.complex-key',
  'load.cyclic-alias',
]);

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

const SEED_FILES = [...filesUnder(SEED_AS_WRITTEN), ...filesUnder(SEED_COMPLETE)];
const TESTDATA_FILES = filesUnder(path.join(here, 'testdata'));

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the seed folders and every testdata file', () => {
  it.each([...SEED_FILES, ...TESTDATA_FILES])('%s loads the same both ways', (file) => {
    expectSameBothWays(readFileSync(file, 'utf8'), file);
  });

  it('the seed manifests take the fast path', () => {
    const fast = SEED_FILES.filter((f) => expectSameBothWays(readFileSync(f, 'utf8'), f)).map((f) =>
      path.basename(f),
    );
    expect(fast).toEqual([
      '01-mesh-and-vnode.yaml',
      '01-proxy-auth-policy.json',
      '02-router-and-service.yaml',
      '03-gateway.yaml',
      'mesh.yaml',
      'workloads.yaml',
    ]);
  });
});

/** Strings that look like other things: numbers, booleans, nulls, indicators, comments. */
const TRICKY = [
  'a',
  'x y',
  'true',
  'True',
  'yes',
  'on',
  '1',
  '-0',
  '0755',
  '0o7',
  '0x1F',
  '1_000',
  '0b11',
  '1e3',
  '.5',
  '1.',
  '.inf',
  '-.Inf',
  '.NaN',
  '~',
  'null',
  'NULL',
  '',
  ' lead',
  'trail ',
  'a: b',
  '- x',
  '#x',
  'x #y',
  '"q"',
  "it's",
  'multi\nline',
  'two\n\nparagraphs\n',
  '\u00e9\ud83d\ude80',
  '[x]',
  '{y}',
  'a,b',
  '---',
  '...',
  '@x',
  '`x',
  '%x',
  '|',
  '>',
  '\\',
  '-',
  '?',
  ':',
  'a:',
  ' ',
  '\n',
  'x\n',
  '12345678901234567890',
  '2001-12-14',
  '1:20',
  'long '.repeat(30),
];

function randomValue(rand: () => number, depth = 0): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const r = rand();
  if (depth > 3 || r < 0.4) {
    const s = rand();
    if (s < 0.5) return pick(TRICKY);
    if (s < 0.6) return Math.floor(rand() * 2000) - 1000;
    if (s < 0.65) return rand() * 100;
    if (s < 0.7) return rand() < 0.5;
    if (s < 0.75) return null;
    return `v${Math.floor(rand() * 100)}`;
  }
  if (r < 0.7) {
    const o: Record<string, unknown> = {};
    const n = Math.floor(rand() * 5);
    for (let i = 0; i < n; i++)
      o[rand() < 0.7 ? `k${Math.floor(rand() * 20)}` : pick(TRICKY)] = randomValue(rand, depth + 1);
    return o;
  }
  return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
}

/** A value written the way one of three writers would write it, with varied styles. */
function render(value: unknown, rand: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const r = rand();
  if (r < 0.4) {
    return stringify(value, {
      lineWidth: pick([0, 20, 80]),
      defaultStringType: pick([
        'PLAIN',
        'QUOTE_DOUBLE',
        'QUOTE_SINGLE',
        'BLOCK_FOLDED',
        'BLOCK_LITERAL',
      ] as const),
      defaultKeyType: pick([null, 'PLAIN', 'QUOTE_DOUBLE'] as const),
      collectionStyle: pick(['any', 'block', 'flow'] as const),
      indent: pick([2, 4]),
      indentSeq: rand() < 0.5,
    });
  }
  if (r < 0.8) {
    const quotingType = pick(['"', "'"] as const);
    return jsyaml.dump(value, {
      flowLevel: pick([-1, 1, 2]),
      lineWidth: pick([-1, 20, 80]),
      quotingType,
      forceQuotes: rand() < 0.2,
      indent: pick([2, 3]),
    });
  }
  return JSON.stringify(value, null, pick([0, 2, '\t'] as const));
}

function randomManifests(rand: () => number, i: number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const docs = Array.from({ length: 1 + Math.floor(rand() * 3) }, () =>
    render(
      {
        apiVersion: pick(['v1', 'appmesh.k8s.aws/v1beta2']),
        kind: pick(['Namespace', 'ConfigMap', 'Pod', 'List', 'VirtualNode']),
        metadata: {
          name: `n${i}`,
          namespace: pick(['a', 'b', '']),
          labels: randomValue(rand, 2),
          annotations: randomValue(rand, 3),
        },
        spec: { containers: [{ name: 'c', image: 'x' }], extra: randomValue(rand) },
        items:
          rand() < 0.3
            ? [randomValue(rand, 1), { kind: 'Namespace', apiVersion: 'v1', metadata: { name: `x${i}` } }]
            : undefined,
      },
      rand,
    ),
  );
  return docs.join(pick(['---\n', '\n---\n', '...\n---\n', '--- # next\n', '---\n# comment\n\n']));
}

describe('generated documents', () => {
  it('600 manifests written by yaml, js-yaml and JSON.stringify load the same both ways', () => {
    const rand = prng(0x5eed);
    let fast = 0;
    for (let i = 0; i < 600; i++)
      if (expectSameBothWays(randomManifests(rand, i), i % 5 === 0 ? 'gen.json' : 'gen.yaml')) fast++;
    // These texts are awkward on purpose (multi-line flows, quoted `#x` and `[x]`, tabs in
    // JSON documents joined by `---`), so only about a third are simple enough; every seed
    // manifest is (see above). A guard that declined everything would fail here.
    expect(fast).toBeGreaterThan(150);
  });

  const PIECES = [
    '[',
    ']',
    '{',
    '}',
    ':',
    ': ',
    '- ',
    '-',
    '\n',
    '  ',
    '"',
    "'",
    '#',
    ' #',
    '---\n',
    '...\n',
    '|',
    '>-',
    '|2',
    '\\',
    ',',
    '?',
    '~',
    'null',
    '0o7',
    '\u00e9',
    '\r\n',
    '@',
    '%',
    '\t',
  ];

  function mutate(text: string, rand: () => number): string {
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
    const lines = text.split('\n');
    for (let e = 1 + Math.floor(rand() * 3); e > 0; e--) {
      const i = Math.floor(rand() * lines.length);
      const line = lines[i] ?? '';
      const r = rand();
      if (r < 0.2)
        lines[i] = ' '.repeat(1 + Math.floor(rand() * 3)) + line; // indent more
      else if (r < 0.35)
        lines[i] = line.replace(/^ {1,3}/, ''); // indent less
      else if (r < 0.5)
        lines[i] = /^( *(?:- )*(?:[^:]+: )?)/.exec(line)![1]!.trimEnd(); // drop the value
      else if (r < 0.6) lines.splice(i, 1);
      else if (r < 0.7) lines.splice(i, 0, line);
      else {
        const at = Math.floor(rand() * (line.length + 1));
        lines[i] = line.slice(0, at) + pick(PIECES) + line.slice(at);
      }
    }
    return lines.join('\n');
  }

  it('600 mutated manifests (mostly broken) load the same both ways', () => {
    const rand = prng(0xbad5eed);
    const bases = [
      ...SEED_FILES.map((f) => readFileSync(f, 'utf8')),
      ...Array.from({ length: 20 }, (_, i) => randomManifests(rand, i)),
    ];
    let fast = 0;
    for (let i = 0; i < 600; i++) if (expectSameBothWays(mutate(bases[i % bases.length]!, rand))) fast++;
    expect(fast).toBeGreaterThan(50); // some mutations stay valid and simple
  });
});

describe('texts both parsers accept but read differently are declined', () => {
  const declined = (text: string): void => {
    expect(parseFast(text, 'x.yaml', 200), JSON.stringify(text)).toBeUndefined();
    expectSameBothWays(text);
  };

  it('js-yaml quirks: an empty entry before a less indented line, `----`, a top-level block scalar indicator', () => {
    declined('- - a\n  -\n- b\n'); // js-yaml: [[a, null, b]]
    declined('----\n'); // js-yaml: [[null]]
    declined('|1-\n lea: d\n}'); // js-yaml reads `}` into the scalar
    declined('     -\n- x\n'); // a document that starts indented
    declined('"a"#b\n'); // yaml wants a space before a comment
  });

  it('null keys, which js-yaml names "null" and yaml ""', () => {
    declined('~: x\n');
    declined('null: x\n');
    declined('"null": x\n'); // the same key as far as the decoded value shows
  });

  it('collections as keys, multi-line flow collections, long keys', () => {
    declined('{{}: x}\n');
    declined('{a, [b]}\n');
    declined('[a]: b\n');
    declined('a: [x,\n  y]\n');
    declined('a: [\n  x\n]\n'); // yaml warns about the `]`
    declined(`${'k'.repeat(1100)}: v\n`);
    declined(`{"${'k'.repeat(1100)}": 1}`);
  });
});

describe('edge cases load the same both ways, most of them on the fast path', () => {
  const FAST = [
    // Plain scalars resolved by the core schema (YAML 1.2): `yes` and `0755` are not YAML 1.1 here.
    'a: 1_000\nb: 0b11\nc: 0755\nd: 0o17\ne: 0x1F\nf: +5\ng: -0\nh: 1.\ni: .5\nj: 1e3\nk: -.inf\nl: .NaN\nm: yes\nn: on\no: ~\np: Null\nq: nULL\nr: True\ns: tRUE\nt: 12345678901234567890\nu: 1.0e+3\nv: 0x\nw: .\ny: 2001-12-14\nz: 1:20\n',
    'a: "x\\ty\\u0041\\x41\\U0001F680\\N\\_\\L\\P\\/\\ \\e\\0\\a\\b\\v\\f"\n',
    "a: \"line\n  continued\n\n  para\"\nb: 'it''s\n  folded'\n",
    'a: |\n  x\n   y\n\n  z\n\n\nb: >\n  folded\n  text\n\n   more\n  back\nc: |-\n  strip\n\nd: |+\n  keep\n\n',
    'a: plain\n  multi line\n  # not a comment?\nb: x # comment\nc: x#y\n',
    'key:\n- a\n- b\nk2:\n  - c\n',
    '- [a, b, ]\n- {a: 1, b}\n- [a: 1, b: 2]\n- {"a":1, "b":[1,2]}\n- []\n- {}\n',
    'a: 1\n---\nb: 2\n...\n---\nc: [1]\n',
    'a: 1\n...\nb: 2\n',
    'a: 1 # c\n# c\n---\n# only a comment\n---\nb: 2\n',
    '# header\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n',
    '__proto__: {polluted: 1}\napiVersion: v1\n',
    'a: b\r\nc: d\r\n',
    '\ufeffapiVersion: v1\nkind: Namespace\nmetadata:\n  name: bom\n',
    'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n- kind: Namespace\n  apiVersion: v1\n  metadata:\n    name: b\n    labels: {x: 1}\n',
    '---\njust a string\n---\n- 1\n- {apiVersion: v1, kind: Namespace, metadata: {name: x}}\n',
    '{"a": 1, "b": {"c": [1, 2.5, -0, 1e400, "x\\u00e9", "\\ud800"]}}',
    '[{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "j"}}, {"kind": "Pod"}]',
    '{"a":\n1}',
  ];
  it.each(FAST)('fast: %j', (text) => {
    expect(expectSameBothWays(text)).toBe(true);
  });

  const SLOW = [
    'a: !!str 1\n',
    'a: &x 1\nb: *x\n',
    '%YAML 1.2\n---\na: 1\n',
    'a: {<<: {b: 1}}\n',
    '? a\n: b\n',
    'a:\n\tb: 1\n',
    'a: "\u0085"\n',
    '{"a": 1, "a": 2}',
    '{"a"\n: 1}',
  ];
  it.each(SLOW)('slow: %j', (text) => {
    expect(expectSameBothWays(text)).toBe(false);
  });
});

describe('document boundaries', () => {
  // docIndex counts documents as `yaml` does: empty ones between markers count, a comment-only head does not.
  const TEXTS = [
    '# c\n',
    '# c\n---\na: 1\n',
    'a: 1\n---\n',
    'a: 1\n...\n# c\n',
    'a: 1\n...\n# c\n---\nb: 1\n',
    '---\n---\nc: 1\n',
    'a: 1\n...\n...\nb: 1\n',
    '...\na: 1\n',
    'a: 1\n---\n...\n---\nb: 2',
    '# c\n...\na: 1\n',
    'a: 1\n... # c\nb: 2\n',
  ];
  it.each(TEXTS)('%j', (text) => {
    expectSameBothWays(text);
  });
});

describe('why a text is declined', () => {
  const CASES: Array<[string, string]> = [
    ['a: 1\n\tb: 2\n', 'tab, BOM or unusual line break'],
    ['a: "x\u2028"\n', 'tab, BOM or unusual line break'],
    ['a: 1\rb: 2\n', 'tab, BOM or unusual line break'],
    ['%YAML 1.2\n---\na: 1\n', 'directive'],
    ['a: {<<: {b: 1}}\n', 'merge key'],
    ['{[a]: 1}\n', 'collection as a key'],
    ['a: 1\n... x\n', 'content after a document end marker'],
    ['a: "b"# c\n', 'comment right after a quote'],
    ['a: |2\n   x\n', 'block scalar indentation indicator'],
    ['----\n', 'line starting with --- or ... and more'],
    ['--- a: 1\n', 'content on a document start line'],
    ['a: &x 1\n', 'anchor, alias or tag'],
    ['a: *x\n', 'anchor, alias or tag'],
    ['a: !t 1\n', 'anchor, alias or tag'],
    ['? a\n: 1\n', 'explicit key'],
    ['a: |+\n  x\n  ', 'last line blank without a line break'],
    ['a: [1,\n  2]\n', 'flow collection that is not on one line'],
    ['a: [x] y\n', 'flow collection that is not on one line'],
    ['a: [x, "y]"]\n', 'flow collection that is not on one line'], // brackets in quotes: not worth telling apart
    ['- - a\n  -\n- b\n', 'empty sequence entry before a line indented less'],
    [`${'k'.repeat(1001)}: v\n`, 'very long line with a key'],
  ];
  it.each(CASES)('%j: %s', (text, reason) => {
    expect(simpleYamlProblem(text)).toBe(reason);
    expectSameBothWays(text);
  });

  it('nothing in plain block YAML with one-line flows, comments, quotes and block scalars', () => {
    const text =
      'a: [1, "x, y", {b: c}] # c\nd: "q # not a comment"\ne: |\n  line\n  # text\nf:\n  - x # c\n  - y\n';
    expect(simpleYamlProblem(text)).toBeUndefined();
    expect(expectSameBothWays(text)).toBe(true);
  });
});

describe('the slow path still reports what the fast path declines', () => {
  it('duplicate keys, with both positions', () => {
    const text = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n';
    expect(parseFast(text, 'd.yaml', 200)).toBeUndefined();
    expect(loadText(text, 'd.yaml').diagnostics).toMatchObject([
      {
        code: 'load.duplicate-key',
        path: 'metadata.name',
        source: { line: 5, col: 3 },
        related: [{ source: { line: 4, col: 3 } }],
      },
    ]);
  });

  it('duplicate keys in JSON', () => {
    const text = '{"apiVersion": "v1",\n "kind": "Namespace",\n "kind": "Pod"}';
    expect(parseFast(text, 'd.json', 200)).toBeUndefined();
    expect(loadText(text, 'd.json').diagnostics).toMatchObject([
      { code: 'load.duplicate-key', path: 'kind', source: { line: 3, col: 2 } },
    ]);
  });

  it('syntax errors, in a later document, at their line', () => {
    const text =
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: "broken\n';
    expect(parseFast(text, 's.yaml', 200)).toBeUndefined();
    const r = loadText(text, 's.yaml');
    expect(r.namespaces.map((n) => n.name)).toEqual(['ok']);
    expect(r.diagnostics).toMatchObject([{ code: 'load.syntax', source: { file: 's.yaml', line: 9 } }]);
  });

  it('anchors and aliases: resolved by the slow path, with positions', () => {
    const text =
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n  labels: &l {a: b}\n  annotations: *l\n';
    expect(parseFast(text, 'a.yaml', 200)).toBeUndefined();
    const r = loadText(text, 'a.yaml');
    expect(r.diagnostics).toEqual([]);
    expect(r.namespaces[0]!.labels).toEqual({ a: 'b' });
    expect(r.namespaces[0]!.loaded.source.positionOf(['metadata', 'annotations', 'a'])).toEqual({
      file: 'a.yaml',
      line: 5,
      col: 15,
    });
  });

  it('nesting deeper than maxDepth: declined by the fast path, refused with a position by the slow one', () => {
    const flow = `a: ${'['.repeat(250)}${']'.repeat(250)}\n`;
    expect(parseFast(flow, 'd.yaml', 200)).toBeUndefined();
    expect(loadText(flow, 'd.yaml').diagnostics).toMatchObject([
      { code: 'load.too-deep', source: { line: 1 } },
    ]);
    const json = `${'['.repeat(250)}${']'.repeat(250)}`;
    expect(parseFast(json, 'd.json', 200)).toBeUndefined();
    expect(loadText(json, 'd.json').diagnostics).toMatchObject([
      { code: 'load.too-deep', source: { line: 1 } },
    ]);
  });
});

describe('positions on the fast path are computed when first asked for', () => {
  const doc = (i: number): string =>
    `apiVersion: appmesh.k8s.aws/v1beta2\nkind: VirtualNode\nmetadata:\n  name: vn-${i}\n  namespace: ns\nspec:\n  listeners:\n    - portMapping: {port: 80, protocol: http}\n`;
  const text = Array.from({ length: 50 }, (_, i) => doc(i)).join('---\n');

  it('no document is parsed for positions until a position is asked, then only that one', () => {
    const r = loadText(text, 'many.yaml');
    expect(r.meshObjects).toHaveLength(50);
    const maps = r.meshObjects.map((o) => o.source);
    expect(maps.every((m) => m instanceof LazySourceMap && !m.parsed)).toBe(true);
    expect(r.meshObjects[37]!.source.positionOf(['spec', 'listeners', 0, 'portMapping', 'port'])).toEqual({
      file: 'many.yaml',
      line: 37 * 9 + 8,
      col: 21,
    });
    expect(maps.filter((m) => (m as LazySourceMap).parsed)).toHaveLength(1);
  });

  it('classifying namespaces and workloads parses nothing; their source is read when asked', () => {
    const ns = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n  labels: {mesh: m}\n';
    const deploy =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: ns}\nspec:\n  template:\n    metadata:\n      labels: {app: web}\n    spec: {containers: [{name: c, image: x}]}\n';
    const r = loadText(`${ns}---\n${deploy}`, 'w.yaml');
    expect(r.diagnostics).toEqual([]);
    const lazy = (o: LoadedObject): LazySourceMap => o.source as LazySourceMap;
    expect([lazy(r.namespaces[0]!.loaded).parsed, lazy(r.pods[0]!.loaded).parsed]).toEqual([false, false]);
    expect(r.pods[0]!.source).toEqual({ file: 'w.yaml', line: 13, col: 7 });
    expect([lazy(r.namespaces[0]!.loaded).parsed, lazy(r.pods[0]!.loaded).parsed]).toEqual([false, true]);
    expect(r.namespaces[0]!.source).toEqual({ file: 'w.yaml', line: 5, col: 3 });
  });

  it('items of a top-level list share one parse of their document', () => {
    const list = `- ${doc(0).replace(/\n(?=.)/g, '\n  ')}- ${doc(1).replace(/\n(?=.)/g, '\n  ')}`;
    const r = loadText(list, 'list.yaml');
    expect(r.diagnostics).toEqual([]);
    const [a, b] = r.meshObjects.map((o) => o.source as LazySourceMap);
    expect(b!.documentPosition()).toEqual({ file: 'list.yaml', line: 9, col: 3 });
    expect(a!.parsed).toBe(true);
    expect(a!.positionOf(['metadata', 'name'])).toEqual({ file: 'list.yaml', line: 4, col: 5 });
  });
});

describe('an anchor used inside itself', () => {
  it('is refused with load.cyclic-alias at the alias, and the other documents load', () => {
    const text =
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: fine\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: &m { namespace: *m }\n';
    const r = loadText(text, 'c.yaml');
    expect(r.diagnostics).toEqual([
      {
        severity: 'error',
        code: 'load.cyclic-alias',
        path: 'metadata.namespace',
        message:
          '*m is used inside the value its anchor names, so the value would contain itself; a Kubernetes object cannot',
        source: { file: 'c.yaml', line: 8, col: 27 },
      },
    ]);
    expect(r.namespaces.map((n) => n.name)).toEqual(['fine']);
    expect(r.ignored).toBe(0);
  });

  it('in a sequence too; an alias to an anchor outside its own value is fine', () => {
    expect(parseText('a: &s [1, [*s]]\n', 's.yaml').diagnostics).toMatchObject([
      { code: 'load.cyclic-alias', path: 'a[1][0]', source: { line: 1, col: 12 } },
    ]);
    expect(parseText('a: &s [1]\nb: [*s, *s]\n', 's.yaml').diagnostics).toEqual([]);
  });
});
