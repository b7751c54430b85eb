import { SEED_COMPLETE } from '../../test/support/fixtures.js';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadText } from './index.js';

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

const PIECES = [
  '[',
  ']',
  '{',
  '}',
  ':',
  '- ',
  '\n',
  '  ',
  '\t',
  '"',
  "'",
  '&a ',
  '*a',
  '<<: ',
  '---\n',
  '#',
  '!!str ',
  '%YAML 1.1\n',
  '\u00e9',
  '\ud83d\ude80',
  '\ufeff',
  '\0',
  '? ',
];

function mutate(text: string, rand: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(rand() * 6);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rand() * (out.length + 1));
    const r = rand();
    if (r < 0.4) out = out.slice(0, at) + PIECES[Math.floor(rand() * PIECES.length)] + out.slice(at);
    else if (r < 0.7) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(rand() * 8));
    else {
      const from = Math.floor(rand() * out.length);
      out = out.slice(0, at) + out.slice(from, from + Math.floor(rand() * 40)) + out.slice(at);
    }
  }
  return out;
}

describe('mutated manifests', () => {
  it('never throw; every problem is a load.* diagnostic with a position in the file', () => {
    const seed = readFileSync(path.join(SEED_COMPLETE, 'mesh.yaml'), 'utf8');
    const rand = prng(20260101);
    let withDiagnostics = 0;
    for (let i = 0; i < 200; i++) {
      const r = loadText(mutate(seed, rand), 'fuzz.yaml');
      if (r.diagnostics.length > 0) withDiagnostics++;
      for (const d of r.diagnostics) {
        expect(d.code).toMatch(/^load\./);
        expect(d.code).not.toBe('load.internal');
        expect(d.source?.file).toBe('fuzz.yaml');
        expect(d.source!.line).toBeGreaterThanOrEqual(1);
        expect(d.source!.col).toBeGreaterThanOrEqual(1);
      }
      for (const o of r.meshObjects) expect(o.source.positionOf(['spec', 'x', 0])).toBeDefined();
    }
    // The mutations do break things; a fuzzer that never hits an error tests nothing.
    expect(withDiagnostics).toBeGreaterThan(50);
  });
});
