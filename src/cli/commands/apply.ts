/**
 * `amime apply -f FILE|DIR --server URL`: push `v1beta2` manifests to a running Amime
 * through its App Mesh REST API, kubectl style: one line per resource, `created`,
 * `configured` or `unchanged`. Input with errors is refused before anything is
 * written, with the validator's file:line diagnostics. Thin: the plan and the calls
 * live in src/api, the checks in src/mesh.
 */
import type { Command } from 'commander';
import { loadPaths } from '../../load/index.js';
import { isReconcileTime, validateLoaded } from '../../mesh/index.js';
import { KINDS, formatDiagnosticBlock, type Diagnostic } from '../../model/index.js';
import { applyStep, planApply, type StepResult } from '../../api/index.js';
import { DEFAULT_SERVER, clientFor, serverUrl, unreachable } from '../server-client.js';

export { DEFAULT_SERVER };

export interface ApplyCliOptions {
  filename: string[];
  server: string;
  mesh?: string;
  namespace: string;
  region?: string;
  dryRun?: boolean;
}

interface Out {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** `virtualnode/vnode-1_mesh-test`, `route/vrouter-1_mesh-test/route-1`. */
export function resourceLabel(r: StepResult['step']): string {
  const kind = r.kind.toLowerCase();
  return r.parent !== undefined ? `${kind}/${r.parent}/${r.name}` : `${kind}/${r.name}`;
}

const APP_MESH_KINDS = new Set<string>(KINDS);

/**
 * The validator's errors that stop an apply: those of the files and of App Mesh
 * objects. Not those about other Kubernetes objects (pods, namespaces), not a
 * reference to something the server may already have (the server decides), and not a
 * missing Mesh when --mesh names it.
 */
function blocking(d: Diagnostic, mesh: string | undefined): boolean {
  if (d.severity !== 'error' || isReconcileTime(d)) return false;
  if (mesh !== undefined && d.code === 'mesh.no-mesh') return false;
  return !d.resource || APP_MESH_KINDS.has(d.resource.kind);
}

export async function runApply(options: ApplyCliOptions, out: Out, err: Out): Promise<number> {
  const server = serverUrl(options.server);
  const load = await loadPaths(options.filename, { defaultNamespace: options.namespace });
  const { diagnostics } = validateLoaded(load, { defaultNamespace: options.namespace });
  const plan = planApply(load, {
    defaultNamespace: options.namespace,
    ...(options.mesh ? { mesh: options.mesh } : {}),
  });
  const problems = [
    ...diagnostics.filter((d) => blocking(d, options.mesh)),
    ...plan.diagnostics.filter((d) => d.code === 'apply.membership'),
  ];
  if (problems.length > 0) {
    for (const d of problems) err.write(`${formatDiagnosticBlock(d)}\n`);
    err.write(
      `amime apply: nothing was applied: ${problems.length} error${problems.length === 1 ? '' : 's'} in ${options.filename.join(', ')}\n`,
    );
    return 1;
  }
  if (plan.steps.length === 0) {
    err.write(`amime apply: no App Mesh resources in ${options.filename.join(', ')}\n`);
    return 1;
  }
  const client = clientFor(server, options.region);
  const suffix = options.dryRun ? ' (dry run)' : '';
  let failed = false;
  // On a terminal, one line that counts the calls; cleared before each result line.
  const progress = err.isTTY === true && plan.steps.length > 1;
  for (const [i, step] of plan.steps.entries()) {
    let result: StepResult;
    if (progress) err.write(`\r\u001b[2K[${i + 1}/${plan.steps.length}] ${resourceLabel(step)}`);
    try {
      result = await applyStep(client, step, { dryRun: options.dryRun === true });
    } catch (e) {
      throw unreachable(e, server) ?? e;
    } finally {
      if (progress) err.write('\r\u001b[2K');
    }
    if (result.error) {
      failed = true;
      err.write(
        `Error from server (${result.error.type}): ${resourceLabel(step)}: ${result.error.message}\n`,
      );
    } else out.write(`${resourceLabel(step)} ${result.outcome}${suffix}\n`);
  }
  return failed ? 1 : 0;
}

const HELP = `
Checks the manifests first, as \`amime validate\` does: with an error, nothing is written.
A reference to a resource the server already has is left for the server to check.

Examples:
  $ amime apply -f examples/seed/mesh.yaml
  $ amime apply -f manifests/ --dry-run          # what would be created or configured; writes nothing
  $ amime apply -f route.yaml --mesh mesh-1 --server http://amime.internal:9080
  SigV4: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (as for \`aws appmesh\`) when the
  server has --api-credentials-file.
`;

export function configure(command: Command): void {
  command
    .requiredOption(
      '-f, --filename <path>',
      'a manifest file or folder (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--server <url>', 'the Amime REST API', DEFAULT_SERVER)
    .option('--mesh <name>', 'mesh for resources whose membership the files do not tell')
    .option('-n, --namespace <ns>', 'namespace for objects that name none', 'default')
    .option('--dry-run', 'say what would be created, configured or left unchanged, and write nothing')
    .option(
      '--region <region>',
      'SigV4 region (signing happens when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set)',
    )
    .addHelpText('after', HELP)
    .action(async (opts: ApplyCliOptions) => {
      process.exitCode = await runApply(opts, process.stdout, process.stderr);
    });
}
