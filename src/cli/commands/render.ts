/**
 * `amime render PATH... --proxy ID`: the Envoy configuration one proxy would receive,
 * as Envoy shows it (like `istioctl proxy-config`). Thin: loading is src/load,
 * checking src/mesh, translating src/envoy.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import YAML from 'yaml';
import { loadPaths } from '../../load/index.js';
import { validateLoaded } from '../../mesh/index.js';
import { formatDiagnosticBlock } from '../../model/index.js';
import {
  checkResources,
  formatCheckProblems,
  staticEndpoints,
  type EndpointSource,
  NO_ENDPOINTS,
  resolveProxy,
  translateGroupDetailed,
  resourcesView,
} from '../../envoy/index.js';
import { XDS_KINDS, type XdsKind } from '../../proto/index.js';
import { ConfigError, readEndpointsFile } from '../../server/index.js';
import { CliError } from '../failure.js';

export interface RenderCliOptions {
  proxy: string;
  output: 'yaml' | 'json';
  type?: XdsKind[];
  grpc: boolean;
  namespace: string;
  clusterDomain?: string;
  matchShortNames?: boolean;
  endpoints?: string;
}

interface Out {
  write(chunk: string): unknown;
}

function endpointSource(file: string | undefined): EndpointSource {
  if (!file) return NO_ENDPOINTS;
  try {
    return staticEndpoints(Object.fromEntries(readEndpointsFile(file)));
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, 2);
    throw err;
  }
}

/** Renders and prints; returns the exit code (1 on mesh errors or invalid output, 2 on an unknown proxy). */
export async function runRender(
  paths: ReadonlyArray<string>,
  options: RenderCliOptions,
  out: Out,
  err: Out,
): Promise<number> {
  const load = await loadPaths(paths, { defaultNamespace: options.namespace });
  const { graph, diagnostics } = validateLoaded(load, {
    defaultNamespace: options.namespace,
    ...(options.clusterDomain ? { clusterDomain: options.clusterDomain } : {}),
  });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  for (const d of errors) err.write(`${formatDiagnosticBlock(d)}\n`);
  const found = resolveProxy(graph, options.proxy, options.grpc);
  if ('error' in found) {
    err.write(`amime render: ${found.error}\n`);
    err.write(
      found.available.length > 0
        ? `available proxies:\n${found.available.map((a) => `  ${a}`).join('\n')}\n`
        : 'no proxies: the input has no active virtual node or gateway\n',
    );
    return 2;
  }
  const t = translateGroupDetailed(graph, found.group, endpointSource(options.endpoints), {
    ...(options.matchShortNames !== undefined ? { matchShortNames: options.matchShortNames } : {}),
  });
  for (const w of t.warnings) err.write(`warning: ${found.group.key}: ${w}\n`);
  const problems = checkResources(t.resources);
  if (problems.length > 0) err.write(`${formatCheckProblems(problems)}\n`);
  const view = resourcesView(t.resources, options.type ?? XDS_KINDS);
  out.write(
    options.output === 'json'
      ? `${JSON.stringify(view, null, 2)}\n`
      : YAML.stringify(view, { lineWidth: 0, aliasDuplicateObjects: false }),
  );
  return errors.length > 0 || problems.length > 0 ? 1 : 0;
}

function parseTypes(value: string, previous: XdsKind[] = []): XdsKind[] {
  const out = [...previous];
  for (const v of value.split(',')) {
    const kind = v.trim() as XdsKind;
    if (!XDS_KINDS.includes(kind)) throw new InvalidArgumentError(`expected one of ${XDS_KINDS.join(', ')}`);
    out.push(kind);
  }
  return out;
}

const EXAMPLES = `
Prints the Listeners, RouteConfigurations, Clusters, ClusterLoadAssignments and Secrets
Amime would serve to one proxy, in Envoy's config_dump style (Anys expanded with @type).

--proxy takes an App Mesh node id (mesh/<mesh>/virtualNode/<awsName>), the full ARN, or
<mesh>/<kind>/<name> with kind virtualNode|virtualGateway (vn|vg) and name the awsName,
the Kubernetes name or namespace/name. Add #grpc (or --grpc) for what a proxyless gRPC
client of that virtual node receives.

Exit status: 0 = rendered; 1 = the manifests have errors or the output failed its checks
(both printed on stderr, the configuration is still printed); 2 = unknown proxy or bad usage.

Examples:
  $ amime render examples/seed --proxy mesh/mesh-1/virtualNode/vnode-x_mesh-test
  $ amime render examples/seed --proxy mesh-1/vg/gateway-v --type routes
  $ amime render k8s/ --proxy mesh-1/vn/mesh-test/client -o json | jq '.clusters[].name'
  $ amime render examples/seed --proxy mesh-1/vn/vnode-x --grpc --endpoints examples/endpoints.yaml
    (the endpoints file of amime serve --endpoints-file: docs/file-formats.md#endpoints-file)
`;

export function configure(command: Command): void {
  command
    .argument('<paths...>', 'files or folders with YAML or JSON manifests')
    .requiredOption('--proxy <id>', 'node id, ARN or <mesh>/<kind>/<name> of the proxy')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .option(
      '--type <types>',
      `only these resource types (${XDS_KINDS.join(', ')}; comma-separated or repeated)`,
      parseTypes,
    )
    .option('--grpc', 'render for a proxyless gRPC client of the virtual node', false)
    .option('-n, --namespace <namespace>', 'namespace for objects that name none', 'default')
    .option('--cluster-domain <domain>', 'Kubernetes cluster domain for service hostnames', 'cluster.local')
    .option('--match-short-names', 'also match bare Kubernetes service names (amime.io/match-short-names)')
    .option(
      '--endpoints <file>',
      'endpoints per virtual node, for EDS clusters (the format of serve --endpoints-file)',
    )
    .addHelpText('after', EXAMPLES)
    .action(async (paths: string[], opts: RenderCliOptions) => {
      process.exitCode = await runRender(paths, opts, process.stdout, process.stderr);
    });
}
