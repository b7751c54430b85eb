/**
 * Black box: `amime validate` as a user runs it, on the seed's two folders. Runs the
 * built CLI in a child process from the examples folder, so file names print the way
 * a user typed them.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { amime as run } from '../support/cli.js';
import { REPO_ROOT } from '../support/fixtures.js';

// Run from examples/, so file names print relative to it (seed-as-written/…, seed/…).
const SEED = path.join(REPO_ROOT, 'examples');

function amime(args: string[], cwd = SEED) {
  return run(args, { cwd });
}

interface JsonReport {
  diagnostics: Array<{
    severity: string;
    code: string;
    path: string;
    message: string;
    source?: { file: string; line: number; col: number };
    resource?: { kind: string; name: string; namespace?: string };
    related?: Array<{ message: string }>;
  }>;
  summary: { meshes: number; resources: number; errors: number; warnings: number };
}

describe('amime validate (CLI)', { timeout: 120_000 }, () => {
  it('as-written: exit 1 and exactly the two root causes, each with its file:line', async () => {
    const r = await amime(['validate', 'seed-as-written']);
    expect(r.code, r.stderr).toBe(1);
    const errorLines = r.stdout.split('\n').filter((l) => /^\S.*: error: /.test(l));
    expect(errorLines).toHaveLength(2);
    expect(errorLines[0]).toMatch(
      /^seed-as-written\/01-mesh-and-vnode\.yaml:11:3: error: Mesh mesh-1: spec\.namespaceSelector: no Mesh selects namespace mesh-test: Mesh mesh-1 selects mesh=sitateru-mesh, but the namespace has mesh=mesh-1 .*\[mesh\.no-matching-mesh\]$/,
    );
    expect(errorLines[1]).toBe(
      'seed-as-written/02-router-and-service.yaml:23:15: error: VirtualRouter mesh-test/vrouter-1: spec.routes[0].httpRoute.action.weightedTargets[1].virtualNodeRef: route route-1 targets VirtualNode mesh-test/vnode-2, which does not exist [ref.not-found]',
    );
    // The resources the mesh error leaves without a mesh are listed under it, indented, not as errors.
    const related = r.stdout.split('\n').filter((l) => l.startsWith('    '));
    expect(related).toContain(
      '    seed-as-written/01-mesh-and-vnode.yaml:19:3: Namespace mesh-test: metadata.labels: namespace mesh-test has mesh=mesh-1, appmesh.k8s.aws/sidecarInjectorWebhook=enabled',
    );
    for (const name of [
      'VirtualNode mesh-test/vnode-1',
      'VirtualRouter mesh-test/vrouter-1',
      'VirtualService mesh-test/svc-v',
      'VirtualNode mesh-test/vnode-x',
      'VirtualGateway mesh-test/gateway-v',
      'GatewayRoute mesh-test/gateway-v-route-v',
    ]) {
      expect(related.some((l) => l.includes(`${name}: metadata.namespace: left without a mesh`))).toBe(true);
    }
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('1 mesh · 6 resources · 2 errors · 0 warnings');
  });

  it('complete: exit 0, no diagnostics', async () => {
    const r = await amime(['validate', 'seed']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('1 mesh · 7 resources · 0 errors · 0 warnings\n');
  });

  it('-o json: diagnostics and a summary for machines', async () => {
    const r = await amime(['validate', '-o', 'json', 'seed-as-written']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.summary).toEqual({ meshes: 1, resources: 6, errors: 2, warnings: 0 });
    expect(
      report.diagnostics.map((d) => [d.severity, d.code, d.path, `${d.source?.file}:${d.source?.line}`]),
    ).toEqual([
      [
        'error',
        'mesh.no-matching-mesh',
        'spec.namespaceSelector',
        'seed-as-written/01-mesh-and-vnode.yaml:11',
      ],
      [
        'error',
        'ref.not-found',
        'spec.routes[0].httpRoute.action.weightedTargets[1].virtualNodeRef',
        'seed-as-written/02-router-and-service.yaml:23',
      ],
    ]);
    expect(report.diagnostics[0]!.related).toHaveLength(7);
    const complete = JSON.parse((await amime(['validate', '-o', 'json', 'seed'])).stdout) as JsonReport;
    expect(complete).toEqual({
      diagnostics: [],
      summary: { meshes: 1, resources: 7, errors: 0, warnings: 0 },
    });
  });

  it('several paths are one input; --quota overrides a quota by name or App Mesh code', async () => {
    const r = await amime([
      'validate',
      '--quota',
      'virtualNodesPerMesh=2',
      'seed/mesh.yaml',
      'seed/workloads.yaml',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'seed/mesh.yaml:59:3: error: VirtualNode mesh-test/vnode-x: metadata.name: mesh mesh-1: virtual nodes: 3; the quota "Virtual nodes per mesh" (L-E043DFB4) is 2',
    );
    expect((await amime(['validate', '--quota', 'L-E043DFB4=3', 'seed'])).code).toBe(0);
  });

  it('usage errors exit 2; --help teaches and exits 0', async () => {
    expect((await amime(['validate'])).code).toBe(2);
    expect((await amime(['validate', '-o', 'xml', 'seed'])).code).toBe(2);
    const bad = await amime(['validate', '--quota', 'nodes=5', 'seed']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('virtualNodesPerMesh');
    const help = await amime(['validate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('amime validate manifests/');
    expect(help.stdout).toContain('L-E043DFB4');
  });

  it('a path that does not exist is an error with exit 1', async () => {
    const r = await amime(['validate', 'no-such-dir']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error: ');
    expect(r.stdout).toContain('[load.not-found]');
  });
});
