import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../model/index.js';
import { loadPaths, loadText, parseText } from './index.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata', 'errors');
const rel = (name: string): string => path.relative(process.cwd(), path.join(dir, name));

describe('syntax errors', () => {
  it('reports the position the YAML library gives and keeps the good documents', async () => {
    const file = rel('syntax.yaml');
    const r = await loadPaths([file]);
    expect(r.namespaces.map((n) => n.name)).toEqual(['fine', 'also-fine']);
    expect(r.diagnostics.length).toBeGreaterThan(0);
    for (const d of r.diagnostics)
      expect(d).toMatchObject({ severity: 'error', code: 'load.syntax', source: { file } });
    // `labels: [unclosed` is on line 10; the library notices at the start of line 11.
    expect(r.diagnostics).toMatchObject([{ source: { file, line: 11, col: 1 } }]);
    expect(r.diagnostics[0]!.message).toContain(
      'Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
    expect(r.ignored).toBe(0); // the broken ConfigMap is not counted as read
  });

  it('reports a missing quote', () => {
    const r = loadText('apiVersion: v1\nkind: "Namespace\n', 'q.yaml');
    expect(r.diagnostics[0]).toMatchObject({ code: 'load.syntax', source: { file: 'q.yaml', line: 3 } });
  });

  it('reports tabs used as indentation at their line', () => {
    const r = loadText('apiVersion: v1\nkind: Namespace\nmetadata:\n\tname: x\n', 't.yaml');
    expect(r.diagnostics).toMatchObject([{ code: 'load.syntax', source: { line: 4, col: 1 } }]);
  });
});

describe('duplicate keys', () => {
  it('is an error at the duplicate, naming the field and the first occurrence', async () => {
    const file = rel('duplicate-keys.yaml');
    const r = await loadPaths([file]);
    expect(r.meshObjects).toEqual([]);
    expect(r.diagnostics).toEqual([
      {
        severity: 'error',
        code: 'load.duplicate-key',
        path: 'spec.listeners[0].portMapping.port',
        message: 'duplicate key "port": keys of a mapping must be unique',
        source: { file, line: 11, col: 9 },
        related: [{ source: { file, line: 9, col: 9 }, message: 'first defined here' }],
      },
    ]);
  });
});

describe('aliases', () => {
  it('resolves anchors and aliases', () => {
    const r = loadText(
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n  labels: &l {a: b}\n  annotations: *l\n',
      'a.yaml',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.namespaces[0]!.labels).toEqual({ a: 'b' });
    expect(r.namespaces[0]!.loaded.object).toMatchObject({ metadata: { annotations: { a: 'b' } } });
  });

  it('bounds a billion-laughs document: a diagnostic, quickly, instead of a hang', async () => {
    const started = Date.now();
    const r = await loadPaths([rel('alias-bomb.yaml')]);
    const ms = Date.now() - started;
    expect(r.diagnostics).toMatchObject([
      { severity: 'error', code: 'load.alias-limit', source: { line: 2, col: 1 } },
    ]);
    expect(r.ignored).toBe(0);
    expect(ms).toBeLessThan(2000);
  });

  it('honours a stricter maxAliasCount', () => {
    const text = 'a: &a [x, y]\nb: [*a, *a, *a]\n';
    expect(parseText(text, 'x.yaml').diagnostics).toEqual([]);
    expect(parseText(text, 'x.yaml', { maxAliasCount: 2 }).diagnostics[0]!.code).toBe('load.alias-limit');
  });

  it('reports an alias without its anchor at the alias', () => {
    const r = loadText('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: *nope\n', 'u.yaml');
    expect(r.diagnostics).toMatchObject([{ code: 'load.syntax', source: { line: 4, col: 9 } }]);
    expect(r.diagnostics[0]!.message).toContain('nope');
  });
});

// Issue 14 item 4: both shapes took the slow path quadratic time (830 kB: 225 s; 642 kB: 44 s).
describe('hostile sizes take time in proportion to their size', () => {
  it('a List of 4 000 items sharing one anchor (830 kB)', () => {
    const items = ['apiVersion: v1', 'kind: List', 'items:'];
    for (let i = 0; i < 4000; i++)
      items.push(
        `- {apiVersion: v1, kind: Namespace, metadata: {name: n${i}, labels: ${i ? '*l' : '&l {a: b}'}}}`,
        `  # ${'padding '.repeat(20)}`,
      );
    const started = Date.now();
    const r = loadText(items.join('\n'), 'list.yaml');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['load.alias-limit']);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a mapping of 40 000 keys with an anchor (640 kB), and its duplicate keys', () => {
    const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: x}', 'data: &d'];
    for (let i = 0; i < 40_000; i++) lines.push(`  k${i % 39_900}: v${i}`);
    const started = Date.now();
    const r = loadText(lines.join('\n'), 'map.yaml');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.diagnostics).toHaveLength(50); // the first 50 of its 100 duplicates
    expect(r.diagnostics[0]).toMatchObject({
      code: 'load.duplicate-key',
      path: 'data.k0',
      message: 'duplicate key "k0": keys of a mapping must be unique',
      source: { line: 39_905, col: 3 },
      related: [{ source: { line: 5, col: 3 }, message: 'first defined here' }],
    });
  });
});

