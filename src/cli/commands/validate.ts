/**
 * `amime validate PATH...`: load manifests, check them the way App Mesh's webhooks
 * and controller would, and print every problem like a compiler does. Thin: the
 * rules live in src/mesh, the reading in src/load.
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { loadPaths } from '../../load/index.js';
import { QUOTA_INFO, QUOTA_NAMES, quotaNameOf, validateLoaded, type Quotas } from '../../mesh/index.js';
import { formatResourceId, formatSource, type Diagnostic, type RelatedInfo } from '../../model/index.js';

export interface ValidateCliOptions {
  output: 'text' | 'json';
  quota: Partial<Quotas>;
  namespace: string;
  clusterDomain?: string;
  backendGroups: boolean;
  color: boolean;
}

export interface Summary {
  meshes: number;
  resources: number;
  errors: number;
  warnings: number;
}

interface Out {
  write(chunk: string): unknown;
}

/** Loads, validates and prints; returns the exit code (1 when there are errors). */
export async function runValidate(
  paths: ReadonlyArray<string>,
  options: ValidateCliOptions,
  out: Out,
): Promise<number> {
  const load = await loadPaths(paths);
  const { graph, diagnostics } = validateLoaded(load, {
    defaultNamespace: options.namespace,
    quotas: options.quota,
    enableBackendGroups: options.backendGroups,
    ...(options.clusterDomain ? { clusterDomain: options.clusterDomain } : {}),
  });
  const summary: Summary = {
    meshes: graph.counts.meshes,
    resources: graph.counts.resources,
    errors: diagnostics.filter((d) => d.severity === 'error').length,
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
  };
  if (options.output === 'json') out.write(`${JSON.stringify({ diagnostics, summary }, null, 2)}\n`);
  else out.write(formatReport(diagnostics, summary, options.color));
  return summary.errors > 0 ? 1 : 0;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function formatSummary(s: Summary): string {
  return [
    plural(s.meshes, 'mesh', 'meshes'),
    plural(s.resources, 'resource'),
    plural(s.errors, 'error'),
    plural(s.warnings, 'warning'),
  ].join(' · ');
}

const paint = (on: boolean, code: string, text: string): string =>
  on ? `\u001b[${code}m${text}\u001b[0m` : text;

/** `file:line:col: error: Kind ns/name: spec.path: message [code]`, related places indented below. */
export function formatDiagnosticLine(d: Diagnostic, color = false): string {
  const where = d.source ? `${paint(color, '1', formatSource(d.source))}: ` : '';
  const severity = d.severity === 'error' ? paint(color, '1;31', 'error') : paint(color, '1;33', 'warning');
  const what = d.resource ? `${formatResourceId(d.resource)}: ` : '';
  const path = d.path ? `${d.path}: ` : '';
  const lines = [`${where}${severity}: ${what}${path}${d.message} ${paint(color, '2', `[${d.code}]`)}`];
  for (const r of d.related ?? []) lines.push(`    ${formatRelated(r)}`);
  return lines.join('\n');
}

function formatRelated(r: RelatedInfo): string {
  const where = r.source ? `${formatSource(r.source)}: ` : '';
  const what = r.resource ? `${formatResourceId(r.resource)}: ` : '';
  const path = r.path ? `${r.path}: ` : '';
  return `${where}${what}${path}${r.message}`;
}

export function formatReport(
  diagnostics: ReadonlyArray<Diagnostic>,
  summary: Summary,
  color = false,
): string {
  const body = diagnostics.map((d) => formatDiagnosticLine(d, color)).join('\n');
  const line = formatSummary(summary);
  const painted =
    summary.errors > 0
      ? paint(color, '1;31', line)
      : summary.warnings > 0
        ? paint(color, '1;33', line)
        : paint(color, '1;32', line);
  return `${body}${body ? '\n\n' : ''}${painted}\n`;
}

function parseQuota(value: string, previous: Partial<Quotas> = {}): Partial<Quotas> {
  const m = /^([^=]+)=(\d+)$/.exec(value.trim());
  const name = m ? quotaNameOf(m[1]!.trim()) : undefined;
  if (!m || !name) {
    throw new InvalidArgumentError(
      `expected NAME=NUMBER with NAME one of ${QUOTA_NAMES.join(', ')} (or an App Mesh quota code such as ${QUOTA_INFO.virtualNodesPerMesh.code})`,
    );
  }
  return { ...previous, [name]: Number(m[2]) };
}

const EXAMPLES = `
Checks App Mesh (appmesh.k8s.aws/v1beta2) manifests the way App Mesh would: schema,
webhook rules, mesh membership (Namespace labels vs. Mesh namespaceSelector), references,
gateway-route attachment, podSelectors of Pods and workload templates, and quotas.
Folders are read recursively (.yaml, .yml, .json); other Kubernetes kinds are ignored.

Output: one line per problem, like a compiler:
  FILE:LINE:COL: error: Kind namespace/name: field.path: what was expected [code]
      related places (indented)
then a summary. Exit status: 0 = no errors (warnings allowed), 1 = errors, 2 = bad usage.

Examples:
  $ amime validate manifests/                   check a folder before kubectl apply
  $ amime validate mesh.yaml workloads.yaml     several files are one input: references may cross files
  $ amime validate -n shop app.yaml             objects without a namespace go to "shop"
  $ amime validate -o json k8s/ | jq '.summary'
  $ amime validate --quota virtualNodesPerMesh=500 --quota L-BB90B7FF=100 k8s/

Quotas (App Mesh defaults; raise with --quota NAME=N):
${QUOTA_NAMES.map((q) => `  ${q.padEnd(32)} ${QUOTA_INFO[q].code}  ${QUOTA_INFO[q].title}`).join('\n')}
`;

export function register(program: Command): void {
  program
    .command('validate')
    .description('check App Mesh manifests (files or folders) and print every problem with file:line')
    .argument('<paths...>', 'files or folders with YAML or JSON manifests')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option(
      '--quota <name=value>',
      'override an App Mesh quota, by name or App Mesh code (repeatable)',
      parseQuota,
    )
    .option('-n, --namespace <namespace>', 'namespace for objects that name none', 'default')
    .option('--cluster-domain <domain>', 'Kubernetes cluster domain for service hostnames', 'cluster.local')
    .option('--no-backend-groups', 'ignore BackendGroups (App Mesh needs --enable-backend-groups for them)')
    .addHelpText('after', EXAMPLES)
    .exitOverride((err) => {
      // Usage errors exit 2 (commander's default is 1, which means "problems found" here).
      process.exit(err.exitCode === 0 ? 0 : 2);
    })
    .action(
      async (
        paths: string[],
        opts: {
          output: 'text' | 'json';
          quota?: Partial<Quotas>;
          namespace: string;
          clusterDomain: string;
          backendGroups: boolean;
        },
      ) => {
        const color =
          Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined && opts.output === 'text';
        process.exitCode = await runValidate(
          paths,
          { ...opts, quota: opts.quota ?? {}, color },
          process.stdout,
        );
      },
    );
}
