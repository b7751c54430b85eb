/**
 * `amime bootstrap`: the Envoy bootstrap the App Mesh Envoy image's agent would have
 * written, pointed at Amime — driven by the same environment variables — with the
 * xDS channel secured by TLS and a token file or a client certificate. Thin: the
 * bootstrap is built in src/envoy/bootstrap*.ts.
 */
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import YAML from 'yaml';
import {
  BootstrapEnvError,
  bootstrap,
  bootstrapJson,
  bootstrapProblems,
  parseXdsAddress,
  type AgentEnvironment,
  type FileReader,
  type XdsAddress,
  type XdsTransport,
  mergeCustomConfigs,
} from '../../envoy/index.js';

export interface BootstrapCliOptions {
  /** Default: APPMESH_RESOURCE_ARN (then APPMESH_RESOURCE_NAME, APPMESH_VIRTUAL_NODE_NAME). */
  proxy?: string;
  /** Default: APPMESH_XDS_ENDPOINT. */
  xds?: XdsAddress;
  cluster?: string;
  adminPort?: number;
  tls?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tokenFile?: string;
  /** The Envoy is the App Mesh image's (keep the runtime guards upstream Envoy removed). */
  appmeshImage?: boolean;
  output: 'yaml' | 'json';
}

interface Out {
  write(chunk: string): unknown;
}

export interface BootstrapContext {
  env: AgentEnvironment;
  readFile: FileReader;
  out: Out;
  err: Out;
}

/** The agent's order for the node id (envoy_bootstrap.go getNodeId, l.340-352). */
const NODE_ID_VARIABLES = ['APPMESH_RESOURCE_ARN', 'APPMESH_RESOURCE_NAME', 'APPMESH_VIRTUAL_NODE_NAME'];

function transportOf(o: BootstrapCliOptions): XdsTransport | string {
  const tlsWanted =
    o.tls === true || o.tlsCa !== undefined || o.tlsCert !== undefined || o.tlsKey !== undefined;
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined))
    return '--tls-cert and --tls-key go together: the client certificate and its private key';
  if (o.tokenFile !== undefined && !tlsWanted)
    return '--token-file needs TLS (--tls-ca FILE, or --tls for the system roots): gRPC sends the token only over TLS';
  return {
    ...(tlsWanted
      ? {
          tls: {
            ...(o.tlsCa ? { caFile: o.tlsCa } : {}),
            ...(o.tlsCert ? { certFile: o.tlsCert } : {}),
            ...(o.tlsKey ? { keyFile: o.tlsKey } : {}),
          },
        }
      : {}),
    ...(o.tokenFile ? { tokenFile: o.tokenFile } : {}),
  };
}

/** Prints the bootstrap; returns the exit code (2 for bad usage, 1 for a bad variable or file). */
export function runBootstrap(o: BootstrapCliOptions, ctx: BootstrapContext): number {
  const usage = (message: string) => {
    ctx.err.write(`amime bootstrap: ${message}\n`);
    return 2;
  };
  const fromEnv = NODE_ID_VARIABLES.map((v) => ctx.env[v]?.trim()).find((v) => v);
  const nodeId = o.proxy ?? fromEnv;
  if (!nodeId) return usage('--proxy is required (or set APPMESH_RESOURCE_ARN, as for the App Mesh image)');
  let xds = o.xds;
  const endpoint = ctx.env.APPMESH_XDS_ENDPOINT?.trim();
  if (!xds && endpoint) {
    xds = parseXdsAddress(endpoint);
    if (!xds)
      return usage(`APPMESH_XDS_ENDPOINT ("${endpoint}") must be HOST:PORT, [IPv6]:PORT or unix:///path`);
  }
  if (!xds) return usage("--xds is required (Amime's xDS address, HOST:PORT), or set APPMESH_XDS_ENDPOINT");
  const transport = transportOf(o);
  if (typeof transport === 'string') return usage(transport);

  let view;
  try {
    const config = bootstrap({
      nodeId,
      xds,
      transport,
      env: ctx.env,
      readFile: ctx.readFile,
      ...(o.cluster ? { cluster: o.cluster } : {}),
      ...(o.adminPort !== undefined ? { adminPort: o.adminPort } : {}),
      ...(o.appmeshImage ? { appMeshImage: true } : {}),
    });
    const problems = bootstrapProblems(config);
    if (problems.length > 0) {
      for (const p of problems) ctx.err.write(`amime bootstrap: ${p}\n`);
      return 1;
    }
    const merged = mergeCustomConfigs(bootstrapJson(config), ctx.env, ctx.readFile);
    for (const w of merged.warnings) ctx.err.write(`amime bootstrap: warning: ${w}\n`);
    view = merged.bootstrap;
  } catch (e) {
    ctx.err.write(`amime bootstrap: ${(e as Error).message}\n`);
    return e instanceof BootstrapEnvError ? 1 : 2;
  }
  ctx.out.write(
    o.output === 'json' ? `${JSON.stringify(view, null, 2)}\n` : YAML.stringify(view, { lineWidth: 0 }),
  );
  return 0;
}

function xdsAddress(value: string): XdsAddress {
  const a = parseXdsAddress(value);
  if (!a)
    throw new InvalidArgumentError(
      'expected HOST:PORT, [IPv6]:PORT, unix:///path, or several replicas as IP:PORT,IP:PORT (one address family)',
    );
  return a;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('expected a port number');
  return n;
}

