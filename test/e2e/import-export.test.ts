/**
 * `amime export` / `amime import` as a user runs them, against real `amime serve`
 * processes: the seed mesh exported from one server and imported into a fresh one
 * exports again identically; the golden CloudFormation template applied through
 * --server comes back out, tags included, as its golden API JSON; a data directory is
 * refused while its server runs and read without a change once it stopped (cleanly or
 * by kill -9).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amime as runCli } from '../support/cli.js';
import { startServe, type ServeProcess } from './support/serve-process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TESTDATA = path.join(ROOT, 'src/import/testdata');

/** The built CLI, without the AWS variables of the machine (no SigV4 to a server that does not ask for it). */
const amime = (args: readonly string[]) => runCli(args, { withoutEnv: ['AWS_'], timeoutMs: 90_000 });

/** Every file of a directory with its content hash: what "read without a change" compares. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [
        f,
        createHash('sha256')
          .update(readFileSync(path.join(dir, f)))
          .digest('hex'),
      ]),
  );
}

describe('amime export / import round trips', { timeout: 300_000 }, () => {
  let work: string;
  let seeded: ServeProcess;
  let fresh: ServeProcess;
  let exported: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'amime-import-export-'));
    [seeded, fresh] = await Promise.all([
      startServe(['--data-dir', path.join(work, 'seeded'), '--log-level', 'warn']),
      startServe(['--data-dir', path.join(work, 'fresh'), '--no-seed', '--log-level', 'warn']),
    ]);
  });
  afterAll(async () => {
    await Promise.all([seeded?.kill9(), fresh?.kill9()]);
    rmSync(work, { recursive: true, force: true });
  });

  it('seed → serve → export -o api → import appmesh-json --server into a fresh server → export: identical', async () => {
    const first = await amime(['export', '--server', seeded.apiUrl, '-o', 'api']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    exported = first.stdout;
    expect(JSON.parse(exported)).toHaveLength(9);
    const file = path.join(work, 'seed.json');
    writeFileSync(file, exported);

    const imported = await amime(['import', 'appmesh-json', file, '--server', fresh.apiUrl]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout.trim().split('\n')).toEqual([
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

    const again = await amime(['export', '--server', fresh.apiUrl, '-o', 'api']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(exported);
  });

  it('exports v1beta2 manifests that amime validate accepts and amime apply finds unchanged', async () => {
    const yaml = await amime(['export', '--server', seeded.apiUrl, '--mesh', 'mesh-1']);
    expect(yaml.code).toBe(0);
    const file = path.join(work, 'seed.yaml');
    writeFileSync(file, yaml.stdout);
    const validated = await amime(['validate', file]);
    expect(validated.stdout).toContain('1 mesh · 7 resources · 0 errors · 0 warnings');
    expect(validated.code).toBe(0);
    const applied = await amime(['apply', '-f', file, '--server', fresh.apiUrl]);
    expect(applied.code).toBe(0);
    expect(
      applied.stdout
        .trim()
        .split('\n')
        .every((l) => l.endsWith(' unchanged')),
    ).toBe(true);
  });

  it('applies the golden CloudFormation template and exports it back as its golden API JSON, tags included', async () => {
    const imported = await amime([
      'import',
      'cloudformation',
      path.join(TESTDATA, 'in/mesh.template.yaml'),
      '--server',
      fresh.apiUrl,
      '--region',
      'eu-west-1',
      '--account-id',
      '111122223333',
      '--parameter',
      'Env=prod',
      '--import-value',
      'shop-ca-authority-arn=arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/ca-1',
    ]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(
      imported.stdout
        .trim()
        .split('\n')
        .every((l) => l.endsWith(' created')),
    ).toBe(true);
    const back = await amime(['export', '--server', fresh.apiUrl, '--mesh', 'shop', '-o', 'api']);
    expect(back.code).toBe(0);
    expect(back.stdout).toBe(readFileSync(path.join(TESTDATA, 'out/cloudformation.api.json'), 'utf8'));
  });

  it('refuses a data directory while its server runs, and reads it unchanged once stopped', async () => {
    const dir = path.join(work, 'seeded');
    const busy = await amime(['export', '--data-dir', dir]);
    expect(busy.code).toBe(1);
    expect(busy.stdout).toBe('');
    expect(busy.stderr).toBe(
      `amime export: ${path.join(dir, 'amime.sqlite')} is locked: an amime serve process is using it; stop that server first, or export from it while it runs with --server URL\n`,
    );

    expect(await seeded.stop()).toBe(0);
    const before = snapshot(dir);
    const stopped = await amime(['export', '--data-dir', dir, '-o', 'api']);
    expect(stopped.stderr).toBe('');
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toBe(exported);
    expect(snapshot(dir)).toEqual(before);
  });

  it('reads a data directory left by kill -9 (its write-ahead log included) without changing it', async () => {
    const dir = path.join(work, 'fresh');
    await fresh.kill9();
    const before = snapshot(dir);
    expect(Object.keys(before)).toContain('amime.sqlite-wal');
    const dump = await amime(['export', '--data-dir', dir, '--mesh', 'shop', '-o', 'api']);
    expect(dump.stderr).toBe('');
    expect(dump.code).toBe(0);
    expect(dump.stdout).toBe(readFileSync(path.join(TESTDATA, 'out/cloudformation.api.json'), 'utf8'));
    expect(snapshot(dir)).toEqual(before);
  });
});
