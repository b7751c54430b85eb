import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SourcePosition } from '../model/index.js';
import { loadPaths, loadText, sourceOf } from './index.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata', 'json');
const lc = (p: SourcePosition | undefined): string => (p ? `${p.line}:${p.col}` : 'none');

describe('JSON input', () => {
  // Columns count characters: a tab is one column, as in compiler messages.
  it('reads a single object, tab-indented, with positions', async () => {
    const r = await loadPaths([path.join(dir, 'single.json')]);
    expect(r.diagnostics).toEqual([]);
    const [svc] = r.meshObjects;
    expect(svc!.object).toEqual({
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'VirtualService',
      metadata: { name: 'svc-a', namespace: 'ns-a' },
      spec: { provider: { virtualNode: { virtualNodeRef: { name: 'vn-1' } } } },
    });
    expect(lc(sourceOf(svc!, ['metadata', 'namespace']))).toBe('6:3');
    expect(lc(sourceOf(svc!, ['spec', 'provider', 'virtualNode', 'virtualNodeRef', 'name']))).toBe('10:41');
    expect(svc!.itemIndex).toBeUndefined();
  });

  it('reads a top-level array: one object per item', async () => {
    const r = await loadPaths([path.join(dir, 'array.json')]);
    expect(r.diagnostics).toEqual([]);
    expect(r.namespaces.map((n) => [n.name, n.labels])).toEqual([['ns-a', { mesh: 'm' }]]);
    expect(r.meshObjects).toHaveLength(1);
    const mesh = r.meshObjects[0]!;
    expect([mesh.docIndex, mesh.itemIndex]).toEqual([0, 1]);
    expect(lc(mesh.source.documentPosition())).toBe('3:3');
    expect(lc(sourceOf(mesh, ['spec', 'namespaceSelector', 'matchLabels', 'mesh']))).toBe('3:135');
  });

  it('reads a Kubernetes List: items become objects, the List itself does not count', async () => {
    const r = await loadPaths([path.join(dir, 'list.json')]);
    expect(r.diagnostics).toEqual([]);
    expect(r.ignored).toBe(1); // the Service
    expect(r.pods).toHaveLength(1);
    const pod = r.pods[0]!;
    expect(pod).toMatchObject({
      origin: 'Deployment',
      namespace: 'ns-a',
      name: 'web',
      labels: { app: 'web' },
      annotations: { 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' },
    });
    expect(pod.loaded.itemIndex).toBe(0);
    expect(lc(pod.source)).toBe('11:24');
    expect(lc(pod.locate(['spec', 'containers', 0, 'ports', 0, 'containerPort']))).toBe('12:80');
  });

  it('fills apiVersion and kind into the items of a typed list, defaulting the namespace', async () => {
    const r = await loadPaths([path.join(dir, 'typed-list.yaml')]);
    expect(r.diagnostics).toEqual([]);
    expect(r.meshObjects.map((o) => o.object)).toEqual([
      {
        apiVersion: 'appmesh.k8s.aws/v1beta2',
        kind: 'VirtualNode',
        metadata: { name: 'vn-a', namespace: 'ns-a' },
        spec: {},
      },
      {
        apiVersion: 'appmesh.k8s.aws/v1beta2',
        kind: 'VirtualNode',
        metadata: { name: 'vn-b', namespace: 'default' },
        spec: {},
      },
    ]);
    expect(r.meshObjects.map((o) => lc(o.source.documentPosition()))).toEqual(['7:5', '11:5']);
  });

  it('reports JSON syntax errors with a position', () => {
    const r = loadText('{\n  "apiVersion": "v1",\n  "kind": "Namespace"\n  "metadata": {}\n}\n', 'bad.json');
    expect(r.namespaces).toEqual([]);
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics.every((d) => d.code === 'load.syntax' && d.severity === 'error')).toBe(true);
    expect(r.diagnostics[0]!.source).toMatchObject({ file: 'bad.json', line: 4 });
  });

  it('reports duplicate keys in JSON', () => {
    const r = loadText('{"apiVersion": "v1", "kind": "Namespace", "kind": "Pod"}', 'dup.json');
    expect(r.diagnostics).toMatchObject([
      {
        code: 'load.duplicate-key',
        path: 'kind',
        source: { file: 'dup.json', line: 1, col: 43 },
        related: [{ source: { line: 1, col: 22 } }],
      },
    ]);
  });
});
