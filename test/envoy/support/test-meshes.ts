/**
 * The meshes the real-Envoy tests serve, written to a folder `amime serve --from` can
 * read: the seed and the feature-rich mesh, whose certificate and log paths
 * (`/etc/amime-test/…`, `/var/log/amime-test/…`) are moved into that folder, with the
 * test PKI's files there.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestPki } from '../../e2e/support/certs.js';
import { REPO_ROOT, SEED_COMPLETE } from '../../support/fixtures.js';

export const FEATURE_RICH = path.join(REPO_ROOT, 'test/envoy/testdata/feature-rich');

/** Cloud Map instances of the feature-rich mesh's `blue` (its EDS cluster gets an assignment). */
export const RICH_CLOUD_MAP = {
  'rich/blue_rich': [
    { address: '10.0.0.21', port: 8080, zone: 'us-west-2a' },
    { address: '10.0.0.22', port: 8080, zone: 'us-west-2b' },
  ],
};

export interface TestMeshes {
  /** The folder of manifests. */
  readonly manifests: string;
  /** An `--endpoints-file` with RICH_CLOUD_MAP. */
  readonly endpointsFile: string;
}

export function writeTestMeshes(dir: string, pki: TestPki): TestMeshes {
  const manifests = path.join(dir, 'manifests');
  const files = path.join(dir, 'files');
  const logs = path.join(dir, 'logs');
  for (const d of [manifests, files, logs, ...['front', 'red', 'gw'].map((n) => path.join(files, n))])
    mkdirSync(d, { recursive: true, mode: 0o777 });
  for (const f of readdirSync(SEED_COMPLETE).filter((f) => f.endsWith('.yaml')))
    copyFileSync(path.join(SEED_COMPLETE, f), path.join(manifests, `seed-${f}`));
  const rich = readFileSync(path.join(FEATURE_RICH, 'mesh.yaml'), 'utf8')
    .replaceAll('/etc/amime-test/', `${files}/`)
    .replaceAll('/var/log/amime-test/', `${logs}/`);
  writeFileSync(path.join(manifests, 'feature-rich.yaml'), rich);
  writeFileSync(path.join(files, 'ca.pem'), pki.ca);
  for (const n of ['front', 'red', 'gw']) {
    writeFileSync(path.join(files, n, 'cert.pem'), pki.server.cert);
    writeFileSync(path.join(files, n, 'key.pem'), pki.server.key, { mode: 0o644 });
  }
  const endpointsFile = path.join(dir, 'endpoints.yaml');
  writeFileSync(endpointsFile, JSON.stringify({ virtualNodes: RICH_CLOUD_MAP }));
  return { manifests, endpointsFile };
}
