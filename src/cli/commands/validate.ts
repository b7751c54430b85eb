/**
 * `amime validate PATH...`: load manifests, check them the way App Mesh's webhooks
 * and controller would, and print every problem like a compiler does. Thin: the
 * rules live in src/mesh, the reading in src/load.
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import path from 'node:path';
import { loadPaths, type LoadResult } from '../../load/index.js';
import { QUOTA_INFO, QUOTA_NAMES, quotaNameOf, validateLoaded, type Quotas } from '../../mesh/index.js';
import { formatRelated, formatResourceId, formatSource, type Diagnostic } from '../../model/index.js';

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
  const load = await loadPaths(paths, { defaultNamespace: options.namespace });
  const validation = validateLoaded(load, {
    defaultNamespace: options.namespace,
    quotas: options.quota,
    enableBackendGroups: options.backendGroups,
    ...(options.clusterDomain ? { clusterDomain: options.clusterDomain } : {}),
  });
  const { graph } = validation;
  const diagnostics = [...validation.diagnostics, ...emptyPaths(paths, load)];
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

/**
 * A warning for each path that holds YAML but no App Mesh object: most often the
 * wrong folder, which would otherwise pass as "0 errors".
 */
function emptyPaths(paths: ReadonlyArray<string>, load: LoadResult): Diagnostic[] {
  const inside = (file: string, dir: string) => {
    const relative = path.relative(path.resolve(dir), path.resolve(file));
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  };
  // A path the loader already complained about (missing, no YAML in it) needs no second word.
  const explained = (p: string) =>
    load.diagnostics.some((d) => d.source?.file === p || d.message.includes(p));
  return paths
    .filter((p) => !explained(p) && !load.meshObjects.some((o) => inside(o.file, p)))
    .map((p) => ({
      severity: 'warning' as const,
      code: 'load.no-app-mesh',
      path: '',
      message: `${p}: no App Mesh (appmesh.k8s.aws/v1beta2) objects here; is it the right path?`,
    }));
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
${QUOTA_NAMES.map((q) => `  ${q.padEnd(32)} ${(QUOTA_INFO[q].code ?? '(Amime)').padEnd(10)}  ${QUOTA_INFO[q].title}`).join('\n')}
`;

export function configure(command: Command): void {
  command
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
