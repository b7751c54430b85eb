import { describe, expect, it } from 'vitest';
import type { ImportedResource } from '../import/index.js';
import { previewApply } from './preview.js';

const node = (name: string, mesh: string, port: number): ImportedResource => ({
  kind: 'VirtualNode',
  mesh,
  name,
  spec: { listeners: [{ portMapping: { port, protocol: 'http' } }] },
  origin: { id: { kind: 'VirtualNode', name } },
});

describe('previewApply', () => {
  const current = [node('a', 'm', 80), node('b', 'm', 80), node('c', 'other', 80)];

  it('marks added, changed and unchanged; apply never removes', () => {
    const p = previewApply(current, [node('a', 'm', 80), node('b', 'm', 81), node('d', 'm', 80)]);
    expect(p.changes.map((c) => [c.action, c.label])).toEqual([
      ['unchanged', 'VirtualNode a in mesh m'],
      ['changed', 'VirtualNode b in mesh m'],
      ['added', 'VirtualNode d in mesh m'],
    ]);
    expect(p.desired.map((r) => r.name).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('with prune, what the manifests leave out of their meshes is removed; other meshes stay', () => {
    const p = previewApply(current, [node('a', 'm', 80)], { prune: true });
    expect(p.changes.filter((c) => c.action === 'removed').map((c) => c.label)).toEqual([
      'VirtualNode b in mesh m',
    ]);
    expect(p.desired.map((r) => r.name).sort()).toEqual(['a', 'c']);
  });
});
