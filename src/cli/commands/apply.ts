/**
 * `amime apply -f FILE|DIR --server URL`: push `v1beta2` manifests to a running Amime
 * through its App Mesh REST API, kubectl style: one line per resource, `created`,
 * `configured` or `unchanged`. Thin: the plan and the calls live in src/api.
 */
import type { Command } from 'commander';
import { loadPaths } from '../../load/index.js';
import { formatDiagnostic } from '../../model/diagnostic.js';
import { applyStep, planApply, type StepResult } from '../../api/apply-plan.js';
import { AppMeshHttpClient, credentialsFromEnv } from '../../api/client.js';

export interface ApplyCliOptions {
  filename: string[];
  server: string;
  mesh?: string;
  namespace: string;
  region?: string;
}

interface Out {
  write(chunk: string): unknown;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:9080';

/** `virtualnode/vnode-1_mesh-test`, `route/vrouter-1_mesh-test/route-1`. */
export function resourceLabel(r: StepResult['step']): string {
  const kind = r.kind.toLowerCase();
  return r.parent !== undefined ? `${kind}/${r.parent}/${r.name}` : `${kind}/${r.name}`;
}

export async function runApply(options: ApplyCliOptions, out: Out, err: Out): Promise<number> {
  const load = await loadPaths(options.filename);
  const plan = planApply(load, {
    defaultNamespace: options.namespace,
    ...(options.mesh ? { mesh: options.mesh } : {}),
  });
  for (const d of plan.diagnostics) err.write(`${formatDiagnostic(d)}\n`);
  if (plan.diagnostics.length > 0 && plan.steps.length === 0) return 1;
  const creds = credentialsFromEnv();
  const client = new AppMeshHttpClient({
    server: options.server,
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-west-2',
    ...(creds ? { credentials: creds } : {}),
  });
  let failed = plan.diagnostics.length > 0;
  for (const step of plan.steps) {
    const result = await applyStep(client, step);
    if (result.error) {
      failed = true;
      err.write(
        `Error from server (${result.error.type}): ${resourceLabel(step)}: ${result.error.message}\n`,
      );
    } else out.write(`${resourceLabel(step)} ${result.outcome}\n`);
  }
  return failed ? 1 : 0;
}

export function register(program: Command): void {
  program
    .command('apply')
    .description(
      'create or update the App Mesh resources of manifests on a running Amime server, through its REST API',
    )
    .requiredOption(
      '-f, --filename <path>',
      'a manifest file or folder (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--server <url>', 'the Amime REST API', DEFAULT_SERVER)
    .option('--mesh <name>', 'mesh for resources whose membership the files do not tell')
    .option('-n, --namespace <ns>', 'namespace for objects that name none', 'default')
    .option(
      '--region <region>',
      'SigV4 region (signing happens when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set)',
    )
    .action(async (opts: ApplyCliOptions) => {
      process.exitCode = await runApply(opts, process.stdout, process.stderr);
    });
}