const HELP = `
What it writes is what the App Mesh Envoy image's agent wrote: node id and cluster,
admin on 9901 with App Mesh's admin access log, the runtime layer
(re2.max_program_size.error_level 1000, ...), LDS/CDS over one ADS stream with
initial_fetch_timeout 0s, gRPC keepalive on the ADS channel, the stats tags, the
outlier event log, and — from the same environment variables, with the same defaults —
the tracer and stats sinks:

  ENABLE_ENVOY_STATS_TAGS, APPMESH_METRIC_EXTENSION_VERSION   stats tags
  ENABLE_ENVOY_DOG_STATSD, STATSD_ADDRESS, STATSD_PORT, STATSD_SOCKET_PATH
  ENVOY_STATS_FLUSH_INTERVAL (5s, 500ms, ...)
  ENABLE_ENVOY_XRAY_TRACING, XRAY_DAEMON_PORT, AWS_XRAY_DAEMON_ADDRESS, XRAY_SAMPLING_RATE,
    XRAY_SAMPLING_RULE_MANIFEST, XRAY_SEGMENT_NAME
  ENABLE_ENVOY_DATADOG_TRACING, DATADOG_TRACER_ADDRESS, DATADOG_TRACER_PORT, DD_SERVICE
  ENABLE_ENVOY_JAEGER_TRACING, JAEGER_TRACER_ADDRESS, JAEGER_TRACER_PORT, JAEGER_TRACER_VERSION
  ENVOY_INITIAL_FETCH_TIMEOUT (seconds; 0 = wait for Amime)
  ENVOY_ADMIN_ACCESS_PORT, ENVOY_ADMIN_ACCESS_LOG_FILE, ENVOY_ADMIN_ACCESS_ENABLE_IPV6, ENVOY_ADMIN_MODE
  APPMESH_RESOURCE_ARN (default of --proxy), APPMESH_RESOURCE_CLUSTER (default of --cluster),
    APPMESH_XDS_ENDPOINT (default of --xds)
  ENVOY_TRACING_CFG_FILE, ENVOY_STATS_CONFIG_FILE, ENVOY_STATS_SINKS_CFG_FILE,
    ENVOY_RESOURCES_CONFIG_FILE   your own Envoy config, merged as the agent merged it
A bad value is refused with the variable's name (exit 1).

Securing the xDS channel (Envoys outside Kubernetes: ECS, EC2, VMs). Paths are where
Envoy runs; Envoy reads them when it starts:
  --tls-ca FILE               TLS, trusting the CA that signed Amime's xDS certificate
                              (amime serve --xds-tls-listen prints where its CA is)
  --token-file FILE           a bearer token matching a tokenSha256 of --xds-auth-file
  --tls-cert FILE --tls-key FILE   or a client certificate (amime serve --xds-tls-client-ca)

Examples:
  $ amime bootstrap --proxy mesh/mesh-1/virtualNode/vnode-x_mesh-test --xds 127.0.0.1:15010 > envoy.yaml
  $ envoy -c envoy.yaml
  $ APPMESH_RESOURCE_ARN=arn:aws:appmesh:us-west-2:111122223333:mesh/mesh-1/virtualNode/vnode-x_mesh-test \\
    ENABLE_ENVOY_XRAY_TRACING=1 XRAY_SAMPLING_RATE=0.2 \\
    amime bootstrap --xds amime.internal:15012 --tls-ca /etc/amime/xds-ca.pem --token-file /etc/amime/xds-token
  App Mesh Envoy image: mount the file and set ENVOY_CONFIG_FILE=/etc/envoy/envoy.yaml
`;

export function configure(command: Command): void {
  command
    .option(
      '--proxy <id>',
      'node id (mesh/<mesh>/virtualNode/<name>, …/virtualGateway/<name>) or ARN; default $APPMESH_RESOURCE_ARN',
    )
    .option(
      '--xds <address>',
      "Amime's xDS address: HOST:PORT (a DNS name may resolve to every replica), unix:///path, or replicas IP:PORT,IP:PORT; default $APPMESH_XDS_ENDPOINT",
      xdsAddress,
    )
    .option('--cluster <name>', 'node.cluster; default $APPMESH_RESOURCE_CLUSTER, else the node id')
    .option('--admin-port <port>', 'Envoy admin port; default $ENVOY_ADMIN_ACCESS_PORT, else 9901', port)
    .option('--tls', "TLS to the xDS server, trusting gRPC's default roots (a public CA)")
    .option('--tls-ca <file>', 'TLS to the xDS server, trusting this CA bundle (path where Envoy runs)')
    .option('--tls-cert <file>', 'client certificate chain for mTLS (path where Envoy runs)')
    .option('--tls-key <file>', 'private key of --tls-cert (path where Envoy runs)')
    .option(
      '--token-file <file>',
      'file holding the bearer token Envoy sends (path where Envoy runs; needs TLS)',
    )
    .option(
      '--appmesh-image',
      "for the App Mesh Envoy image (ENVOY_CONFIG_FILE): keep the agent's runtime guards that upstream Envoy removed",
    )
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .addHelpText('after', HELP)
    .action((opts: BootstrapCliOptions) => {
      process.exitCode = runBootstrap(opts, {
        env: process.env,
        readFile: (file) => readFileSync(file, 'utf8'),
        out: process.stdout,
        err: process.stderr,
      });
    });
}
