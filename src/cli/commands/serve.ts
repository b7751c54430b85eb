/** `amime serve`: run the control plane. */
import type { Command } from 'commander';
import {
  ConfigError,
  parseQuotaOverrides,
  readConfigFile,
  resolveConfig,
  type ServeConfigInput,
} from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { startServer } from '../../server/serve.js';

interface ServeFlags {
  config?: string;
  apiListen?: string;
  xdsListen?: string;
  dataDir?: string;
  store?: string;
  etcdEndpoints?: string;
  from?: string;
  seed: boolean;
  region?: string;
  accountId?: string;
  clusterDomain?: string;
  logLevel?: string;
  quota: string[];
  xdsAuthFile?: string;
  xdsTlsCert?: string;
  xdsTlsKey?: string;
  xdsTlsClientCa?: string;
  xdsTlsListen?: string;
  xdsTlsSelfSigned?: boolean;
  xdsTlsNames?: string;
  xdsSigv4CredentialsFile?: string;
  insecureXds?: boolean;
  maxProxiesPerNode?: string;
  xdsMaxStreams?: string;
  xdsMaxNamesPerStream?: string;
  apiCredentialsFile?: string;
  endpointsFile?: string;
  debounceQuietMs?: string;
  debounceMaxMs?: string;
  webhookListen?: string;
  webhookCertDir?: string;
  webhookSelfSigned?: boolean;
  leaderElection: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the control plane: store, App Mesh REST API, xDS (ADS) server, metrics')
    .option('-c, --config <file>', 'YAML/JSON configuration file (flags override it)')
    .option('--api-listen <host:port>', 'REST API, /healthz, /readyz and /metrics (default 127.0.0.1:9080)')
    .option(
      '--xds-listen <host:port>',
      'xDS gRPC server for Envoy and proxyless gRPC (default 127.0.0.1:15010)',
    )
    .option('--data-dir <dir>', 'where the SQLite store lives (default ./amime-data)')
    .option(
      '--store <kind>',
      'sqlite (default), memory, etcd, or kubernetes (the cluster is the store; run in-cluster)',
    )
    .option('--etcd-endpoints <urls>', 'comma-separated etcd client URLs, with --store etcd')
    .option(
      '--from <dir>',
      'serve a folder of appmesh.k8s.aws/v1beta2 manifests, reloaded on change (REST API read-only)',
    )
    .option('--no-seed', 'do not load examples/seed into a fresh data directory')
    .option('--region <region>', 'region in ARNs (default us-west-2)')
    .option('--account-id <12 digits>', 'account in ARNs, meshOwner and resourceOwner (default 000000000000)')
    .option(
      '--cluster-domain <domain>',
      'Kubernetes cluster domain for service hostnames (default cluster.local)',
    )
    .option('--log-level <level>', 'fatal, error, warn, info (default), debug, trace or silent')
    .option(
      '--quota <name=value>',
      'override an App Mesh quota, e.g. virtualNodesPerMesh=500 (repeatable)',
      collect,
      [],
    )
    .option('--xds-auth-file <file>', 'proxy identities (bearer tokens, certificate names) with IAM policies')
    .option('--xds-tls-cert <file>', 'serve xDS over TLS with this certificate chain (PEM)')
    .option('--xds-tls-key <file>', 'private key for --xds-tls-cert')
    .option('--xds-tls-client-ca <file>', 'require client certificates signed by this CA (mTLS)')
    .option(
      '--xds-tls-listen <host:port>',
      'a second xDS listener, with TLS (Envoys outside the cluster; the App Mesh image via APPMESH_XDS_ENDPOINT); --xds-listen stays plaintext',
    )
    .option(
      '--xds-tls-self-signed',
      'make a CA and certificate once in <data-dir>/xds-tls/ and serve it (the log says where the CA is)',
    )
    .option('--xds-tls-names <names>', 'comma-separated DNS names and IPs of the self-signed certificate')
    .option(
      '--xds-sigv4-credentials-file <file>',
      'access keys (as --api-credentials-file) verifying SigV4-signed streams; --xds-auth-file maps each accessKeyId to policies',
    )
    .option('--insecure-xds', 'allow unauthenticated plaintext xDS on a non-loopback address')
    .option(
      '--max-proxies-per-node <n>',
      'connected proxies per virtual node or gateway, Envoys and gRPC clients together (App Mesh quota, default 50)',
    )
    .option('--xds-max-streams <n>', 'open xDS streams in all (default 10000)')
    .option(
      '--xds-max-names-per-stream <n>',
      'resource names one xDS stream may subscribe to, all types together (default 10000)',
    )
    .option(
      '--api-credentials-file <file>',
      'SigV4 access keys; when set, every REST API request must be signed',
    )
    .option('--endpoints-file <file>', 'virtual node instances (like Cloud Map) for EDS, YAML')
    .option('--debounce-quiet-ms <ms>', 'coalesce changes until this long without one (default 100)')
    .option('--debounce-max-ms <ms>', 'but never wait longer than this (default 1000)')
    .option(
      '--webhook-listen <host:port>',
      'with --store kubernetes: serve the admission webhooks and sidecar injector over HTTPS',
    )
    .option(
      '--webhook-cert-dir <dir>',
      'folder with tls.crt and tls.key for the webhooks (reloaded on change)',
    )
    .option(
      '--webhook-self-signed',
      "with --webhook-listen: make and renew the webhook certificate in Secret amime-webhook-tls (POD_NAMESPACE) and set the webhooks' caBundle; --webhook-cert-dir is then only a fallback",
    )
    .option('--no-leader-election', 'with --store kubernetes and one replica: write status without a Lease')
    .addHelpText(
      'after',
      `
Examples:
  $ amime serve                                  # SQLite in ./amime-data; a fresh one gets the example mesh
  $ amime serve --from ./manifests               # serve a folder of App Mesh YAML, reloaded on change
  $ amime serve --store etcd --etcd-endpoints http://10.0.0.1:2379   # several replicas share etcd
  $ aws appmesh list-virtual-nodes --mesh-name mesh-1 --endpoint-url http://127.0.0.1:9080

Envoy: point a sidecar at the xDS address with node id mesh/<mesh>/virtualNode/<name>;
\`amime bootstrap --proxy <id> --xds <host:port>\` prints a bootstrap file.`,
    )
    .action(async (flags: ServeFlags) => {
      let config;
      try {
        const file = flags.config ? readConfigFile(flags.config) : {};
        config = resolveConfig(file, toInput(flags));
      } catch (err) {
        if (err instanceof ConfigError) {
          process.stderr.write(`amime serve: ${err.message}\n`);
          process.exit(2);
        }
        throw err;
      }
      const logger = createLogger(config.logLevel);
      const server = await startServer(config, {
        logger,
        ...(flags.endpointsFile ? { endpointsFile: flags.endpointsFile } : {}),
      }).catch((err: unknown) => {
        logger.fatal({ err }, 'amime could not start');
        process.stderr.write(`amime serve: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      });
      // Where it listens is announced even at --log-level warn: scripts and tests wait for this line.
      const announce = config.logLevel === 'silent' ? logger : logger.child({}, { level: 'info' });
      announce.info(
        {
          api: server.apiUrl,
          xds: server.xdsAddress,
          ...(server.xdsTlsAddress ? { xdsTls: server.xdsTlsAddress } : {}),
          metrics: `${server.apiUrl}/metrics`,
          store: config.from ? `memory (from ${config.from})` : config.store,
        },
        `amime is serving: REST API ${server.apiUrl}/v20190125 · xDS ${server.xdsAddress}${server.xdsTlsAddress ? ` · xDS over TLS ${server.xdsTlsAddress}` : ''} · metrics ${server.apiUrl}/metrics`,
      );
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
        const force = setTimeout(() => process.exit(1), 10_000);
        force.unref();
        server.close().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}

function int(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new ConfigError(`${flag}: expected a whole number, got "${value}"`);
  return Number(value);
}

function toInput(f: ServeFlags): ServeConfigInput {
  if (f.store !== undefined && !['sqlite', 'memory', 'etcd', 'kubernetes'].includes(f.store)) {
    throw new ConfigError(`--store: expected sqlite, memory, etcd or kubernetes, got "${f.store}"`);
  }
  const quotas = parseQuotaOverrides(f.quota) as Record<string, number>;
  return {
    ...(f.apiListen ? { apiListen: f.apiListen } : {}),
    ...(f.xdsListen ? { xdsListen: f.xdsListen } : {}),
    ...(f.dataDir ? { dataDir: f.dataDir } : {}),
    ...(f.store ? { store: f.store as ServeConfigInput['store'] } : {}),
    ...(f.etcdEndpoints ? { etcdEndpoints: f.etcdEndpoints.split(',').map((s) => s.trim()) } : {}),
    ...(f.from ? { from: f.from } : {}),
    ...(f.seed === false ? { seed: false } : {}),
    ...(f.region ? { region: f.region } : {}),
    ...(f.accountId ? { accountId: f.accountId } : {}),
    ...(f.clusterDomain ? { clusterDomain: f.clusterDomain } : {}),
    ...(f.logLevel ? { logLevel: f.logLevel as ServeConfigInput['logLevel'] } : {}),
    quotas,
    debounce: {
      ...(f.debounceQuietMs ? { quietMs: int(f.debounceQuietMs, '--debounce-quiet-ms') } : {}),
      ...(f.debounceMaxMs ? { maxMs: int(f.debounceMaxMs, '--debounce-max-ms') } : {}),
    },
    xds: {
      ...(f.xdsAuthFile ? { authFile: f.xdsAuthFile } : {}),
      ...(f.xdsTlsCert ? { tlsCert: f.xdsTlsCert } : {}),
      ...(f.xdsTlsKey ? { tlsKey: f.xdsTlsKey } : {}),
      ...(f.xdsTlsClientCa ? { tlsClientCa: f.xdsTlsClientCa } : {}),
      ...(f.xdsTlsListen ? { tlsListen: f.xdsTlsListen } : {}),
      ...(f.xdsTlsSelfSigned ? { tlsSelfSigned: true } : {}),
      ...(f.xdsTlsNames ? { tlsNames: f.xdsTlsNames.split(',').map((n) => n.trim()) } : {}),
      ...(f.xdsSigv4CredentialsFile ? { sigv4CredentialsFile: f.xdsSigv4CredentialsFile } : {}),
      ...(f.insecureXds ? { insecure: true } : {}),
      ...(f.maxProxiesPerNode
        ? { maxProxiesPerNode: int(f.maxProxiesPerNode, '--max-proxies-per-node') }
        : {}),
      ...(f.xdsMaxStreams ? { maxStreams: int(f.xdsMaxStreams, '--xds-max-streams') } : {}),
      ...(f.xdsMaxNamesPerStream
        ? { maxNamesPerStream: int(f.xdsMaxNamesPerStream, '--xds-max-names-per-stream') }
        : {}),
    },
    api: { ...(f.apiCredentialsFile ? { credentialsFile: f.apiCredentialsFile } : {}) },
    kubernetes: {
      ...(f.webhookListen ? { webhookListen: f.webhookListen } : {}),
      ...(f.webhookCertDir ? { webhookCertDir: f.webhookCertDir } : {}),
      ...(f.webhookSelfSigned ? { webhookSelfSigned: true } : {}),
      ...(f.leaderElection === false ? { leaderElection: false } : {}),
    },
  };
}
