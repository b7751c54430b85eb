import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { suiteTempDir } from '../../test/support/temp-dir.js';
import { formatDiagnostic } from '../model/index.js';
import { loadPaths, loadPathsSync } from './index.js';
import type { LoadResult } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const tree = path.relative(process.cwd(), path.join(here, 'testdata', 'tree'));
const scratch = suiteTempDir('amime-load-');

/** Which file every object came from, in load order. */
const files = (r: LoadResult): string[] => [
  ...r.meshObjects.map((o) => o.file),
  ...r.namespaces.map((n) => n.loaded.file),
  ...r.pods.map((p) => p.loaded.file),
];

describe('reading folders', () => {
  it('walks recursively, in sorted order, ignoring non-manifest and hidden files', async () => {
    const r = await loadPaths([tree]);
    // README.md, notes.txt, script.sh, .hidden.yaml and .hidden/ would all be errors if read.
    expect(r.diagnostics).toEqual([]);
    expect(r.namespaces.map((n) => n.name)).toEqual(['ns-tree']);
    expect(r.meshObjects.map((o) => o.file)).toEqual([path.join(tree, 'b', 'c.yml')]);
    expect(r.pods.map((p) => [p.name, p.loaded.file])).toEqual([['p', path.join(tree, 'b', 'd.json')]]);
    expect(r.ignored).toBe(1); // the ConfigMap in Z-upper.YAML: extensions match in any case
  });

  it('keeps the path prefix the user typed, and relative stays relative', async () => {
    const r = await loadPaths([`./${tree}/`]);
    expect(r.namespaces[0]!.source.file).toBe(`./${tree}/a.yaml`);
    expect(r.namespaces[0]!.loaded.file).toBe(`./${tree}/a.yaml`);
    expect(path.isAbsolute(r.meshObjects[0]!.file)).toBe(false);
  });

  it('the sync and async variants give the same result', async () => {
    const a = await loadPaths([tree, path.join(here, 'testdata', 'json')]);
    const s = loadPathsSync([tree, path.join(here, 'testdata', 'json')]);
    expect(files(s)).toEqual(files(a));
    expect(s.diagnostics).toEqual(a.diagnostics);
    expect(s.ignored).toBe(a.ignored);
    expect(s.meshObjects.map((o) => o.object)).toEqual(a.meshObjects.map((o) => o.object));
  });

  it('visits files in code-unit order across folders', async () => {
    const dir = path.join(scratch(), 'order');
    mkdirSync(path.join(dir, 'm'), { recursive: true });
    const ns = (name: string): string => `apiVersion: v1\nkind: Namespace\nmetadata: {name: "${name}"}\n`;
    writeFileSync(path.join(dir, 'b.yaml'), ns('b'));
    writeFileSync(path.join(dir, 'B.yaml'), ns('B'));
    writeFileSync(
      path.join(dir, 'a.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }),
    );
    writeFileSync(path.join(dir, 'm', 'z.yml'), ns('m-z'));
    writeFileSync(path.join(dir, '10.yaml'), ns('10'));
    writeFileSync(path.join(dir, '9.yaml'), ns('9'));
    const r = await loadPaths([dir]);
    expect(r.diagnostics).toEqual([]);
    expect(r.namespaces.map((n) => n.name)).toEqual(['10', '9', 'B', 'a', 'b', 'm-z']);
  });

  it('warns about a folder without manifests', async () => {
    const dir = path.join(scratch(), 'empty');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'notes.txt'), 'not: [yaml');
    const r = await loadPaths([dir]);
    expect(r.diagnostics).toMatchObject([{ severity: 'warning', code: 'load.no-files' }]);
  });
});

describe('reading files', () => {
  it('reads a file named explicitly whatever its extension', async () => {
    const file = path.join(scratch(), 'manifest.txt');
    writeFileSync(file, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: txt}\n');
    expect((await loadPaths([file])).namespaces.map((n) => n.name)).toEqual(['txt']);
  });

  it('reports a path that does not exist, and goes on with the others', async () => {
    const r = await loadPaths(['does/not/exist.yaml', `${tree}/a.yaml`]);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      'error: cannot read does/not/exist.yaml: no such file or directory [load.not-found]',
    ]);
    expect(r.namespaces).toHaveLength(1);
  });

  it('reads a file once when it is named twice or reached twice', async () => {
    const r = await loadPaths([`${tree}/a.yaml`, tree, `./${tree}/a.yaml`]);
    expect(r.namespaces).toHaveLength(1);
  });

  it('survives a symlink loop', async () => {
    const dir = path.join(scratch(), 'loop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'x.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: loop}\n');
    symlinkSync(dir, path.join(dir, 'again'));
    const r = loadPathsSync([dir]);
    expect(r.diagnostics).toEqual([]);
    expect(r.namespaces.map((n) => n.name)).toEqual(['loop']);
  });

  it('reports bytes that are not UTF-8 text', async () => {
    const file = path.join(scratch(), 'binary.yaml');
    writeFileSync(file, Buffer.from([0x61, 0x3a, 0x20, 0xff, 0xfe, 0xfd, 0x0a, 0xc3]));
    const r = await loadPaths([file]);
    expect(r.diagnostics).toMatchObject([{ code: 'load.unreadable', source: { file, line: 1, col: 1 } }]);
  });

  it('decodes UTF-16 with a byte-order mark and UTF-8 with one', async () => {
    const text = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: wide\n';
    const u16 = path.join(scratch(), 'utf16.yaml');
    writeFileSync(u16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const u8 = path.join(scratch(), 'bom.yaml');
    writeFileSync(
      u8,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text.replace('wide', 'bom'), 'utf8')]),
    );
    const r = await loadPaths([u16, u8]);
    expect(r.diagnostics).toEqual([]);
    expect(r.namespaces.map((n) => [n.name, n.loaded.source.positionOf(['metadata', 'name'])])).toEqual([
      ['wide', { file: u16, line: 4, col: 3 }],
      ['bom', { file: u8, line: 4, col: 3 }],
    ]);
  });

  it('refuses files over maxBytes without reading them', async () => {
    const r = await loadPaths([`${tree}/a.yaml`], { maxBytes: 10 });
    expect(r.diagnostics).toMatchObject([{ code: 'load.too-large', source: { file: `${tree}/a.yaml` } }]);
    expect(r.namespaces).toEqual([]);
  });
});
