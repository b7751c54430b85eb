/**
 * `amime import appmesh-json` on what the AWS CLI v2 really prints: a backup made the
 * way App Mesh users made theirs (`aws appmesh list-*` and one `describe-*` per
 * resource, each into its own file) imports to exactly what the server held
 * (`amime export -o api`), list-* files included: for the seed mesh, and for the import
 * golden (every resource type and spec field) applied to a fresh server, so every field
 * passes through the AWS CLI's own model and output.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { amime } from '../support/cli.js';
import { AWS_CLI_V2, describeWithPrograms } from '../support/system-programs.js';
import { awsCli } from './support/api-server.js';
import { startServe, type ServeProcess } from './support/serve-process.js';

const GOLDEN_API = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../src/import/testdata/out/cloudformation.api.json',
);

type Listed = Record<string, Array<Record<string, string>>>;

const KINDS = [
  ['virtual-node', 'virtualNodes', 'virtualNodeName'],
  ['virtual-service', 'virtualServices', 'virtualServiceName'],
  ['virtual-router', 'virtualRouters', 'virtualRouterName'],
  ['virtual-gateway', 'virtualGateways', 'virtualGatewayName'],
] as const;
const CHILDREN: Partial<Record<string, readonly [string, string, string]>> = {
  'virtual-router': ['route', 'routes', 'routeName'],
  'virtual-gateway': ['gateway-route', 'gatewayRoutes', 'gatewayRouteName'],
};

/** aws CLI runs at once: each is a Python start (CPU-bound), so about one per core. */
const AWS_AT_ONCE = 2;

/**
 * Every mesh of the server saved as list-* and describe-* output, one file per call, in `dir`.
 * The list-* calls run in turn (their answers say what to describe); the describe-* calls
 * run AWS_AT_ONCE at a time. `files` keeps the order of the calls, not of their answers.
 */
async function backup(server: string, dir: string): Promise<string[]> {
  mkdirSync(dir);
  const files: string[] = [];
  const calls: Array<Promise<unknown>> = [];
  /** One settled-never-rejected promise per describe-* call still running. */
  const running = new Set<Promise<void>>();
  const save = async (file: string, ...args: string[]): Promise<Listed> => {
    files.push(path.join(dir, file));
    const r = await awsCli(server, args);
    expect(r.code, `aws appmesh ${args.join(' ')}: ${r.stderr}`).toBe(0);
    writeFileSync(path.join(dir, file), r.stdout);
    return r.json as Listed;
  };
  /** Starts a describe-* call once fewer than AWS_AT_ONCE calls are running. */
  const describe = async (file: string, ...args: string[]): Promise<void> => {
    while (running.size >= AWS_AT_ONCE) await Promise.race(running);
    const call = save(file, ...args);
    calls.push(call);
    const settled = call.then(
      () => undefined,
      () => undefined,
    );
    running.add(settled);
    void settled.then(() => running.delete(settled));
  };
  const meshes = await save('meshes.json', 'list-meshes');
  for (const { meshName: mesh } of meshes.meshes!) {
    const m = ['--mesh-name', mesh!];
    await describe(`${mesh}.json`, 'describe-mesh', ...m);
    for (const [kind, list, nameKey] of KINDS) {
      const listed = await save(`${mesh}-${kind}s.json`, `list-${kind}s`, ...m);
      for (const item of listed[list]!) {
        const name = item[nameKey]!;
        const own = [...m, `--${kind}-name`, name];
        await describe(`${mesh}-${kind}-${name}.json`, `describe-${kind}`, ...own);
        const child = CHILDREN[kind];
        if (!child) continue;
        const [childKind, childList, childKey] = child;
        const children = await save(`${mesh}-${name}-${childKind}s.json`, `list-${childKind}s`, ...own);
        for (const c of children[childList]!)
          await describe(
            `${mesh}-${name}-${childKind}-${c[childKey]}.json`,
            `describe-${childKind}`,
            ...own,
            `--${childKind}-name`,
            c[childKey]!,
          );
      }
    }
  }
  await Promise.all(calls);
  return files;
}

/** What the server holds, less tags (describe-* output has none). */
async function heldWithoutTags(server: string): Promise<unknown[]> {
  const held = await amime(['export', '--server', server, '-o', 'api'], { withoutEnv: ['AWS_'] });
  expect(held.code, held.stderr).toBe(0);
  return (JSON.parse(held.stdout) as Array<Record<string, { tags?: unknown }>>).map((doc) =>
    Object.fromEntries(Object.entries(doc).map(([kind, { tags: _tags, ...r }]) => [kind, r])),
  );
}

describeWithPrograms(
  'amime import appmesh-json: aws CLI v2 describe-* and list-* output',
  [AWS_CLI_V2],
  () => {
    let work: string;
    let seed: ServeProcess;
    let golden: ServeProcess;

    beforeAll(async () => {
      work = mkdtempSync(path.join(tmpdir(), 'amime-import-describe-'));
      [seed, golden] = await Promise.all([
        startServe(['--data-dir', path.join(work, 'seed-data'), '--log-level', 'warn']),
        startServe(['--data-dir', path.join(work, 'golden-data'), '--no-seed', '--log-level', 'warn']),
      ]);
    });
    afterAll(async () => {
      await Promise.all([seed?.stop(), golden?.stop()]);
      rmSync(work, { recursive: true, force: true });
    });

    it('imports a list-* and describe-* backup of the seed mesh as exactly what the server holds', async () => {
      const files = await backup(seed.apiUrl, path.join(work, 'seed'));
      expect(files.length).toBeGreaterThan(15);
      const imported = await amime(['import', 'appmesh-json', ...files, '-o', 'api']);
      expect(imported.stderr).toBe('');
      expect(imported.code).toBe(0);
      expect(JSON.parse(imported.stdout)).toEqual(await heldWithoutTags(seed.apiUrl));

      const manifests = await amime(['import', 'appmesh-json', ...files]);
      expect(manifests.code, manifests.stderr).toBe(0);
      const file = path.join(work, 'seed.yaml');
      writeFileSync(file, manifests.stdout);
      const validate = await amime(['validate', file]);
      expect(validate.code, validate.stdout + validate.stderr).toBe(0);
      expect(validate.stdout + validate.stderr).toContain('0 errors · 0 warnings');
    });

    it('the import golden, applied and backed up with the AWS CLI, imports back unchanged', async () => {
      const applied = await amime(['import', 'appmesh-json', GOLDEN_API, '--server', golden.apiUrl], {
        withoutEnv: ['AWS_'],
      });
      expect(applied.code, applied.stderr).toBe(0);
      const files = await backup(golden.apiUrl, path.join(work, 'golden'));
      const imported = await amime(['import', 'appmesh-json', ...files, '-o', 'api']);
      expect(imported.stderr).toBe('');
      expect(imported.code).toBe(0);
      const expected = (JSON.parse(readFileSync(GOLDEN_API, 'utf8')) as unknown[]).length;
      const held = await heldWithoutTags(golden.apiUrl);
      expect(held).toHaveLength(expected);
      expect(JSON.parse(imported.stdout)).toEqual(held);
    });
  },
  // About 60 aws CLI runs for the golden's backup: generous for a loaded machine.
  { timeout: 300_000 },
);
