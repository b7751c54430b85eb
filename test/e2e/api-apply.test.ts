/**
 * `amime apply` / `amime get` as a user runs them (the CLI in a child process) against
 * the App Mesh API on loopback, with and without SigV4.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amime as run } from '../support/cli.js';
import { SEED_COMPLETE } from '../support/fixtures.js';
import { awsCli, startApiServer, type RunningApi } from './support/api-server.js';

const SEED = path.join(SEED_COMPLETE, 'mesh.yaml');

/** The CLI without the caller's AWS variables: signing only when a test asks for it. */
function amime(args: string[], env: Record<string, string> = {}) {
  return run(args, { env, withoutEnv: ['AWS_'] });
}

describe('amime apply / amime get', { timeout: 120_000 }, () => {
  let api: RunningApi;
  let dir: string;
  beforeAll(async () => {
    api = await startApiServer();
    dir = mkdtempSync(path.join(tmpdir(), 'amime-apply-'));
  });
  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the seed mesh, then finds it unchanged, then configures a change', async () => {
    const first = await amime(['apply', '-f', SEED, '--server', api.url]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n')).toEqual([
      'mesh/mesh-1 created',
      'virtualnode/vnode-1_mesh-test created',
      'virtualnode/vnode-2_mesh-test created',
      'virtualnode/vnode-x_mesh-test created',
      'virtualrouter/vrouter-1_mesh-test created',
      'route/vrouter-1_mesh-test/route-1 created',
      'virtualservice/svc-v.mesh-test created',
      'virtualgateway/gateway-v_mesh-test created',
      'gatewayroute/gateway-v_mesh-test/gateway-v-route-v_mesh-test created',
    ]);
    const again = await amime(['apply', '-f', SEED, '--server', api.url]);
    expect(
      again.stdout
        .trim()
        .split('\n')
        .every((l) => l.endsWith(' unchanged')),
    ).toBe(true);

    const changed = path.join(dir, 'mesh.yaml');
    writeFileSync(
      changed,
      readFileSync(SEED, 'utf8').replace(
        /weight: 1\n(\s+)- virtualNodeRef:\n(\s+)name: vnode-2\n(\s+)weight: 1/,
        'weight: 3\n$1- virtualNodeRef:\n$2name: vnode-2\n$3weight: 1',
      ),
    );
    const third = await amime(['apply', '-f', dir, '--server', api.url]);
    expect(third.stdout).toContain('route/vrouter-1_mesh-test/route-1 configured');
    expect(third.stdout).toContain('virtualnode/vnode-1_mesh-test unchanged');

    // Other App Mesh clients see the same resources.
    const cli = await awsCli(api.url, [
      'describe-route',
      '--mesh-name',
      'mesh-1',
      '--virtual-router-name',
      'vrouter-1_mesh-test',
      '--route-name',
      'route-1',
    ]);
    expect((cli.json?.route as { metadata: { version: number } }).metadata.version).toBe(2);
  });

  it('reads resources back as table, json and yaml', async () => {
    const table = await amime(['get', 'virtualnodes', '--mesh', 'mesh-1', '--server', api.url]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+MESH\s+VERSION\s+LAST UPDATED\s+ARN$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([
      'vnode-1_mesh-test',
      'vnode-2_mesh-test',
      'vnode-x_mesh-test',
    ]);
    const json = await amime([
      'get',
      'vn',
      'vnode-x_mesh-test',
      '--mesh',
      'mesh-1',
      '-o',
      'json',
      '--server',
      api.url,
    ]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      virtualNodeName: 'vnode-x_mesh-test',
      spec: { backends: [{ virtualService: { virtualServiceName: 'svc-v.mesh-test' } }] },
    });
    const yaml = await amime([
      'get',
      'routes',
      '--mesh',
      'mesh-1',
      '--virtual-router',
      'vrouter-1_mesh-test',
      '-o',
      'yaml',
      '--server',
      api.url,
    ]);
    expect(yaml.stdout).toContain('routeName: route-1');
    expect(yaml.stdout).toContain('virtualNode: vnode-1_mesh-test');
    const meshes = await amime(['get', 'meshes', '--server', api.url]);
    expect(meshes.stdout).toContain('mesh-1');
    const missing = await amime(['get', 'vn', 'nope', '--mesh', 'mesh-1', '--server', api.url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Error from server (NotFoundException)');
  });

  it('reports server errors per resource and exits 1', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      `apiVersion: appmesh.k8s.aws/v1beta2\nkind: VirtualService\nmetadata:\n  name: broken\n  namespace: mesh-test\nspec:\n  provider:\n    virtualNode:\n      virtualNodeRef:\n        name: ghost\n`,
    );
    const r = await amime(['apply', '-f', bad, '--mesh', 'mesh-1', '--server', api.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (BadRequestException): virtualservice/broken.mesh-test:');
  });
});

describe('amime apply with SigV4', { timeout: 120_000 }, () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApiServer({
      credentials: [{ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummysecret' }],
    });
  });
  afterAll(async () => api?.close());

  it('signs when AWS credentials are in the environment', async () => {
    const unsigned = await amime(['apply', '-f', SEED, '--server', api.url]);
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toContain('Error from server (MissingAuthenticationTokenException)');
    const signed = await amime(['apply', '-f', SEED, '--server', api.url], {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'dummysecret',
    });
    expect(signed.stderr).toBe('');
    expect(signed.stdout.trim().split('\n')).toHaveLength(9);
    const got = await amime(['get', 'vs', '--mesh', 'mesh-1', '--server', api.url], {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'dummysecret',
    });
    expect(got.stdout).toContain('svc-v.mesh-test');
  });
});
