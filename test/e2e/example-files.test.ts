/**
 * Issue 15 item 7: every example file in examples/ (docs/file-formats.md) is read by the
 * code that reads its flag, and means what its comments say. And a file of the wrong
 * shape is an error naming the file, never an empty table.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCredentialsFile } from '../../src/api/sigv4.js';
import { arnOf } from '../../src/model/names.js';
import { readConfigFile, resolveConfig } from '../../src/server/config.js';
import { readEndpointsFile } from '../../src/server/endpoints.js';
import { loadAuthConfig } from '../../src/xds/auth/auth-file.js';
import { isAllowed } from '../../src/xds/auth/iam-policy.js';
import { amime } from '../support/cli.js';
import { REPO_ROOT } from '../support/fixtures.js';

const example = (name: string) => path.join(REPO_ROOT, 'examples', name);

describe('the example files', () => {
  it('examples/xds-auth.yaml: the seed policy, verbatim, allows mesh-1 proxies under the region and account it names', async () => {
    const config = await loadAuthConfig(example('xds-auth.yaml'));
    const [principal] = config.principals;
    expect(principal?.tokenSha256?.equals(createHash('sha256').update('amime-example-token').digest())).toBe(
      true,
    );
    const arn = (region: string, account: string) =>
      arnOf('mesh/mesh-1/virtualNode/vnode-x_mesh-test', { region, account });
    const action = 'appmesh:StreamAggregatedResources';
    expect(isAllowed(principal!.policies, action, arn('ap-northeast-1', '111122223333'))).toBe(true);
    // With the defaults (us-west-2, 000000000000) the same policy allows nothing: hence the flags.
    expect(isAllowed(principal!.policies, action, arn('us-west-2', '000000000000'))).toBe(false);
  });

  it('examples/api-credentials.yaml and examples/endpoints.yaml read as their flags read them', () => {
    expect(loadCredentialsFile(example('api-credentials.yaml'))).toEqual([
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummysecret' },
    ]);
    const endpoints = readEndpointsFile(example('endpoints.yaml'));
    expect(endpoints.get('mesh-1/vnode-1_mesh-test')).toEqual([
      { address: '10.0.1.10', port: 8080 },
      { address: '10.0.1.11', port: 8080 },
    ]);
    expect(endpoints.get('mesh-1/vnode-2_mesh-test')?.[1]).toEqual({
      address: '10.0.2.11',
      port: 8080,
      zone: 'us-west-2b',
      health: 'UNHEALTHY',
    });
  });

  it('examples/amime.yaml names files that exist', () => {
    const config = resolveConfig(readConfigFile(example('amime.yaml')), {});
    for (const file of [config.from, config.endpointsFile, config.xds.authFile])
      expect(file && existsSync(path.resolve(REPO_ROOT, file)), file).toBe(true);
  });

  it('an endpoints file of the wrong shape is an error naming the file (serve and render alike)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'amime-examples-'));
    try {
      // The shape `amime render --endpoints` used to read: no virtualNodes key.
      const old = path.join(dir, 'endpoints.json');
      writeFileSync(old, JSON.stringify({ 'mesh-1/vnode-1_mesh-test': [{ address: '10.0.0.1', port: 80 }] }));
      expect(() => readEndpointsFile(old)).toThrow(
        `${old}: unknown key mesh-1/vnode-1_mesh-test: expected a map with one key, virtualNodes`,
      );
      const r = await amime(['render', 'examples/seed', '--proxy', 'mesh-1/vn/vnode-x', '--endpoints', old]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(
        /^amime render: .*endpoints\.json: unknown key mesh-1\/vnode-1_mesh-test/,
      );
      const rendered = await amime([
        'render',
        'examples/seed',
        '--proxy',
        'mesh-1/vn/vnode-x',
        '--grpc',
        '--type',
        'endpoints',
        '--endpoints',
        'examples/endpoints.yaml',
        '-o',
        'json',
      ]);
      expect(rendered.code, rendered.stderr).toBe(0);
      expect(rendered.stdout).toContain('10.0.1.10');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
