/**
 * `amime serve` configuration. One TypeBox schema is the source of the config file's
 * keys and validation, of the command-line flags (each setting names its flag, see
 * settings.ts), of `docs/configuration.md` (`npm run gen`) and of the resolved type.
 * Flags override file values, which override the defaults.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_QUOTAS, type Quotas } from '../mesh/index.js';
import { DEFAULT_INJECTOR_CONFIG } from '../k8s/index.js';
import { DEFAULT_SLICE_MS } from './time-slices.js';

export const DEFAULTS = {
  apiListen: '127.0.0.1:9080',
  xdsListen: '127.0.0.1:15010',
  dataDir: './amime-data',
  store: 'sqlite',
  etcdEndpoints: ['http://127.0.0.1:2379'],
  etcdPrefix: 'amime/',
  storeStalenessMs: 10_000,
  region: 'us-west-2',
  accountId: '000000000000',
  clusterDomain: 'cluster.local',
  logLevel: 'info',
  debounceQuietMs: 100,
  debounceMaxMs: 1000,
  debounceLeading: true,
  translationSliceMs: DEFAULT_SLICE_MS,
  sidecarImage: DEFAULT_INJECTOR_CONFIG.sidecarImage,
  initImage: DEFAULT_INJECTOR_CONFIG.initImage,
} as const;

export const STORE_KINDS = ['sqlite', 'memory', 'etcd', 'kubernetes'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['text', 'json'] as const;

/**
 * What every setting carries besides its type: `flag` is its command-line form
 * (`--no-x` for a boolean that defaults to true), `arg` the flag's value placeholder,
 * `default` the value used when neither the file nor a flag sets it, as people read it.
 */
export interface SettingOptions {
  flag: string;
  arg?: string;
  description: string;
  default?: string | number | boolean;
}

/** One of `values` (a Union of literals to the validator, `T` to the type checker). */
const literals = <T extends string>(values: readonly T[], o: SettingOptions) =>
  Type.Unsafe<T>(
    Type.Union(
      values.map((v) => Type.Literal(v)),
      o,
    ),
  );
const opt = Type.Optional;

