import { describe, expect, it } from 'vitest';
import {
  BuildContext,
  describeId,
  keyOf,
  refScope,
  relatedAt,
  safeLocate,
  type ResourceEntry,
} from './context.js';
import { entryOf } from './fixtures.testkit.js';
import { DEFAULT_QUOTAS } from './graph.js';

const here = { file: 'f.yaml', line: 2, col: 3 };

const entry = (more: Partial<ResourceEntry> = {}): ResourceEntry => entryOf('VirtualNode', 'n', {}, more);

const context = () => new BuildContext(DEFAULT_QUOTAS, 'cluster.local', true);

describe('keyOf and refScope', () => {
  it('a namespace is the identity; a scope only stands in for a missing or empty one', () => {
    const scope = { mesh: 'm' };
    expect(keyOf('VirtualNode', 'ns', 'n', scope)).toBe(keyOf('VirtualNode', 'ns', 'n'));
    expect(keyOf('VirtualNode', '', 'n', scope)).toBe(keyOf('VirtualNode', undefined, 'n', scope));
    expect(keyOf('VirtualNode', undefined, 'n', scope)).not.toBe(keyOf('VirtualNode', undefined, 'n'));
    expect(keyOf('VirtualNode', undefined, 'n', scope)).not.toBe(
      keyOf('VirtualNode', undefined, 'n', { mesh: 'm2' }),
    );
    expect(keyOf('Mesh', undefined, 'm')).toBe(keyOf('Mesh', '', 'm'));
  });

  it('a gateway route’s scope includes its gateway and that gateway’s namespace', () => {
    const on = (gateway: { name: string; namespace?: string }) =>
      keyOf('GatewayRoute', undefined, 'r', { mesh: 'm', gateway });
    expect(on({ name: 'g', namespace: 'a' })).not.toBe(on({ name: 'g', namespace: 'b' }));
    expect(on({ name: 'g', namespace: 'a' })).not.toBe(on({ name: 'g' }));
    expect(on({ name: 'g' })).not.toBe(on({ name: 'h' }));
    expect(on({ name: 'g' })).toBe(on({ name: 'g' }));
  });

  it('refScope: an unnamespaced reference from a scoped referrer looks in the referrer’s mesh', () => {
    const scoped = entry({ scope: { mesh: 'm', gateway: { name: 'g' } } });
    expect(refScope(scoped, undefined)).toEqual({ mesh: 'm' });
    expect(refScope(scoped, 'ns')).toBeUndefined();
    expect(refScope(entry(), undefined)).toBeUndefined();
  });
});

describe('BuildContext.report', () => {
  it('does not read references as written unless told to', () => {
    expect(context().refsFromFiles).toBe(false);
    expect(new BuildContext(DEFAULT_QUOTAS, 'c', true, true).refsFromFiles).toBe(true);
  });

  it('a diagnostic about nothing in particular has no resource and no source', () => {
    const ctx = context();
    const d = ctx.report(undefined, 'warning', [], 'x.code', 'message');
    expect(d).toEqual({ severity: 'warning', code: 'x.code', path: '', message: 'message' });
    expect(ctx.diagnostics).toEqual([d]);
  });

  it('locates the path, and keeps related places only when there are some', () => {
    const ctx = context();
    const e = entry({ locate: (p) => (p.length ? here : undefined) });
    expect(ctx.warning(e, ['spec', 'a'], 'c', 'm', [])).toEqual({
      severity: 'warning',
      code: 'c',
      path: 'spec.a',
      message: 'm',
      resource: e.id,
      source: here,
    });
    const related = [relatedAt(e, [], 'there')];
    expect(ctx.warning(e, [], 'c', 'm', related)).toEqual({
      severity: 'warning',
      code: 'c',
      path: '',
      message: 'm',
      resource: e.id,
      related,
    });
  });

  it('an error invalidates the blamed resource once, with the path in the reason; a warning does not', () => {
    const ctx = context();
    const e = entry();
    ctx.warning(e, ['spec'], 'w', 'just a warning');
    ctx.report(e, 'warning', ['spec'], 'w', 'blamed warning', undefined, e);
    ctx.errorAt(e, ['spec'], 'e', 'not its fault');
    expect(e.invalid).toBeUndefined();
    ctx.error(e, ['spec', 'listeners', 0], 'e', 'first');
    ctx.error(e, [], 'e', 'second');
    expect(e.invalid).toEqual({ reason: 'ValidationFailed', message: 'spec.listeners[0]: first' });
    const other = entry();
    ctx.error(other, [], 'e', 'whole resource');
    expect(other.invalid).toEqual({ reason: 'ValidationFailed', message: 'whole resource' });
  });

  it('on a probe, nothing is reported at or under a removed field', () => {
    const ctx = context();
    const probe = entry({ probe: { removed: ['spec.a', 'spec.list'] } });
    for (const path of [
      ['spec', 'a'],
      ['spec', 'a', 'b'],
      ['spec', 'list'],
      ['spec', 'list', 0, 'x'],
    ])
      ctx.error(probe, path, 'e', String(path));
    expect(ctx.diagnostics).toEqual([]);
    expect(probe.invalid).toBeUndefined();
    for (const path of [['spec', 'ab'], ['spec'], ['spec', 'b', 'a'], ['x', 'spec', 'a']])
      ctx.error(probe, path, 'e', String(path));
    expect(ctx.diagnostics.map((d) => d.path)).toEqual(['spec.ab', 'spec', 'spec.b.a', 'x.spec.a']);
  });
});

describe('relatedAt, safeLocate, describeId', () => {
  it('relatedAt names the resource, the path when there is one, and its source', () => {
    const e = entry({ locate: () => here });
    expect(relatedAt(e, ['spec', 'x'], 'm')).toEqual({
      resource: e.id,
      path: 'spec.x',
      source: here,
      message: 'm',
    });
    expect(relatedAt(entry(), [], 'm')).toEqual({ resource: entry().id, message: 'm' });
  });

  it('a locator that throws locates nothing', () => {
    expect(
      safeLocate(() => {
        throw new Error('broken');
      }, ['spec']),
    ).toBeUndefined();
    expect(safeLocate(undefined, ['spec'])).toBeUndefined();
    expect(safeLocate(() => here, ['spec'])).toBe(here);
  });

  it('describeId: Kind namespace/name, or Kind name', () => {
    expect(describeId({ kind: 'VirtualNode', namespace: 'ns', name: 'n' })).toBe('VirtualNode ns/n');
    expect(describeId({ kind: 'Mesh', name: 'm' })).toBe('Mesh m');
  });
});