describe('hostile sizes and shapes do not crash', () => {
  it('100 000 nested flow sequences', () => {
    const r = loadText('['.repeat(100_000) + ']'.repeat(100_000), 'deep.json');
    expect(r.diagnostics).toMatchObject([{ code: 'load.too-deep', source: { file: 'deep.json', line: 1 } }]);
  });

  const ladder = (levels: number): string =>
    Array.from({ length: levels }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
  const after = '\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: after\n';

  it('5 000 nested block mappings: the file is refused before the parser recurses', () => {
    const r = loadText(ladder(5_000) + after, 'deep.yaml');
    expect(r.diagnostics).toMatchObject([
      { code: 'load.too-deep', source: { file: 'deep.yaml', line: 801, col: 802 } },
    ]);
    expect(r.namespaces).toEqual([]);
  });

  it('300 nested block mappings: that document is refused, the next one loads', () => {
    const r = loadText(ladder(300) + after, 'deep.yaml');
    expect(r.diagnostics).toMatchObject([{ code: 'load.too-deep', source: { line: 201, col: 201 } }]);
    expect(r.namespaces.map((n) => n.name)).toEqual(['after']);
  });

  it('chains of aliases to deep anchors are bounded', () => {
    let text = '';
    for (let i = 0; i < 20; i++)
      text += `a${i}: &a${i} ${'['.repeat(199)}${i ? `*a${i - 1}` : 'x'}${']'.repeat(199)}\n`;
    expect(parseText(text, 'chain.yaml').diagnostics.map((d) => d.code)).toEqual(['load.alias-limit']);
  });

  it('accepts nesting up to maxDepth', () => {
    const ok = parseText('a: '.concat('['.repeat(150), ']'.repeat(150)), 'ok.yaml');
    expect(ok.diagnostics).toEqual([]);
    expect(parseText('a: [[[1]]]', 'x.yaml', { maxDepth: 3 }).diagnostics[0]!.code).toBe('load.too-deep');
  });

  it('refuses text over maxBytes', () => {
    const r = loadText('a: 1\n'.repeat(1000), 'big.yaml', { maxBytes: 1000 });
    expect(r.diagnostics).toMatchObject([
      { code: 'load.too-large', source: { file: 'big.yaml', line: 1, col: 1 } },
    ]);
  });

  it('loads a 0.5 MB document of 5 000 objects', () => {
    const item = (i: number): string =>
      `- apiVersion: appmesh.k8s.aws/v1beta2\n  kind: VirtualNode\n  metadata: {name: vn-${i}, namespace: big}\n  spec: {podSelector: {matchLabels: {app: a${i}}}}\n`;
    const text = Array.from({ length: 5_000 }, (_, i) => item(i)).join('');
    expect(text.length).toBeGreaterThan(500_000);
    const r = loadText(text, 'big.yaml');
    expect(r.diagnostics).toEqual([]);
    expect(r.meshObjects).toHaveLength(5_000);
    expect(r.meshObjects[4_999]!.source.positionOf(['metadata', 'name'])).toEqual({
      file: 'big.yaml',
      line: 19_999,
      col: 14,
    });
  });

  it('keeps Unicode intact', () => {
    const r = loadText(
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n  labels:\n    team: "チーム🚀"\n',
      'u.yaml',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.namespaces[0]!.labels).toEqual({ team: 'チーム🚀' });
  });

  it('__proto__ keys stay plain data', () => {
    const r = parseText('{"__proto__": {"polluted": true}, "apiVersion": "v1"}', 'p.json');
    const obj = r.objects[0]!.object as Record<string, unknown>;
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(obj)).toContain('__proto__');
  });
});

describe('document shapes', () => {
  it('skips empty, comment-only and null documents silently', () => {
    const r = loadText('---\n# nothing\n---\n---\n~\n---\nnull\n...\n', 'e.yaml');
    expect(r).toMatchObject({ meshObjects: [], namespaces: [], pods: [], diagnostics: [], ignored: 0 });
    expect(loadText('', 'empty.yaml').diagnostics).toEqual([]);
  });

  it('a document that is not a mapping is an error at its position', () => {
    const r = loadText(
      '---\njust a string\n---\n- 1\n- {apiVersion: v1, kind: Namespace, metadata: {name: x}}\n',
      's.yaml',
    );
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      's.yaml:2:1: error: document is a string; expected a mapping (an object with apiVersion and kind) [load.not-a-mapping]',
      's.yaml:4:3: error: item 0 is a number; expected a mapping (an object with apiVersion and kind) [load.not-a-mapping]',
    ]);
    expect(r.namespaces.map((n) => n.name)).toEqual(['x']);
  });

  it('reports unknown tags as warnings and still loads', () => {
    const r = loadText('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: !custom x\n', 'w.yaml');
    expect(r.diagnostics).toMatchObject([
      { severity: 'warning', code: 'load.yaml-warning', source: { line: 4, col: 9 } },
    ]);
    expect(r.namespaces.map((n) => n.name)).toEqual(['x']);
  });

  it('keeps values JSON under a %YAML 1.1 directive', () => {
    const r = parseText('%YAML 1.1\n---\nwhen: 2001-12-14\non: yes\n', 'v.yaml');
    expect(r.objects[0]!.object).toEqual({ when: '2001-12-14', on: 'yes' });
  });
});

describe('keys', () => {
  it('a collection as a mapping key is an error at the key', () => {
    const r = loadText(
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: k\n  labels:\n    ? [a, b]\n    : c\n',
      'k.yaml',
    );
    expect(r.diagnostics).toMatchObject([{ code: 'load.complex-key', source: { line: 6, col: 7 } }]);
    expect(r.namespaces).toEqual([]);
  });
});

describe('merge keys', () => {
  it('merge a mapping; a scalar as merge source is an error at the <<', () => {
    const ok = loadText(
      'apiVersion: v1\nkind: Namespace\nbase: &b {name: m}\nmetadata:\n  <<: *b\n',
      'm.yaml',
    );
    expect(ok.namespaces.map((n) => n.name)).toEqual(['m']);
    const bad = loadText('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: m\n  <<: scalar\n', 'm.yaml');
    expect(bad.diagnostics).toMatchObject([{ code: 'load.syntax', source: { line: 5, col: 3 } }]);
  });
});
