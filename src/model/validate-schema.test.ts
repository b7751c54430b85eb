import fc from 'fast-check';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { KIND_INFO } from './resources.js';
import { checkAgainstSchema } from './validate-schema.js';

const router = {
  listeners: [{ portMapping: { port: 80, protocol: 'http' } }],
  routes: [
    {
      name: 'r',
      httpRoute: {
        match: { prefix: '/' },
        action: { weightedTargets: [{ virtualNodeRef: { name: 'a' }, weight: 1 }] },
      },
    },
  ],
};

/** A valid spec with one field somewhere replaced by an arbitrary JSON value. */
const mutated = fc
  .tuple(fc.constantFrom(...paths(router)), fc.jsonValue({ maxDepth: 2 }))
  .map(([path, value]) => replaced(router, path, value));

describe('checkAgainstSchema', () => {
  it('finds no error in a valid value', () => {
    expect(checkAgainstSchema(KIND_INFO.VirtualRouter.spec, router, { at: ['spec'] })).toEqual([]);
  });

  it('reports the errors of a value that fails, as the error iterator finds them', () => {
    const bad = replaced(router, ['listeners', 0, 'portMapping', 'port'], 70000);
    expect(checkAgainstSchema(KIND_INFO.VirtualRouter.spec, bad, { at: ['spec'] })).toMatchObject([
      { severity: 'error', path: 'spec.listeners[0].portMapping.port' },
    ]);
  });

  it('finds a value valid exactly when the error iterator finds no error in it (what the fast path relies on)', () => {
    const schema = KIND_INFO.VirtualRouter.spec;
    const compiled = TypeCompiler.Compile(schema);
    fc.assert(
      fc.property(mutated, (spec) => {
        expect(compiled.Check(spec)).toBe(Value.Errors(schema, spec).First() === undefined);
      }),
      { numRuns: 500 },
    );
  });
});

function paths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [at];
  const out: Array<Array<string | number>> = [at];
  for (const [k, v] of Object.entries(value))
    out.push(...paths(v, [...at, Array.isArray(value) ? Number(k) : k]));
  return out;
}

function replaced(value: unknown, path: ReadonlyArray<string | number>, by: unknown): unknown {
  if (path.length === 0) return by;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  copy[head!] = replaced(copy[head!], rest, by);
  return copy;
}
