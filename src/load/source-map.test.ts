import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SourcePosition } from '../model/index.js';
import { loadText, parseText, sourceOf } from './index.js';
import type { LoadedObject } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = path.relative(process.cwd(), path.join(here, 'testdata', 'positions.yaml'));
const text = readFileSync(file, 'utf8');
const lc = (p: SourcePosition | undefined): string => (p ? `${p.line}:${p.col}` : 'none');

function objects(): LoadedObject[] {
  const parsed = parseText(text, file);
  expect(parsed.diagnostics).toEqual([]);
  return parsed.objects;
}

describe('source positions in a multi-document file', () => {
  it('skips the comment-only document but keeps document indexes', () => {
    const objs = objects();
    expect(objs.map((o) => [o.docIndex, (o.object as { kind: string }).kind])).toEqual([
      [0, 'VirtualRouter'],
      [2, 'VirtualNode'],
      [3, 'ConfigMap'],
    ]);
    expect(objs.map((o) => lc(o.source.documentPosition()))).toEqual(['2:1', '25:1', '41:1']);
  });

  it('answers with the key of map entries, at every depth', () => {
    const [vr, vn] = objects();
    expect(lc(sourceOf(vr!, ['metadata', 'name']))).toBe('5:3');
    expect(lc(sourceOf(vr!, ['spec', 'listeners', 0, 'portMapping', 'port']))).toBe('10:9');
    expect(
      lc(sourceOf(vr!, ['spec', 'routes', 0, 'httpRoute', 'action', 'weightedTargets', 0, 'weight'])),
    ).toBe('20:15');
    expect(lc(sourceOf(vn!, ['spec', 'podSelector', 'matchLabels']))).toBe('32:5');
    expect(lc(sourceOf(vn!, ['spec', 'podSelector', 'matchLabels', 'quoted key']))).toBe('34:7');
    expect(lc(sourceOf(vn!, ['spec', 'backends', 0, 'virtualService', 'virtualServiceRef', 'name']))).toBe(
      '39:27',
    );
  });

  it('answers with the item for sequence entries, block and flow', () => {
    const [vr, vn] = objects();
    expect(lc(sourceOf(vr!, ['spec', 'listeners', 0]))).toBe('9:7');
    expect(lc(sourceOf(vn!, ['spec', 'listeners', 0]))).toBe('36:5');
    expect(lc(sourceOf(vr!, ['spec', 'routes', 0, 'httpRoute', 'match', 'headers', 0]))).toBe('15:39');
  });

  it('counts columns in characters on lines with non-ASCII text', () => {
    const [vr] = objects();
    // `x-ü` before it on the line: ü is one column.
    expect(
      lc(sourceOf(vr!, ['spec', 'routes', 0, 'httpRoute', 'match', 'headers', 0, 'match', 'exact'])),
    ).toBe('15:61');
  });

  it('falls back to the deepest existing ancestor', () => {
    const [vr] = objects();
    expect(
      lc(sourceOf(vr!, ['spec', 'routes', 0, 'httpRoute', 'action', 'weightedTargets', 5, 'weight'])),
    ).toBe('17:11');
    expect(lc(sourceOf(vr!, ['spec', 'nothing', 'here']))).toBe('7:1');
    expect(lc(sourceOf(vr!, ['spec', 'routes', 'first']))).toBe('12:3');
    expect(lc(sourceOf(vr!, ['metadata', 'name', 'deeper']))).toBe('5:3');
    expect(lc(sourceOf(vr!, []))).toBe('2:1');
  });

  it('accepts numeric strings for sequence indexes', () => {
    const [vr] = objects();
    expect(lc(sourceOf(vr!, ['spec', 'routes', '0', 'name']))).toBe('13:7');
  });

  it('follows aliases and merge keys to where the value is written', () => {
    const cm = objects()[2]!;
    expect(cm.object).toMatchObject({ data: { merged: { x: '1', y: '2' }, alias: { x: '1' } } });
    expect(lc(sourceOf(cm, ['data', 'merged', 'x']))).toBe('47:5');
    expect(lc(sourceOf(cm, ['data', 'merged', 'y']))).toBe('50:5');
    expect(lc(sourceOf(cm, ['data', 'alias']))).toBe('51:3');
    expect(lc(sourceOf(cm, ['data', 'alias', 'x']))).toBe('47:5');
  });

  it('keeps the file name as given', () => {
    const [vr] = objects();
    expect(sourceOf(vr!, ['kind'])).toEqual({ file, line: 3, col: 1 });
    expect(path.isAbsolute(file)).toBe(false);
  });

  it('is unaffected by a byte-order mark and CRLF line ends', () => {
    const crlf = '\ufeff' + text.replace(/\n/g, '\r\n');
    const r = loadText(crlf, 'crlf.yaml');
    expect(r.diagnostics).toEqual([]);
    const vn = r.meshObjects[1]!;
    expect(lc(sourceOf(vn, ['spec', 'podSelector', 'matchLabels', 'quoted key']))).toBe('34:7');
    expect(lc(r.meshObjects[0]!.source.documentPosition())).toBe('2:1');
  });
});
