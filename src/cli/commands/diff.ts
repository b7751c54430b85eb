/**
 * `amime diff <paths...>`: what `amime apply` of these manifests would change on a
 * running server (or, with --base, compared with other manifests), without writing:
 * the App Mesh resources added, changed (or with --prune removed), and per affected
 * proxy group a unified diff of the Envoy configuration it would receive. Exit 0 no
 * change, 1 changes, 2 errors, for CI pipelines. Thin: reading and the preview are
 * src/export, the plan src/api, the Envoy diff src/console.
 */
import type { Command } from 'commander';
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { planApply, AppMeshClientError } from '../../api/index.js';
import { envoyDiff } from '../../console/index.js';
import {
  graphOfResources,
  previewApply,
  readResources,
  resourcesOfSteps,
  type ResourceChange,
} from '../../export/index.js';
import type { ImportedResource } from '../../import/index.js';
import { loadPaths } from '../../load/index.js';
import { isReconcileTime, validateLoaded } from '../../mesh/index.js';
import { formatDiagnosticBlock, type Diagnostic } from '../../model/index.js';
import { CliError } from '../failure.js';
import { DEFAULT_SERVER, clientFor, serverUrl, unreachable } from '../server-client.js';

export interface DiffCliOptions {
  server: string;
  base?: string[];
  namespace: string;
  region?: string;
  prune?: boolean;
  grpc?: boolean;
}

interface Out {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

const SIGN: Readonly<Record<ResourceChange['action'], string>> = {
  added: '+',
  changed: '~',
  removed: '-',
  unchanged: ' ',
};

/** The manifests' resources in API form; their errors (file:line) stop the diff. */
async function planned(
  paths: readonly string[],
  namespace: string,
  err: Out,
): Promise<ImportedResource[] | undefined> {
  const load = await loadPaths(paths, { defaultNamespace: namespace });
  const { diagnostics } = validateLoaded(load, { defaultNamespace: namespace });
  const plan = planApply(load, { defaultNamespace: namespace });
  const problems: Diagnostic[] = [
    ...diagnostics.filter((d) => d.severity === 'error' && !isReconcileTime(d)),
    ...plan.diagnostics.filter((d) => d.code === 'apply.membership'),
  ];
  for (const d of problems) err.write(`${formatDiagnosticBlock(d)}\n`);
  return problems.length > 0 ? undefined : resourcesOfSteps(plan.steps);
}

function specPatch(c: ResourceChange): string {
  const text = (spec: Record<string, unknown> | undefined) => (spec ? stringify(spec, { lineWidth: 0 }) : '');
  return createTwoFilesPatch(
    `a/${c.label}`,
    `b/${c.label}`,
    text(c.before),
    text(c.after),
    undefined,
    undefined,
    {
      context: 3,
    },
  ).replace(/^=+\n/, '');
}

export async function runDiff(
  paths: readonly string[],
  options: DiffCliOptions,
  out: Out,
  err: Out,
): Promise<number> {
  const progress = err.isTTY === true;
  const say = (text: string) => progress && err.write(`\r\u001b[2K${text}`);
  const wanted = await planned(paths, options.namespace, err);
  if (!wanted) {
    err.write(
      `amime diff: ${paths.join(', ')} ha${paths.length === 1 ? 's' : 've'} errors: nothing compared\n`,
    );
    return 2;
  }
  let current: ImportedResource[];
  if (options.base) {
    const base = await planned(options.base, options.namespace, err);
    if (!base) {
      err.write(`amime diff: --base ${options.base.join(', ')} has errors: nothing compared\n`);
      return 2;
    }
    current = base;
  } else {
    const server = serverUrl(options.server);
    try {
      current = await readResources(clientFor(server, options.region), {
        onProgress: (n) => say(`read ${n} resource${n === 1 ? '' : 's'} from ${server}`),
      });
    } catch (e) {
      if (e instanceof AppMeshClientError) throw new CliError(`${server}: ${e.type}: ${e.message}`, 2);
      throw new CliError((unreachable(e, server) ?? (e as Error)).message, 2);
    }
  }
  const preview = previewApply(current, wanted, { prune: options.prune === true });
  const before = graphOfResources(current, options.base ? 'the --base manifests' : 'the server');
  const after = graphOfResources(preview.desired, 'the result');
  const groups = envoyDiff(before.graph, after.graph, {
    grpc: options.grpc === true,
    onProgress: (done, total) => say(`rendered ${done}/${total} proxy groups`),
  });
  if (progress) err.write('\r\u001b[2K');

  const changed = preview.changes.filter((c) => c.action !== 'unchanged');
  for (const c of changed) {
    out.write(`${SIGN[c.action]} ${c.label}: ${c.action}\n`);
    out.write(specPatch(c));
  }
  if (groups.length > 0) {
    out.write(`\nEnvoy configuration (${groups.length} proxy group${groups.length === 1 ? '' : 's'}):\n`);
    for (const g of groups) out.write(g.patch.replace(/^=+\n/, ''));
  }
  const summary = `${changed.length} resource${changed.length === 1 ? '' : 's'} would change, the Envoy configuration of ${groups.length} proxy group${groups.length === 1 ? '' : 's'}`;
  err.write(`${changed.length + groups.length === 0 ? 'no changes' : summary}\n`);
  return changed.length + groups.length === 0 ? 0 : 1;
}

const HELP = `
Reads what the server at --server holds (as \`amime export\` does), lays the manifests
over it as \`amime apply\` would (create or update; apply never deletes, --prune shows
what the server holds in the same meshes that the manifests leave out as removed),
and prints:
  + / ~ / -  each App Mesh resource added, changed or removed, with a diff of its spec
  then, per proxy group (a virtual node's sidecars, a gateway) whose configuration
  changes, a unified diff of its Envoy resources (listeners, routes, clusters,
  secrets; endpoints come from the running system, not from manifests).
With --base, compares with other manifests instead of a server (no server needed).
Progress goes to stderr on a terminal only.

Exit status: 0 = no change; 1 = changes; 2 = errors (invalid manifests, the server
could not be read, bad usage).

Examples:
  $ amime diff examples/seed-changed/                       # against the server at ${DEFAULT_SERVER}
  $ amime diff k8s/ --server http://amime.internal:9080 || echo "review the change"
  $ amime diff --base examples/seed examples/seed-changed   # two folders, no server
`;

export function configure(command: Command): void {
  command
    .argument('<paths...>', 'files or folders with YAML or JSON manifests')
    .option('--server <url>', 'the Amime server (REST API address)', DEFAULT_SERVER)
    .option(
      '--base <path>',
      'compare with these manifests instead of a server (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      '--prune',
      'show what the server holds in the same meshes, but the manifests leave out, as removed',
    )
    .option('--grpc', 'also the configuration of proxyless gRPC clients (<node id>#grpc)')
    .option('-n, --namespace <namespace>', 'namespace for objects that name none', 'default')
    .option(
      '--region <region>',
      'SigV4 region (signing happens when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set)',
    )
    .addHelpText('after', HELP)
    .action(async (paths: string[], opts: DiffCliOptions) => {
      try {
        process.exitCode = await runDiff(paths, opts, process.stdout, process.stderr);
      } catch (e) {
        if (!(e instanceof CliError)) throw e;
        process.stderr.write(`amime diff: ${e.message}\n`);
        process.exitCode = 2;
      }
    });
}
