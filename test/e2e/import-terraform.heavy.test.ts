/**
 * `amime import terraform` on what Terraform really writes: the hashicorp/aws provider
 * applies a mesh (testdata/terraform/main.tf, every App Mesh resource type) to a real
 * `amime serve` through its `endpoints { appmesh }`; `terraform show -json` of that
 * state imports to exactly what the server then holds (`amime export`), as API JSON and
 * as v1beta2 manifests that validate clean. A saved plan, where names come from
 * resources not created yet, is refused with the fix.
 *
 * Terraform runs offline: the AWS provider comes from a local mirror, either
 * AMIME_TERRAFORM_PLUGINS or one of Terraform's implicit local mirror directories.
 * Neither Terraform nor the provider is in a registry this project reaches, so CI cannot
 * install them: this suite is not part of `npm test` but runs with `npm run
 * test:terraform` (vitest.config.ts collects it only under AMIME_TERRAFORM=1), and there
 * a missing program or provider is a failure that says what to install.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amime } from '../support/cli.js';
import { findProgram, TERRAFORM, type Capability } from '../support/system-programs.js';
import { startServe, type ServeProcess } from './support/serve-process.js';
import { terraformConfig, type ApiDocument } from './support/terraform-config.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MAIN_TF = path.join(HERE, 'testdata/terraform/main.tf');
const GOLDEN_API = path.join(HERE, '../../src/import/testdata/out/cloudformation.api.json');

/** A filesystem mirror holding registry.terraform.io/hashicorp/aws (terraform providers mirror DIR). */
function awsProviderMirror(): Capability & { dir?: string } {
  const candidates = [
    process.env.AMIME_TERRAFORM_PLUGINS,
    path.join(homedir(), '.terraform.d/plugins'),
    path.join(process.env.XDG_DATA_HOME ?? path.join(homedir(), '.local/share'), 'terraform/plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ].filter((d): d is string => Boolean(d));
  const dir = candidates.find((d) => existsSync(path.join(d, 'registry.terraform.io/hashicorp/aws')));
  return dir
    ? { ok: true, reason: '', dir }
    : {
        ok: false,
        reason:
          'no hashicorp/aws provider in a local mirror — set AMIME_TERRAFORM_PLUGINS to one (terraform providers mirror DIR)',
      };
}

const mirror = awsProviderMirror();
const program = findProgram(TERRAFORM);
const TITLE = 'amime import terraform: a state the AWS provider wrote against Amime';

if (!program.found || !mirror.ok) {
  const reason = [program.found ? '' : program.reason, mirror.ok ? '' : mirror.reason]
    .filter(Boolean)
    .join('; ');
  describe(TITLE, () => {
    it('needs terraform and the hashicorp/aws provider', () => {
      throw new Error(`npm run test:terraform: ${reason}`);
    });
  });
} else {
  const terraformBin = program.path;
  describe(
    TITLE,
    () => {
      let work: string;
      let server: ServeProcess;
      const terraform = (dir: string, ...args: string[]) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
          execFile(
            terraformBin,
            [`-chdir=${dir}`, ...args, '-no-color'],
            {
              // No user configuration and no checkpoint calls: the run stays on loopback.
              env: {
                ...process.env,
                TF_CLI_CONFIG_FILE: path.join(work, 'none.tfrc'),
                CHECKPOINT_DISABLE: '1',
                TF_IN_AUTOMATION: '1',
              },
              timeout: 180_000,
              maxBuffer: 64 * 1024 * 1024,
            },
            (error, stdout, stderr) =>
              resolve({
                code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
                stdout,
                stderr,
              }),
          );
        });
      const project = async (name: string, config = readFileSync(MAIN_TF, 'utf8')) => {
        const dir = path.join(work, name);
        mkdirSync(dir);
        writeFileSync(path.join(dir, 'main.tf'), config);
        const init = await terraform(dir, 'init', '-input=false', `-plugin-dir=${mirror.dir}`);
        expect(init.code, init.stderr).toBe(0);
        return dir;
      };
      /** terraform apply against `api`; then the state as terraform show -json writes it, in a file beside. */
      const applied = async (dir: string, api: string, resources: number): Promise<string> => {
        const apply = await terraform(
          dir,
          'apply',
          '-input=false',
          '-auto-approve',
          `-var=appmesh_endpoint=${api}`,
        );
        expect(apply.code, apply.stderr).toBe(0);
        expect(apply.stdout).toContain(`Apply complete! Resources: ${resources} added`);
        const show = await terraform(dir, 'show', '-json');
        expect(show.code, show.stderr).toBe(0);
        const state = path.join(dir, 'state.json');
        writeFileSync(state, show.stdout);
        return state;
      };
      const serve = (data: string) =>
        startServe([
          '--data-dir',
          path.join(work, data),
          '--no-seed',
          '--region',
          'eu-west-1',
          '--account-id',
          '111122223333',
          '--log-level',
          'warn',
        ]);

      beforeAll(async () => {
        work = mkdtempSync(path.join(tmpdir(), 'amime-import-terraform-'));
        writeFileSync(path.join(work, 'none.tfrc'), '');
        server = await serve('data');
      });
      afterAll(async () => {
        await server?.stop();
        rmSync(work, { recursive: true, force: true });
      });

      it('imports the applied state as what the server holds: API JSON with tags, and manifests that validate clean', async () => {
        const state = await applied(await project('applied'), server.apiUrl, 8);

        const importedApi = await amime(['import', 'terraform', state, '-o', 'api']);
        expect(importedApi.stderr).toBe('');
        expect(importedApi.code).toBe(0);
        const held = await amime(['export', '--server', server.apiUrl, '-o', 'api'], {
          withoutEnv: ['AWS_'],
        });
        expect(held.code, held.stderr).toBe(0);
        const heldResources = JSON.parse(held.stdout) as unknown[];
        expect(heldResources).toHaveLength(8);
        expect(unordered(JSON.parse(importedApi.stdout))).toEqual(unordered(heldResources));

        const manifests = await amime(['import', 'terraform', state]);
        expect(manifests.code, manifests.stderr).toBe(0);
        const file = path.join(work, 'manifests.yaml');
        writeFileSync(file, manifests.stdout);
        const validate = await amime(['validate', file]);
        expect(validate.stdout + validate.stderr).toContain('0 errors · 0 warnings');
        expect(validate.code).toBe(0);
      });

      it('the import golden as Terraform writes it: the provider applies it, and its state imports to the golden resources', async () => {
        const golden = (JSON.parse(readFileSync(GOLDEN_API, 'utf8')) as ApiDocument[]).map(withinTerraform);
        const dir = await project('golden', terraformConfig(golden));
        const other = await serve('golden-data');
        let state: string;
        try {
          state = await applied(dir, other.apiUrl, golden.length);
        } finally {
          await other.stop();
        }
        const imported = await amime(['import', 'terraform', state, '-o', 'api']);
        expect(imported.stderr).toBe('');
        expect(imported.code).toBe(0);
        expect(unordered(JSON.parse(imported.stdout))).toEqual(unordered(golden));
      });

      it('refuses a saved plan whose names come from resources not created yet, saying what to import instead', async () => {
        const dir = await project('planned');
        const plan = await terraform(
          dir,
          'plan',
          '-input=false',
          '-out=plan.bin',
          `-var=appmesh_endpoint=${server.apiUrl}`,
        );
        expect(plan.code, plan.stderr).toBe(0);
        const show = await terraform(dir, 'show', '-json', 'plan.bin');
        expect(show.code, show.stderr).toBe(0);
        const file = path.join(work, 'plan.json');
        writeFileSync(file, show.stdout);
        const r = await amime(['import', 'terraform', file]);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(
          /plan\.json:1:\d+: error: terraform aws_appmesh_virtual_node\.api: values\.mesh_name: mesh_name is not known: in a plan it comes from a resource not created yet; import the state after terraform apply \(terraform show -json\), or write mesh_name as a literal \[import\.unresolved\]/,
        );
      });
    },
    { timeout: 600_000 },
  );
}

