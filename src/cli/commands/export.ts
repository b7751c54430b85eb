/**
 * `amime export`: what a server holds, as v1beta2 manifests or App Mesh API JSON, from a
 * running server (`--server`, through its REST API) or a stopped one's data directory
 * (`--data-dir`, read without changing it). The output round-trips through
 * `amime import appmesh-json` / `amime apply`. Thin: reading is src/export, writing
 * src/import.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { AppMeshClientError } from '../../api/index.js';
import { DataDirError, openDataDir, readResources, type ApiCaller } from '../../export/index.js';
import { renderManifests, toApiJson, toManifests } from '../../import/index.js';
import { DEFAULT_ARN_CONTEXT, hasErrors } from '../../model/index.js';
import { clientFor, serverUrl, unreachable } from '../server-client.js';
import { formatDiagnosticLine } from './validate.js';

export interface ExportCliOptions {
  server?: string;
  dataDir?: string;
  mesh?: string;
  output: 'yaml' | 'api';
  namespace?: string;
  region?: string;
  accountId?: string;
}

interface Out {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export async function runExport(options: ExportCliOptions, out: Out, err: Out): Promise<number> {
  if ((options.server === undefined) === (options.dataDir === undefined)) {
    err.write(
      'amime export: give exactly one of --server URL (a running server) or --data-dir DIR (a stopped one)\n',
    );
    return 2;
  }
  let api: ApiCaller;
  let close = async () => {};
  const server = options.server === undefined ? undefined : serverUrl(options.server);
  try {
    if (options.dataDir !== undefined) {
      const reader = await openDataDir(options.dataDir, options);
      api = reader.api;
      close = () => reader.close();
    } else api = clientFor(server as string, options.region);
  } catch (e) {
    if (!(e instanceof DataDirError)) throw e;
    err.write(`amime export: ${e.message}\n`);
    return 1;
  }
  try {
    const progress = err.isTTY === true;
    const resources = await readResources(api, {
      ...(options.mesh !== undefined ? { mesh: options.mesh } : {}),
      ...(progress
        ? { onProgress: (n: number) => err.write(`\r\u001b[2Kread ${n} resource${n === 1 ? '' : 's'}`) }
        : {}),
    });
    if (progress) err.write('\r\u001b[2K');
    if (options.output === 'api') {
      out.write(toApiJson(resources));
      return 0;
    }
    const manifests = toManifests(resources, {
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      arn: {
        region: options.region ?? DEFAULT_ARN_CONTEXT.region,
        account: options.accountId ?? DEFAULT_ARN_CONTEXT.account,
      },
    });
    for (const d of manifests.diagnostics) err.write(`${formatDiagnosticLine(d)}\n`);
    if (hasErrors(manifests.diagnostics)) return 1;
    out.write(renderManifests(manifests.objects));
    return 0;
  } catch (e) {
    if (!(e instanceof AppMeshClientError)) throw (server && unreachable(e, server)) || e;
    err.write(`Error from server (${e.type}): ${e.message}\n`);
    return 1;
  } finally {
    await close();
  }
}

const HELP = `
Reads every mesh (or --mesh NAME) with its virtual nodes, services, routers and routes,
gateways and gateway routes, and tags, and writes them to stdout: -o yaml (default)
as appmesh.k8s.aws/v1beta2 manifests (one Namespace per mesh; tags have no v1beta2
field and are left out with a warning), -o api as App Mesh API JSON with tags.
The output goes back in unchanged: amime import appmesh-json FILE --server URL, or
amime apply -f FILE --server URL for the YAML.

--data-dir reads a stopped server's SQLite store (amime serve --data-dir) without
changing it, for backups; while a server runs on it, it refuses (use --server then).

Exit status: 0 = exported; 1 = the server or the store could not be read; 2 = bad usage.

Examples:
  $ amime export --server http://127.0.0.1:9080 -o api > backup.json
  $ amime export --data-dir ./amime-data --mesh shop > shop.yaml
  $ amime import appmesh-json backup.json --server http://new-host:9080
`;

export function configure(command: Command): void {
  command
    .option('--server <url>', 'a running Amime REST API')
    .option('--data-dir <dir>', "a stopped server's data directory (SQLite store)")
    .option('--mesh <name>', 'only this mesh')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'api']).default('yaml'))
    .option(
      '-n, --namespace <namespace>',
      'put the mesh in this namespace (default: one named after each mesh)',
    )
    .option('--region <region>', 'SigV4 region with --server; region of ARNs written in the output')
    .option('--account-id <12 digits>', 'account of ARNs written in the output')
    .addHelpText('after', HELP)
    .action(async (opts: ExportCliOptions) => {
      process.exitCode = await runExport(opts, process.stdout, process.stderr);
    });
}