export const ServeConfigSchema = Type.Object(
  {
    apiListen: opt(
      Type.String({
        flag: '--api-listen',
        arg: '<host:port>',
        description: 'REST API, /healthz, /readyz and /metrics',
        default: DEFAULTS.apiListen,
      }),
    ),
    metricsListen: opt(
      Type.String({
        flag: '--metrics-listen',
        arg: '<host:port>',
        description:
          'also serve /metrics and /debug/* here, without authentication (for a Prometheus that cannot sign SigV4; keep it private)',
      }),
    ),
    xdsListen: opt(
      Type.String({
        flag: '--xds-listen',
        arg: '<host:port>',
        description: 'xDS (ADS) gRPC server for Envoy and proxyless gRPC',
        default: DEFAULTS.xdsListen,
      }),
    ),
    store: opt(
      literals(STORE_KINDS, {
        flag: '--store',
        arg: '<kind>',
        description:
          'where the mesh is kept: sqlite, memory, etcd, or kubernetes (the cluster is the store; run in-cluster). Default sqlite, memory with --from',
      }),
    ),
    dataDir: opt(
      Type.String({
        flag: '--data-dir',
        arg: '<dir>',
        description: 'where the SQLite store lives',
        default: DEFAULTS.dataDir,
      }),
    ),
    etcdEndpoints: opt(
      Type.Array(Type.String(), {
        flag: '--etcd-endpoints',
        arg: '<urls>',
        description: 'etcd client URLs, with --store etcd (comma-separated on the command line)',
        default: DEFAULTS.etcdEndpoints.join(','),
      }),
    ),
    etcdPrefix: opt(
      Type.String({
        flag: '--etcd-prefix',
        arg: '<prefix>',
        description: 'key prefix in etcd (several Amimes can share one etcd)',
        default: DEFAULTS.etcdPrefix,
      }),
    ),
    storeStalenessMs: opt(
      Type.Integer({
        minimum: 1,
        flag: '--store-staleness-ms',
        arg: '<ms>',
        description:
          'with --store etcd: once this replica cannot confirm for this long that its view of etcd is current (cut off from the cluster), /readyz says not ready and new xDS streams are refused, until it can again',
        default: DEFAULTS.storeStalenessMs,
      }),
    ),
    replicaName: opt(
      Type.String({
        minLength: 1,
        flag: '--replica-name',
        arg: '<name>',
        description:
          "this replica's name in the console and `amime proxy-status` (give each replica its own when several run on one host)",
        default: '$POD_NAME, else the host name',
      }),
    ),
    from: opt(
      Type.String({
        flag: '--from',
        arg: '<dir>',
        description:
          'serve a folder of appmesh.k8s.aws/v1beta2 manifests, reloaded on change (the REST API is then read-only)',
      }),
    ),
    seed: opt(
      Type.Boolean({
        flag: '--no-seed',
        description: 'load the example mesh (examples/seed) into a fresh data directory',
        default: true,
      }),
    ),
    endpointsFile: opt(
      Type.String({
        flag: '--endpoints-file',
        arg: '<file>',
        description:
          'instances per virtual node (like Cloud Map) for EDS; format: docs/file-formats.md#endpoints-file',
      }),
    ),
    region: opt(
      Type.String({
        flag: '--region',
        arg: '<region>',
        description: 'region in ARNs (set the old App Mesh region to keep ARNs and dashboards)',
        default: DEFAULTS.region,
      }),
    ),
    accountId: opt(
      Type.String({
        pattern: '^\\d{12}$',
        flag: '--account-id',
        arg: '<12 digits>',
        description: 'account in ARNs, meshOwner and resourceOwner (set the old App Mesh account)',
        default: DEFAULTS.accountId,
      }),
    ),
    clusterDomain: opt(
      Type.String({
        flag: '--cluster-domain',
        arg: '<domain>',
        description: 'Kubernetes cluster domain for service hostnames',
        default: DEFAULTS.clusterDomain,
      }),
    ),
    logLevel: opt(
      literals(LOG_LEVELS, {
        flag: '--log-level',
        arg: '<level>',
        description: 'fatal, error, warn, info, debug, trace or silent',
        default: DEFAULTS.logLevel,
      }),
    ),
    logFormat: opt(
      literals(LOG_FORMATS, {
        flag: '--log-format',
        arg: '<format>',
        description:
          'text (one readable line per event) or json (one JSON object per line). Default: text on a terminal, json otherwise',
      }),
    ),
    quotas: opt(
      Type.Record(Type.String(), Type.Integer({ minimum: 0 }), {
        flag: '--quota',
        arg: '<name=value>',
        description: 'override an App Mesh quota, e.g. virtualNodesPerMesh=500 (repeatable)',
      }),
    ),
    debounce: opt(
      Type.Object(
        {
          quietMs: opt(
            Type.Integer({
              minimum: 0,
              flag: '--debounce-quiet-ms',
              arg: '<ms>',
              description: 'coalesce changes until this long without one',
              default: DEFAULTS.debounceQuietMs,
            }),
          ),
          maxMs: opt(
            Type.Integer({
              minimum: 1,
              flag: '--debounce-max-ms',
              arg: '<ms>',
              description: 'but never wait longer than this',
              default: DEFAULTS.debounceMaxMs,
            }),
          ),
          leading: opt(
            Type.Boolean({
              flag: '--no-debounce-leading',
              description:
                'translate a change that follows a quiet period at once, coalescing only the changes after it',
              default: DEFAULTS.debounceLeading,
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    translationSliceMs: opt(
      Type.Integer({
        minimum: 0,
        flag: '--translation-slice-ms',
        arg: '<ms>',
        description:
          'a long translation gives the REST API and xDS streams a turn after this much work (and publishes the proxies it has done so far, connected ones first); smaller answers them sooner during a large change, and makes the change take a little longer',
        default: DEFAULTS.translationSliceMs,
      }),
    ),
    xds: opt(
      Type.Object(
        {
          authFile: opt(
            Type.String({
              flag: '--xds-auth-file',
              arg: '<file>',
              description:
                'proxy identities (bearer tokens, certificate names) with IAM policies; format: docs/file-formats.md#xds-auth-file',
            }),
          ),
          tlsCert: opt(
            Type.String({
              flag: '--xds-tls-cert',
              arg: '<file>',
              description: 'serve xDS over TLS with this certificate chain (PEM)',
            }),
          ),
          tlsKey: opt(
            Type.String({
              flag: '--xds-tls-key',
              arg: '<file>',
              description: 'private key of --xds-tls-cert',
            }),
          ),
          tlsClientCa: opt(
            Type.String({
              flag: '--xds-tls-client-ca',
              arg: '<file>',
              description: 'require client certificates signed by this CA bundle (mTLS)',
            }),
          ),
          tlsListen: opt(
            Type.String({
              flag: '--xds-tls-listen',
              arg: '<host:port>',
              description:
                'a second xDS listener, with TLS (Envoys outside the cluster; the App Mesh image via APPMESH_XDS_ENDPOINT); xdsListen stays plaintext',
            }),
          ),
          tlsSelfSigned: opt(
            Type.Boolean({
              flag: '--xds-tls-self-signed',
              description:
                'make a CA and certificate once in <data-dir>/xds-tls/ and serve it (the log says where the CA is)',
              default: false,
            }),
          ),
          tlsNames: opt(
            Type.Array(Type.String(), {
              flag: '--xds-tls-names',
              arg: '<names>',
              description:
                'DNS names and IPs of the self-signed certificate (comma-separated on the command line)',
            }),
          ),
          sigv4CredentialsFile: opt(
            Type.String({
              flag: '--xds-sigv4-credentials-file',
              arg: '<file>',
              description:
                'access keys (the --api-credentials-file format) verifying SigV4-signed streams; --xds-auth-file maps each accessKeyId to policies',
            }),
          ),
          insecure: opt(
            Type.Boolean({
              flag: '--insecure-xds',
              description: 'allow unauthenticated plaintext xDS on a non-loopback address',
              default: false,
            }),
          ),
          maxProxiesPerNode: opt(
            Type.Integer({
              minimum: 1,
              flag: '--max-proxies-per-node',
              arg: '<n>',
              description:
                'connected proxies per virtual node or gateway, Envoys and gRPC clients together (App Mesh quota)',
              default: 50,
            }),
          ),
          maxStreams: opt(
            Type.Integer({
              minimum: 1,
              flag: '--xds-max-streams',
              arg: '<n>',
              description: 'open xDS streams in all',
              default: 10000,
            }),
          ),
          maxNamesPerStream: opt(
            Type.Integer({
              minimum: 1,
              flag: '--xds-max-names-per-stream',
              arg: '<n>',
              description: 'resource names one xDS stream may subscribe to, all types together',
              default: 10000,
            }),
          ),
          newStreamsPerSecond: opt(
            Type.Number({
              minimum: 0,
              flag: '--xds-new-streams-per-second',
              arg: '<n>',
              description: 'accept at most this many new xDS streams per second (0: no limit)',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    ca: opt(
      Type.Object(
        {
          enabled: opt(
            Type.Boolean({
              flag: '--no-ca',
              description:
                "run Amime's certificate authority (ACM certificates and the mesh mTLS switch need it; docs/mtls.md)",
              default: true,
            }),
          ),
          keyFile: opt(
            Type.String({
              flag: '--ca-key-file',
              arg: '<file>',
              description:
                "key-encryption key sealing the built-in CA's root key in the store (32 bytes, base64; made on first start; a mounted Secret on Kubernetes). Default with SQLite: <data-dir>/ca-kek",
            }),
          ),
          certFile: opt(
            Type.String({
              flag: '--ca-cert',
              arg: '<file>',
              description:
                "sign workload certificates with this CA instead (PEM: the CA, then its intermediates; cert-manager's tls.crt)",
            }),
          ),
          privateKeyFile: opt(
            Type.String({
              flag: '--ca-key',
              arg: '<file>',
              description: 'the private key of --ca-cert (tls.key)',
            }),
          ),
          bundleFile: opt(
            Type.String({
              flag: '--ca-bundle',
              arg: '<file>',
              description:
                'the roots peers trust with --ca-cert (ca.crt); default: the root ending --ca-cert',
            }),
          ),
          trustDomain: opt(
            Type.String({
              flag: '--trust-domain',
              arg: '<domain>',
              description: 'SPIFFE trust domain of workload certificates',
              default: 'amime.local',
            }),
          ),
          certificateLifetime: opt(
            Type.String({
              flag: '--workload-cert-lifetime',
              arg: '<duration>',
              description: 'lifetime of workload certificates (24h, 90m, 60s…)',
              default: '24h',
            }),
          ),
          renewAt: opt(
            Type.Number({
              exclusiveMinimum: 0,
              exclusiveMaximum: 1,
              flag: '--workload-cert-renew-at',
              arg: '<fraction>',
              description: 'renew a workload certificate after this fraction of its lifetime',
              default: 0.5,
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    api: opt(
      Type.Object(
        {
          credentialsFile: opt(
            Type.String({
              flag: '--api-credentials-file',
              arg: '<file>',
              description:
                'SigV4 access keys; when set, every REST API request (and /metrics, /debug/*) must be signed. Format: docs/file-formats.md#api-credentials-file',
            }),
          ),
          requestsPerSecond: opt(
            Type.Number({
              minimum: 0,
              flag: '--api-requests-per-second',
              arg: '<n>',
              description: 'REST API rate limit per client (0: no limit)',
            }),
          ),
          maxConnections: opt(
            Type.Integer({
              minimum: 1,
              flag: '--api-max-connections',
              arg: '<n>',
              description:
                'open HTTP connections at most (API, probes, metrics); more are closed as they arrive',
              default: 1024,
            }),
          ),
          requestTimeoutMs: opt(
            Type.Integer({
              minimum: 1,
              flag: '--api-request-timeout-ms',
              arg: '<ms>',
              description: 'time a client has to send a whole HTTP request, headers and body',
              default: 30_000,
            }),
          ),
          idleTimeoutMs: opt(
            Type.Integer({
              minimum: 1,
              flag: '--api-idle-timeout-ms',
              arg: '<ms>',
              description: 'an HTTP connection without traffic is closed after this',
              default: 60_000,
            }),
          ),
          maxBodyBytes: opt(
            Type.Integer({
              minimum: 1,
              flag: '--api-max-body-bytes',
              arg: '<n>',
              description: 'largest Create/Update request body (tags: 64 KiB; other operations: 4 KiB)',
              default: 524_288,
            }),
          ),
          consoleTokenFile: opt(
            Type.String({
              flag: '--console-token-file',
              arg: '<file>',
              description:
                'a token (first line, 16+ characters) the web console (/ui) and its JSON (/ui/api) require; without it the console answers only on a loopback --api-listen (docs/console.md)',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    kubernetes: opt(
      Type.Object(
        {
          webhookListen: opt(
            Type.String({
              flag: '--webhook-listen',
              arg: '<host:port>',
              description:
                'with --store kubernetes: serve the admission webhooks and sidecar injector over HTTPS',
            }),
          ),
          webhookCertDir: opt(
            Type.String({
              flag: '--webhook-cert-dir',
              arg: '<dir>',
              description: 'folder with tls.crt and tls.key for the webhooks (reloaded on change)',
              default: '/etc/amime/webhook-tls',
            }),
          ),
          webhookSelfSigned: opt(
            Type.Boolean({
              flag: '--webhook-self-signed',
              description:
                "with --webhook-listen: make and renew the webhook certificate in Secret amime-webhook-tls (POD_NAMESPACE) and set the webhooks' caBundle; --webhook-cert-dir is then only a fallback",
              default: false,
            }),
          ),
          clusterIpFamily: opt(
            literals(['IPv4', 'IPv6'] as const, {
              flag: '--cluster-ip-family',
              arg: '<IPv4|IPv6>',
              description:
                "the cluster's IP family, as App Mesh's controller read it: the Mesh webhook fills an empty or absent ipPreference from it (IPv6 → IPv6_ONLY); a value the user set is kept",
              default: 'IPv4',
            }),
          ),
          leaderElection: opt(
            Type.Boolean({
              flag: '--no-leader-election',
              description: 'elect the status writer with a Lease (turn off only with one replica)',
              default: true,
            }),
          ),
          sidecarImage: opt(
            Type.String({
              flag: '--sidecar-image',
              arg: '<image>',
              description:
                'Envoy image the sidecar injector adds (App Mesh Envoy images work too: aws-appmesh-envoy)',
              default: DEFAULTS.sidecarImage,
            }),
          ),
          initImage: opt(
            Type.String({
              flag: '--init-image',
              arg: '<image>',
              description:
                'image of the iptables init container (proxyinit); build it from deploy/proxy-init',
              default: DEFAULTS.initImage,
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ServeConfigInput = Static<typeof ServeConfigSchema>;

export interface ServeConfig {
  apiListen: HostPort;
  metricsListen?: HostPort;
  xdsListen: HostPort;
  dataDir: string;
  store: (typeof STORE_KINDS)[number];
  etcdEndpoints: string[];
  etcdPrefix: string;
  storeStalenessMs: number;
  replicaName: string;
  from?: string;
  seed: boolean;
  endpointsFile?: string;
  region: string;
  accountId: string;
  clusterDomain: string;
  logLevel: string;
  logFormat?: (typeof LOG_FORMATS)[number];
  quotas: Quotas;
  debounce: { quietMs: number; maxMs: number; leading: boolean };
  translationSliceMs: number;
  xds: NonNullable<ServeConfigInput['xds']>;
  api: NonNullable<ServeConfigInput['api']>;
  ca: NonNullable<ServeConfigInput['ca']>;
  kubernetes: {
    webhookListen?: HostPort;
    webhookCertDir?: string;
    webhookSelfSigned: boolean;
    clusterIpFamily: 'IPv4' | 'IPv6';
    leaderElection: boolean;
    sidecarImage: string;
    initImage: string;
  };
}

export interface HostPort {
  host: string;
  port: number;
}

export class ConfigError extends Error {}

export function parseHostPort(value: string, what: string): HostPort {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535)
    throw new ConfigError(`${what}: expected host:port (e.g. 127.0.0.1:9080), got "${value}"`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** Errors of `value` against the schema, one line each, naming where with `name(path)`. */
export function schemaErrors(value: unknown, name: (path: string) => string): string[] {
  return [...Value.Errors(ServeConfigSchema, value)].slice(0, 10).map((e) => `${name(e.path)}: ${e.message}`);
}

/** Reads and checks a YAML/JSON config file; errors name the file and the key. */
export function readConfigFile(file: string): ServeConfigInput {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const errors = schemaErrors(raw ?? {}, (p) => (p ? p.slice(1).replace(/\//g, '.') : '(top level)'));
  if (errors.length > 0)
    throw new ConfigError(
      `${file}: invalid configuration (keys: docs/configuration.md):\n  ${errors.join('\n  ')}`,
    );
  return (raw ?? {}) as ServeConfigInput;
}

/** Parses `name=value` quota overrides; names are those of App Mesh's quotas (DEFAULT_QUOTAS keys). */
export function parseQuotaOverrides(pairs: readonly string[]): Partial<Quotas> {
  const out: Partial<Quotas> = {};
  for (const pair of pairs) {
    const [name, value] = pair.split('=');
    if (!name || value === undefined || !(name in DEFAULT_QUOTAS) || !/^\d+$/.test(value)) {
      throw new ConfigError(
        `--quota ${pair}: expected NAME=NUMBER with NAME one of ${Object.keys(DEFAULT_QUOTAS).join(', ')}`,
      );
    }
    out[name as keyof Quotas] = Number(value);
  }
  return out;
}

/** File values, then flags, over defaults. */
export function resolveConfig(file: ServeConfigInput, flags: ServeConfigInput): ServeConfig {
  const merged: ServeConfigInput = {
    ...file,
    ...stripUndefined(flags),
    xds: { ...file.xds, ...stripUndefined(flags.xds ?? {}) },
    api: { ...file.api, ...stripUndefined(flags.api ?? {}) },
    ca: { ...file.ca, ...stripUndefined(flags.ca ?? {}) },
    kubernetes: { ...file.kubernetes, ...stripUndefined(flags.kubernetes ?? {}) },
    quotas: { ...file.quotas, ...flags.quotas },
    debounce: { ...file.debounce, ...stripUndefined(flags.debounce ?? {}) },
  };
  const quotas = { ...DEFAULT_QUOTAS };
  for (const [k, v] of Object.entries(merged.quotas ?? {})) {
    if (!(k in DEFAULT_QUOTAS))
      throw new ConfigError(`quotas.${k}: unknown quota; known: ${Object.keys(DEFAULT_QUOTAS).join(', ')}`);
    if (v !== undefined) quotas[k as keyof Quotas] = v;
  }
  const store = merged.store ?? (merged.from ? 'memory' : DEFAULTS.store);
  if (merged.accountId !== undefined && !/^\d{12}$/.test(merged.accountId)) {
    throw new ConfigError(`accountId: expected 12 digits, got "${merged.accountId}"`);
  }
  const k8s = merged.kubernetes ?? {};
  return {
    apiListen: parseHostPort(merged.apiListen ?? DEFAULTS.apiListen, '--api-listen'),
    ...(merged.metricsListen
      ? { metricsListen: parseHostPort(merged.metricsListen, '--metrics-listen') }
      : {}),
    xdsListen: parseHostPort(merged.xdsListen ?? DEFAULTS.xdsListen, '--xds-listen'),
    dataDir: merged.dataDir ?? DEFAULTS.dataDir,
    store,
    etcdEndpoints: merged.etcdEndpoints ?? [...DEFAULTS.etcdEndpoints],
    etcdPrefix: merged.etcdPrefix ?? DEFAULTS.etcdPrefix,
    storeStalenessMs: merged.storeStalenessMs ?? DEFAULTS.storeStalenessMs,
    replicaName: merged.replicaName ?? process.env.POD_NAME ?? hostname(),
    ...(merged.from ? { from: merged.from } : {}),
    seed: merged.seed ?? true,
    ...(merged.endpointsFile ? { endpointsFile: merged.endpointsFile } : {}),
    region: merged.region ?? DEFAULTS.region,
    accountId: merged.accountId ?? DEFAULTS.accountId,
    clusterDomain: merged.clusterDomain ?? DEFAULTS.clusterDomain,
    logLevel: merged.logLevel ?? DEFAULTS.logLevel,
    ...(merged.logFormat ? { logFormat: merged.logFormat } : {}),
    quotas,
    debounce: {
      quietMs: merged.debounce?.quietMs ?? DEFAULTS.debounceQuietMs,
      maxMs: merged.debounce?.maxMs ?? DEFAULTS.debounceMaxMs,
      leading: merged.debounce?.leading ?? DEFAULTS.debounceLeading,
    },
    translationSliceMs: merged.translationSliceMs ?? DEFAULTS.translationSliceMs,
    xds: merged.xds ?? {},
    api: merged.api ?? {},
    ca: merged.ca ?? {},
    kubernetes: {
      ...(k8s.webhookListen ? { webhookListen: parseHostPort(k8s.webhookListen, '--webhook-listen') } : {}),
      ...(k8s.webhookCertDir ? { webhookCertDir: k8s.webhookCertDir } : {}),
      webhookSelfSigned: k8s.webhookSelfSigned ?? false,
      clusterIpFamily: k8s.clusterIpFamily ?? 'IPv4',
      leaderElection: k8s.leaderElection ?? true,
      sidecarImage: k8s.sidecarImage ?? DEFAULTS.sidecarImage,
      initImage: k8s.initImage ?? DEFAULTS.initImage,
    },
  };
}

function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