/**
 * The golden without what hashicorp/aws 5.100.0 cannot write (its schema has no such
 * argument: Cloud Map's ipPreference, a gateway route's HTTP method match, a gRPC
 * gateway route's hostname/metadata match and hostname rewrite) and with a header or
 * metadata range starting at 1, not 0 (the provider takes 0 as unset and sends no
 * start, which App Mesh requires). Found by applying the whole golden with it.
 */
function withinTerraform(doc: ApiDocument): ApiDocument {
  const copy = JSON.parse(JSON.stringify(doc)) as ApiDocument;
  const [kind, r] = Object.entries(copy)[0]!;
  const spec = r.spec as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
  if (kind === 'virtualNode') delete spec.serviceDiscovery?.awsCloudMap?.ipPreference;
  if (kind === 'gatewayRoute') {
    for (const route of ['httpRoute', 'http2Route']) delete spec[route]?.match?.method;
    delete spec.grpcRoute?.action?.rewrite;
    delete spec.grpcRoute?.match?.hostname;
    delete spec.grpcRoute?.match?.metadata;
  }
  const startAtOne = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(startAtOne);
    else if (v !== null && typeof v === 'object') {
      const range = (v as { range?: { start?: number } }).range;
      if (range?.start === 0) range.start = 1;
      Object.values(v).forEach(startAtOne);
    }
  };
  startAtOne(spec);
  return copy;
}

/**
 * Terraform keeps many lists as sets, in its own order: repeated blocks (header,
 * metadata, backend…) and string lists (`http_retry_events = ["server-error",
 * "gateway-error"]` is stored as gateway-error, server-error). App Mesh gives their
 * order no meaning either, so every list compares unordered.
 */
function unordered(value: unknown): unknown {
  if (Array.isArray(value))
    return value.map(unordered).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unordered(v)]));
}
