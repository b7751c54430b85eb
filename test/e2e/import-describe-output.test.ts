/**
 * `amime import appmesh-json` on what the AWS CLI v2 really prints: a backup made the
 * way App Mesh users made theirs (`aws appmesh list-*` and one `describe-*` per
 * resource, each into its own file) of the seed mesh served by `amime serve` imports
 * to exactly what the server holds (`amime export -o api`), list-* files included.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { amime } from '../support/cli.js';
import { AWS_CLI_V2, describeWithPrograms } from '../support/system-programs.js';
import { awsCli } from './support/api-server.js';
import { startServe, type ServeProcess } from './support/serve-process.js';

type Listed = Record<string, Array<Record<string, string>>>;

describeWithPrograms(
  'amime import appmesh-json: aws CLI v2 describe-* and list-* output',
  [AWS_CLI_V2],
  () => {
    let work: string;
    let server: ServeProcess;
    let files: string[];

    /** Runs `aws appmesh ARGS`, writes its output to FILE as `> FILE` would, and returns it parsed. */
    async function save(file: string, ...args: string[]): Promise<Listed> {
      const r = await awsCli(server.apiUrl, args);
      expect(r.code, `aws appmesh ${args.join(' ')}: ${r.stderr}`).toBe(0);
      const target = path.join(work, file);
      writeFileSync(target, r.stdout);
      files.push(target);
      return r.json as Listed;
    }

    beforeAll(async () => {
      work = mkdtempSync(path.join(tmpdir(), 'amime-import-describe-'));
      server = await startServe(['--data-dir', path.join(work, 'data'), '--log-level', 'warn']);
      files = [];
      const meshes = await save('meshes.json', 'list-meshes');
      for (const { meshName: mesh } of meshes.meshes!) {
        const m = ['--mesh-name', mesh!];
        await save(`${mesh}.json`, 'describe-mesh', ...m);
        const kinds = [
          ['virtual-node', 'virtualNodes', 'virtualNodeName'],
          ['virtual-service', 'virtualServices', 'virtualServiceName'],
          ['virtual-router', 'virtualRouters', 'virtualRouterName'],
          ['virtual-gateway', 'virtualGateways', 'virtualGatewayName'],
        ] as const;
        for (const [kind, list, nameKey] of kinds) {
          const listed = await save(`${mesh}-${kind}s.json`, `list-${kind}s`, ...m);
          for (const item of listed[list]!) {
            const name = item[nameKey]!;
            await save(`${mesh}-${kind}-${name}.json`, `describe-${kind}`, ...m, `--${kind}-name`, name);
            const child =
              kind === 'virtual-router'
                ? (['route', 'routes', 'routeName'] as const)
                : kind === 'virtual-gateway'
                  ? (['gateway-route', 'gatewayRoutes', 'gatewayRouteName'] as const)
                  : undefined;
            if (!child) continue;
            const [childKind, childList, childKey] = child;
            const parent = [`--${kind}-name`, name];
            const children = await save(
              `${mesh}-${name}-${childKind}s.json`,
              `list-${childKind}s`,
              ...m,
              ...parent,
            );
            for (const c of children[childList]!)
              await save(
                `${mesh}-${name}-${childKind}-${c[childKey]}.json`,
                `describe-${childKind}`,
                ...m,
                ...parent,
                `--${childKind}-name`,
                c[childKey]!,
              );
          }
        }
      }
    });
    afterAll(async () => {
      await server?.stop();
      rmSync(work, { recursive: true, force: true });
    });

    it('imports a list-* and describe-* backup of the seed mesh as exactly what the server holds', async () => {
      expect(files.length).toBeGreaterThan(15);
      const imported = await amime(['import', 'appmesh-json', ...files, '-o', 'api']);
      expect(imported.stderr).toBe('');
      expect(imported.code).toBe(0);
      const held = await amime(['export', '--server', server.apiUrl, '-o', 'api'], { withoutEnv: ['AWS_'] });
      expect(held.code, held.stderr).toBe(0);
      expect(JSON.parse(held.stdout)).toHaveLength(9);
      expect(imported.stdout).toBe(held.stdout);
    });

    it('the same backup as v1beta2 manifests validates clean', async () => {
      const manifests = await amime(['import', 'appmesh-json', ...files]);
      expect(manifests.code, manifests.stderr).toBe(0);
      const file = path.join(work, 'manifests.yaml');
      writeFileSync(file, manifests.stdout);
      const validate = await amime(['validate', file]);
      expect(validate.code, validate.stdout + validate.stderr).toBe(0);
      expect(validate.stdout + validate.stderr).toContain('0 errors · 0 warnings');
    });
  },
);
