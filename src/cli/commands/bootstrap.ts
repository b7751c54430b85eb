/**
 * `amime bootstrap --proxy ID --xds HOST:PORT`: an Envoy bootstrap that connects a
 * proxy to Amime over ADS. Thin: the bootstrap is built in src/envoy/bootstrap.ts.
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import YAML from 'yaml';
import { checkMessage } from '../../envoy/check/index.js';
import { encodePlain } from '../../envoy/encode-plain.js';
import { toJsonView } from '../../envoy/proto/json.js';
import { BOOTSTRAP_TYPE, bootstrap, parseXdsAddress, type XdsAddress } from '../../envoy/bootstrap.js';

export interface BootstrapCliOptions {
  proxy: string;
  xds: XdsAddress;
  cluster?: string;
  adminPort: number;
  output: 'yaml' | 'json';
}

interface Out {
  write(chunk: string): unknown;
}

/** Prints the bootstrap; returns the exit code (1 if it fails its own checks, 2 for a bad proxy id). */
export function runBootstrap(options: BootstrapCliOptions, out: Out, err: Out): number {
  let config;
  try {
    config = bootstrap({
      nodeId: options.proxy,
      xds: options.xds,
      adminPort: options.adminPort,
      ...(options.cluster ? { cluster: options.cluster } : {}),
    });
  } catch (e) {
    err.write(`amime bootstrap: ${(e as Error).message}\n`);
    return 2;
  }
  const { problems } = checkMessage(BOOTSTRAP_TYPE, config);
  if (problems.length > 0) {
    for (const p of problems) err.write(`bootstrap: ${p.path || '(message)'}: ${p.message} [${p.rule}]\n`);
    return 1;
  }
  const view = toJsonView(BOOTSTRAP_TYPE, encodePlain(BOOTSTRAP_TYPE, config));
  out.write(
    options.output === 'json' ? `${JSON.stringify(view, null, 2)}\n` : YAML.stringify(view, { lineWidth: 0 }),
  );
  return 0;
}

function xdsAddress(value: string): XdsAddress {
  const a = parseXdsAddress(value);
  if (!a) throw new InvalidArgumentError('expected HOST:PORT, [IPv6]:PORT or unix:///path');
  return a;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('expected a port number');
  return n;
}

const EXAMPLES = `
The bootstrap sets node.id to --proxy and node.cluster to --cluster (default: the node id),
gets every listener and cluster over one ADS stream (gRPC, HTTP/2) from --xds, and opens the
admin interface on --admin-port with App Mesh's admin access log.

Examples:
  $ amime bootstrap --proxy mesh/mesh-1/virtualNode/vnode-x_mesh-test --xds amime.amime-system:15010 > envoy.yaml
  $ envoy -c envoy.yaml
  App Mesh Envoy image: mount the file and set ENVOY_CONFIG_FILE=/etc/envoy/envoy.yaml
  $ amime bootstrap --proxy mesh/mesh-1/virtualGateway/gateway-v_mesh-test --xds unix:///var/run/amime/xds.sock -o json
`;

export function register(program: Command): void {
  program
    .command('bootstrap')
    .description('print an Envoy bootstrap that connects a proxy to Amime over ADS')
    .requiredOption(
      '--proxy <id>',
      'node id (mesh/<mesh>/virtualNode/<name>, …/virtualGateway/<name>) or ARN',
    )
    .requiredOption('--xds <address>', 'Amime xDS address: HOST:PORT or unix:///path', xdsAddress)
    .option('--cluster <name>', 'node.cluster (APPMESH_RESOURCE_CLUSTER); default: the node id')
    .option('--admin-port <port>', 'Envoy admin port', port, 9901)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .addHelpText('after', EXAMPLES)
    .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2))
    .action((opts: BootstrapCliOptions) => {
      process.exitCode = runBootstrap(opts, process.stdout, process.stderr);
    });
}
