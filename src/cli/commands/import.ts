/**
 * `amime import <format> <files...>`: CloudFormation/CDK templates, Terraform JSON or
 * App Mesh API dumps → v1beta2 manifests (`-o yaml`), App Mesh API JSON (`-o api`), or
 * straight into a running server (`--server`, the same calls as `amime apply`). Thin:
 * the conversion is src/import, the calls src/api.
 */
import type { Command } from 'commander';
import { Argument, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { applyStep, type ApplyStep, type StepResult } from '../../api/index.js';
import {
  IMPORT_FORMATS,
  importFiles,
  renderManifests,
  sortForApi,
  toApiJson,
  toManifests,
  type ImportedResource,
  type ImportFormat,
} from '../../import/index.js';
import { DEFAULT_ARN_CONTEXT, formatResourceId, hasErrors, type Diagnostic } from '../../model/index.js';
import { clientFor, serverUrl, unreachable } from '../server-client.js';
import { formatDiagnosticLine } from './validate.js';
import { resourceLabel } from './apply.js';

export interface ImportCliOptions {
  output: 'yaml' | 'api';
  server?: string;
  namespace?: string;
  parameter?: Record<string, string>;
  importValue?: Record<string, string>;
  resolve?: Record<string, string>;
  region?: string;
  accountId?: string;
}

interface Out {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export async function runImport(
  format: ImportFormat,
  paths: readonly string[],
  options: ImportCliOptions,
  out: Out,
  err: Out,
  stdin: () => string = () => readFileSync(0, 'utf8'),
): Promise<number> {
  const files: Array<{ path: string; text: string }> = [];
  for (const path of paths) {
    try {
      // `-` is standard input: terraform show -json | amime import terraform -
      files.push(
        path === '-' ? { path: '<stdin>', text: stdin() } : { path, text: readFileSync(path, 'utf8') },
      );
    } catch (e) {
      err.write(
        `amime import: cannot read ${path === '-' ? 'standard input' : path}: ${(e as Error).message}\n`,
      );
      return 1;
    }
  }
  const result = importFiles(format, files, {
    parameters: options.parameter ?? {},
    importValues: options.importValue ?? {},
    resolve: options.resolve ?? {},
    ...(options.region !== undefined ? { region: options.region } : {}),
    ...(options.accountId !== undefined ? { accountId: options.accountId } : {}),
  });
  const report = (ds: readonly Diagnostic[]) => {
    for (const d of ds)
      err.write(`${formatDiagnosticLine(d, Boolean(err.isTTY) && process.env.NO_COLOR === undefined)}\n`);
  };
  report(result.diagnostics);
  if (hasErrors(result.diagnostics)) {
    err.write(`amime import: nothing written: fix the errors above (${count(result.diagnostics)})\n`);
    return 1;
  }
  if (options.server !== undefined) return applyAll(result.resources, options, out, err);
  if (options.output === 'api') {
    out.write(toApiJson(result.resources));
    return 0;
  }
  const manifests = toManifests(result.resources, {
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    arn: {
      region: options.region ?? DEFAULT_ARN_CONTEXT.region,
      account: options.accountId ?? DEFAULT_ARN_CONTEXT.account,
    },
  });
  report(manifests.diagnostics);
  if (hasErrors(manifests.diagnostics)) return 1;
  out.write(renderManifests(manifests.objects));
  return 0;
}

/** Creates or updates each resource on the server, in creation order; `amime apply`'s calls. */
export async function applyAll(
  resources: readonly ImportedResource[],
  options: Pick<ImportCliOptions, 'server' | 'region'>,
  out: Out,
  err: Out,
): Promise<number> {
  const server = serverUrl(options.server as string);
  const client = clientFor(server, options.region);
  const steps: ApplyStep[] = sortForApi(resources).map((r) => ({
    kind: r.kind,
    mesh: r.mesh,
    name: r.name,
    ...(r.parent !== undefined ? { parent: r.parent } : {}),
    spec: r.spec,
    ...(r.tags ? { tags: r.tags } : {}),
    from: formatResourceId(r.origin.id),
  }));
  const progress = err.isTTY === true && steps.length > 20;
  let failed = false;
  for (const [i, step] of steps.entries()) {
    if (progress) err.write(`\r\u001b[2K[${i + 1}/${steps.length}] ${resourceLabel(step)}`);
    let result: StepResult;
    try {
      result = await applyStep(client, step);
    } catch (e) {
      throw unreachable(e, server) ?? e;
    } finally {
      if (progress) err.write('\r\u001b[2K');
    }
    if (result.error) {
      failed = true;
      err.write(
        `Error from server (${result.error.type}): ${resourceLabel(step)} (from ${step.from}): ${result.error.message}\n`,
      );
    } else out.write(`${resourceLabel(step)} ${result.outcome}\n`);
  }
  return failed ? 1 : 0;
}

function count(ds: readonly Diagnostic[]): string {
  const errors = ds.filter((d) => d.severity === 'error').length;
  return `${errors} error${errors === 1 ? '' : 's'}`;
}

/** `KEY=VALUE`, repeatable, into a record. */
export function keyValue(flag: string) {
  return (value: string, previous: Record<string, string> = {}): Record<string, string> => {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`expected ${flag} NAME=VALUE, got ${JSON.stringify(value)}`);
    return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
  };
}

const HELP = `
Formats:
  cloudformation  CloudFormation templates, YAML or JSON, short forms (!Ref, !Sub, !GetAtt,
                  !Join, !If, !Select, !Split, !FindInMap, !ImportValue, ...) included; also
                  what cdk synth writes (cdk.out/<Stack>.template.json). Only AWS::AppMesh::*
                  resources are imported; intrinsics are resolved from parameter defaults,
                  --parameter, Mappings, Conditions, the template's resources (Ref of an App
                  Mesh resource is its ARN; !GetAtt X.VirtualNodeName its name), --region and
                  --account-id (AWS::Region, AWS::AccountId), --import-value (Fn::ImportValue)
                  and --resolve (anything known only after deployment). Nothing is guessed:
                  what stays unknown is an error at template:line:col naming the flag.
  terraform       terraform show -json output, of a state or a saved plan: aws_appmesh_*
                  resources of the root module and child modules.
  appmesh-json    aws appmesh describe-* output ({"virtualNode": {...}}), several per file
                  or in a JSON list, list-* output, and amime export -o api.

Output (stdout): -o yaml (default) writes appmesh.k8s.aws/v1beta2 manifests with one
Namespace per mesh, labelled so the Mesh selects it (amime validate passes as is);
Kubernetes-valid names, the App Mesh name kept in spec.awsName; references to imported
resources as *Ref, to others as ARNs. -o api writes App Mesh API JSON. --server URL
creates or updates the resources on a running Amime instead, like amime apply.
Whatever the output cannot hold (tags in YAML, a shared mesh's owner, fields without a
v1beta2 form) is a warning on stderr naming the source resource.

Exit status: 0 = imported (warnings allowed); 1 = errors in the input or from the server
(nothing written on input errors); 2 = bad usage.

Examples:
  $ amime import cloudformation mesh.yaml > manifests.yaml && amime validate manifests.yaml
  $ amime import cloudformation cdk.out/ShopStack.template.json --region eu-west-1 --account-id 111122223333
  $ amime import cloudformation app.yaml --parameter Env=prod --import-value SharedMesh=shop
  $ amime import cloudformation app.yaml --resolve CloudMapService.Id=srv-abc123
  $ terraform show -json > state.json && amime import terraform state.json -n shop
  $ terraform show -json | amime import terraform - --server http://127.0.0.1:9080
  $ aws appmesh describe-virtual-node --mesh-name shop --virtual-node-name api > api.json
  $ amime import appmesh-json mesh.json api.json -o api
  $ amime import appmesh-json backup.json --server http://127.0.0.1:9080
`;

export function configure(command: Command): void {
  command
    .addArgument(new Argument('<format>', 'what the files are').choices(IMPORT_FORMATS))
    .argument('<files...>', 'the templates, state files or dumps (- for standard input)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'api']).default('yaml'))
    .option('--server <url>', 'apply to this Amime REST API instead of printing (like amime apply)')
    .option(
      '-n, --namespace <namespace>',
      'put the mesh in this namespace (default: one named after each mesh)',
    )
    .option('--parameter <key=value>', 'a template parameter (repeatable)', keyValue('--parameter'))
    .option(
      '--import-value <name=value>',
      'the value of an exported name (Fn::ImportValue; repeatable)',
      keyValue('--import-value'),
    )
    .option(
      '--resolve <name=value>',
      'a value known only after deployment: Logical (what Ref returns), Logical.Attribute (Fn::GetAtt) or a pseudo parameter such as AWS::StackName (repeatable)',
      keyValue('--resolve'),
    )
    .option('--region <region>', 'AWS::Region of the template (and the SigV4 region with --server)')
    .option('--account-id <12 digits>', 'AWS::AccountId of the template', accountId)
    .addHelpText('after', HELP)
    .action(async (format: ImportFormat, files: string[], opts: ImportCliOptions) => {
      process.exitCode = await runImport(format, files, opts, process.stdout, process.stderr);
    });
}

function accountId(value: string): string {
  if (!/^\d{12}$/.test(value))
    throw new InvalidArgumentError(`expected 12 digits, got ${JSON.stringify(value)}`);
  return value;
}
