import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { formatDiagnosticLine, formatReport, formatSummary, runValidate } from './validate.js';

const MESH_IN_TEAM = `apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata: { name: m }
spec: { namespaceSelector: { matchLabels: { mesh: m } } }
---
apiVersion: v1
kind: Namespace
metadata: { name: team, labels: { mesh: m } }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: { name: a }
spec:
  podSelector: { matchLabels: { app: a } }
  listeners: [{ portMapping: { port: 8080, protocol: http } }]
  serviceDiscovery: { dns: { hostname: a.team.svc.cluster.local } }
`;

describe('amime validate -n', () => {
  it('puts App Mesh objects that name no namespace in the given one (not in default)', async () => {
    const file = path.join(tempDir('amime-validate-n-'), 'a.yaml');
    writeFileSync(file, MESH_IN_TEAM);
    let text = '';
    const run = (namespace: string) =>
      runValidate(
        [file],
        { output: 'json', quota: {}, namespace, backendGroups: true, color: false },
        { write: (c: string) => (text = c) },
      );
    expect(await run('team')).toBe(0);
    expect(JSON.parse(text).diagnostics).toEqual([]);
    // In default (no Namespace object, not selected by the mesh), the node belongs to no mesh.
    await run('default');
    expect(JSON.stringify(JSON.parse(text).diagnostics)).toContain('"namespace":"default"');
  });
});

describe('validate output', () => {
  it('pluralises the summary', () => {
    expect(formatSummary({ meshes: 1, resources: 1, errors: 1, warnings: 1 })).toBe(
      '1 mesh · 1 resource · 1 error · 1 warning',
    );
    expect(formatSummary({ meshes: 3, resources: 12, errors: 2, warnings: 0 })).toBe(
      '3 meshes · 12 resources · 2 errors · 0 warnings',
    );
  });

  it('prints a diagnostic like a compiler, related places indented', () => {
    const line = formatDiagnosticLine({
      severity: 'warning',
      code: 'ref.backend-not-found',
      path: 'spec.backends[0]',
      message: 'missing',
      resource: { kind: 'VirtualNode', namespace: 'ns', name: 'a' },
      source: { file: 'f.yaml', line: 3, col: 5 },
      related: [
        {
          message: 'here',
          source: { file: 'g.yaml', line: 1, col: 1 },
          resource: { kind: 'Mesh', name: 'm' },
          path: 'spec',
        },
      ],
    });
    expect(line).toBe(
      'f.yaml:3:5: warning: VirtualNode ns/a: spec.backends[0]: missing [ref.backend-not-found]\n    g.yaml:1:1: Mesh m: spec: here',
    );
  });

  it('colours only when asked', () => {
    const d = { severity: 'error' as const, code: 'x', path: '', message: 'm' };
    expect(formatReport([d], { meshes: 0, resources: 0, errors: 1, warnings: 0 }, false)).not.toContain(
      '\u001b[',
    );
    expect(formatReport([d], { meshes: 0, resources: 0, errors: 1, warnings: 0 }, true)).toContain(
      '\u001b[1;31merror\u001b[0m',
    );
  });
});
