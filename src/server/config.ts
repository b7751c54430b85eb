/**
 * `amime serve` configuration: one TypeBox schema is the source for the config
 * file's validation and the resolved type; command-line flags override file values.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_QUOTAS, type Quotas } from '../mesh/graph.js';

const opt = Type.Optional;

export const StoreKind = Type.Union([
  Type.Literal('sqlite'),
  Type.Literal('memory'),
  Type.Literal('etcd'),
  Type.Literal('kubernetes'),
]);

export const ServeConfigSchema = Type.Object(
  {
    apiListen: opt(Type.String({ description: 'host:port of the REST API, /healthz, /readyz and /metrics' })),
    xdsListen: opt(Type.String({ description: 'host:port of the xDS (ADS) gRPC server' })),
    dataDir: opt(Type.String()),
    store: opt(StoreKind),
    etcdEndpoints: opt(Type.Array(Type.String())),
    etcdPrefix: opt(Type.String()),
    from: opt(Type.String({ description: 'folder of v1beta2 manifests used as the source of truth' })),
    seed: opt(Type.Boolean({ description: 'load examples/seed into a fresh data directory' })),
    region: opt(Type.String()),
    accountId: opt(Type.String({ pattern: '^\\d{12}$' })),
    clusterDomain: opt(Type.String()),
    logLevel: opt(
      Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
    ),
    quotas: opt(Type.Record(Type.String(), Type.Integer({ minimum: 0 }))),
    debounce: opt(
      Type.Object({ quietMs: opt(Type.Integer({ minimum: 0 })), maxMs: opt(Type.Integer({ minimum: 1 })) }),
    ),
    xds: opt(
      Type.Object({
        authFile: opt(Type.String({ description: 'tokens/identities with IAM policies for proxies' })),
        tlsCert: opt(Type.String()),
        tlsKey: opt(Type.String()),
        tlsClientCa: opt(Type.String({ description: 'CA bundle for client certificates (mTLS)' })),
        tlsListen: opt(
          Type.String({
            description:
              'host:port of a second xDS listener with TLS (Envoys outside the cluster, APPMESH_XDS_ENDPOINT); xdsListen stays plaintext',
          }),
        ),
        tlsSelfSigned: opt(
          Type.Boolean({
            description: 'make (once) and serve a self-signed CA and certificate in <dataDir>/xds-tls',
          }),
        ),
        tlsNames: opt(
          Type.Array(Type.String(), { description: 'DNS names and IPs of the self-signed certificate' }),
        ),
        sigv4CredentialsFile: opt(
          Type.String({
            description:
              'SigV4 access keys (the API credentials file format) for SigV4-signed streams; principals name them with accessKeyId',
          }),
        ),
        insecure: opt(
          Type.Boolean({ description: 'allow unauthenticated plaintext on a non-loopback address' }),
        ),
        maxProxiesPerNode: opt(
          Type.Integer({ minimum: 1, description: 'connected proxies per virtual node or gateway' }),
        ),
        maxStreams: opt(Type.Integer({ minimum: 1, description: 'open xDS streams in all' })),
        maxNamesPerStream: opt(
          Type.Integer({ minimum: 1, description: 'resource names one xDS stream may subscribe to' }),
        ),
        newStreamsPerSecond: opt(Type.Number({ minimum: 0 })),
      }),
    ),
    kubernetes: opt(
      Type.Object({
        webhookListen: opt(
          Type.String({ description: 'host:port of the HTTPS admission webhooks (with --store kubernetes)' }),
        ),
        webhookCertDir: opt(Type.String({ description: 'folder with tls.crt and tls.key for the webhooks' })),
        webhookSelfSigned: opt(Type.Boolean()),
        leaderElection: opt(
          Type.Boolean({ description: 'Lease-based election of the status writer (default true)' }),
        ),
      }),
    ),
    api: opt(
      Type.Object({
        credentialsFile: opt(
          Type.String({ description: 'SigV4 access keys; when set every request must be signed' }),
        ),
        requestsPerSecond: opt(Type.Number({ minimum: 0 })),
      }),
    ),
  },
  { additionalProperties: false },
);
export type ServeConfigInput = Static<typeof ServeConfigSchema>;

export interface ServeConfig {
  apiListen: HostPort;
  xdsListen: HostPort;
  dataDir: string;
  store: Static<typeof StoreKind>;
  etcdEndpoints: string[];
  etcdPrefix: string;
  from?: string;
  seed: boolean;
  region: string;
  accountId: string;
  clusterDomain: string;
  logLevel: string;
  quotas: Quotas;
  debounce: { quietMs: number; maxMs: number };
  xds: NonNullable<ServeConfigInput['xds']>;
  api: NonNullable<ServeConfigInput['api']>;
  kubernetes: {
    webhookListen?: HostPort;
    webhookCertDir?: string;
    webhookSelfSigned: boolean;
    leaderElection: boolean;
  };
}

export interface HostPort {
  host: string;
  port: number;
}

export const DEFAULTS = {
  apiListen: '127.0.0.1:9080',
  xdsListen: '127.0.0.1:15010',
  dataDir: './amime-data',
  store: 'sqlite',
  region: 'us-west-2',
  accountId: '000000000000',
  clusterDomain: 'cluster.local',
  logLevel: 'info',
  etcdPrefix: 'amime/',
} as const;

export class ConfigError extends Error {}

export function parseHostPort(value: string, what: string): HostPort {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535)
    throw new ConfigError(`${what}: expected host:port (e.g. 127.0.0.1:9080), got "${value}"`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** Reads and checks a YAML/JSON config file; errors name the field. */
export function readConfigFile(file: string): ServeConfigInput {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const errors = [...Value.Errors(ServeConfigSchema, raw ?? {})];
  if (errors.length > 0) {
    const lines = errors.slice(0, 10).map((e) => `  ${e.path || '/'}: ${e.message}`);
    throw new ConfigError(`${file}: invalid configuration:\n${lines.join('\n')}`);
  }
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
  return {
    apiListen: parseHostPort(merged.apiListen ?? DEFAULTS.apiListen, '--api-listen'),
    xdsListen: parseHostPort(merged.xdsListen ?? DEFAULTS.xdsListen, '--xds-listen'),
    dataDir: merged.dataDir ?? DEFAULTS.dataDir,
    store,
    etcdEndpoints: merged.etcdEndpoints ?? ['http://127.0.0.1:2379'],
    etcdPrefix: merged.etcdPrefix ?? DEFAULTS.etcdPrefix,
    ...(merged.from ? { from: merged.from } : {}),
    seed: merged.seed ?? true,
    region: merged.region ?? DEFAULTS.region,
    accountId: merged.accountId ?? DEFAULTS.accountId,
    clusterDomain: merged.clusterDomain ?? DEFAULTS.clusterDomain,
    logLevel: merged.logLevel ?? DEFAULTS.logLevel,
    quotas,
    debounce: { quietMs: merged.debounce?.quietMs ?? 100, maxMs: merged.debounce?.maxMs ?? 1000 },
    xds: merged.xds ?? {},
    api: merged.api ?? {},
    kubernetes: {
      ...(merged.kubernetes?.webhookListen
        ? { webhookListen: parseHostPort(merged.kubernetes.webhookListen, '--webhook-listen') }
        : {}),
      ...(merged.kubernetes?.webhookCertDir ? { webhookCertDir: merged.kubernetes.webhookCertDir } : {}),
      webhookSelfSigned: merged.kubernetes?.webhookSelfSigned ?? false,
      leaderElection: merged.kubernetes?.leaderElection ?? true,
    },
  };
}

function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
