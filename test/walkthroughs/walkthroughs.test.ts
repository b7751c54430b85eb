/**
 * App Mesh's own walkthroughs (aws/aws-app-mesh-examples, walkthroughs/howto-k8s-*),
 * issue 16: each manifest set in testdata/ (its source named in its first line) was
 * accepted by App Mesh's controller, so `amime validate` must find no error in it, only
 * the warnings listed below, and every proxy it defines must render to Envoy resources
 * that pass the output checks.
 *
 * A file with a `# with: <file>` line is applied on top of that file, as the walkthrough
 * does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkResources, NO_ENDPOINTS, proxyGroups, translateGroupDetailed } from '../../src/envoy/index.js';
import { loadPaths } from '../../src/load/index.js';
import { validateLoaded } from '../../src/mesh/index.js';

const DIR = path.join(import.meta.dirname, 'testdata');

/** The warnings App Mesh's manifests draw, each one true of the walkthrough as published. */
const WARNINGS: Record<string, string[]> = {
  // A backend by the ARN of a VirtualService that lives in the other cluster.
  'howto-k8s-cross-cluster--cluster1.yaml': ['ref.backend-not-found'],
  // A gRPC health check with a path (only http and http2 health checks use one).
  'howto-k8s-grpc-ingress-v2.yaml': ['listener.health-check-path-ignored'],
  // clientPolicy.tls.mode is not a field of the v1beta2 CRD (the API server prunes it).
  'howto-k8s-mtls-sds-based.yaml': ['schema.unknown-field'],
};

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function withBase(file: string): string[] {
  const base = /^# with: (\S+)$/m.exec(readFileSync(path.join(DIR, file), 'utf8'))?.[1];
  return [...(base ? [path.join(DIR, base)] : []), path.join(DIR, file)];
}

describe("App Mesh's walkthroughs validate and render as App Mesh accepted them", () => {
  it('holds the manifest sets of at least 25 walkthroughs', () => {
    expect(new Set(files.map((f) => f.split('--')[0])).size).toBeGreaterThanOrEqual(25);
  });

  it.each(files)('%s', async (file) => {
    const { graph, diagnostics } = validateLoaded(await loadPaths(withBase(file)));
    const shown = diagnostics.map((d) => `${d.severity} ${d.code} @ ${d.path}: ${d.message}`);
    expect(
      diagnostics.filter((d) => d.severity === 'error'),
      shown.join('\n'),
    ).toEqual([]);
    expect(
      diagnostics.filter((d) => d.severity === 'warning').map((d) => d.code),
      shown.join('\n'),
    ).toEqual(WARNINGS[file] ?? []);

    const groups = proxyGroups(graph);
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) {
      const { resources } = translateGroupDetailed(graph, group, NO_ENDPOINTS);
      // A proxyless gRPC client gets listeners only for its gRPC backends.
      if (group.flavour !== 'grpc') expect(resources.listeners.length, group.key).toBeGreaterThan(0);
      expect(checkResources(resources), group.key).toEqual([]);
    }
  });
});
