import { describe, expect, it } from 'vitest';
import type { ResourceEntry } from './context.js';
import { entryOf } from './fixtures.testkit.js';
import { hasBrokenSelector } from './rules-selectors.js';

const BROKEN = { matchLabels: { 'bad key!': 'x' } };

const entry = (kind: string, spec: object): ResourceEntry =>
  entryOf(kind as ResourceEntry['kind'], 'x', spec);

describe('hasBrokenSelector', () => {
  it('is true when any one of the kind’s selectors is broken', () => {
    expect(
      hasBrokenSelector(entry('VirtualGateway', { namespaceSelector: {}, gatewayRouteSelector: BROKEN })),
    ).toBe(true);
    expect(hasBrokenSelector(entry('VirtualGateway', { podSelector: BROKEN }))).toBe(true);
    expect(hasBrokenSelector(entry('Mesh', { namespaceSelector: BROKEN }))).toBe(true);
    expect(hasBrokenSelector(entry('VirtualNode', { podSelector: BROKEN }))).toBe(true);
  });

  it('is false for good or absent selectors, and for kinds without selectors', () => {
    expect(
      hasBrokenSelector(
        entry('VirtualGateway', { namespaceSelector: {}, podSelector: { matchLabels: { a: 'b' } } }),
      ),
    ).toBe(false);
    expect(hasBrokenSelector(entry('VirtualGateway', {}))).toBe(false);
    expect(hasBrokenSelector(entry('VirtualService', { podSelector: BROKEN }))).toBe(false);
  });
});
