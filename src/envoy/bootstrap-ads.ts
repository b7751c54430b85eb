/**
 * The ADS channel, shaped as the App Mesh agent shaped it: a `google_grpc` service
 * with stat prefix `ads` and the agent's channel arguments (keepalive ping every 10 s,
 * 20 s to answer, 10 s initial reconnect backoff; aws/amazon-ecs-service-connect-agent@1ba8235
 * agent/envoy_bootstrap/envoy_bootstrap.go l.78-83, 581-650), `initial_fetch_timeout`
 * from ENVOY_INITIAL_FETCH_TIMEOUT (seconds, default 0 = wait for the control plane,
 * l.679-705), and LDS/CDS over ADS.
 *
 * Where the agent used TLS to the regional endpoint plus SigV4 call credentials, Amime's
 * bootstrap secures the channel with what a self-hosted control plane can verify: TLS
 * trusting Amime's CA (`root_certs`), optionally a client certificate (mTLS), and a
 * bearer token Envoy reads from a file (`envoy.grpc_credentials.file_based_metadata`;
 * gRPC sends call credentials only over TLS), or, in-cluster, a token in
 * `initial_metadata`.
 */
import { typedConfig, type PlainAny } from '../proto/index.js';
import { BootstrapEnvError, type EnvReader } from './bootstrap-env.js';
import type { Duration } from './types.js';

/**
 * One Amime (HOST:PORT, a DNS name gRPC resolves to every address it has), a Unix
 * socket, or several replicas by address (IP literals of one family): gRPC connects to
 * one and, when it goes, to another.
 */
export type XdsAddress =
  { host: string; port: number } | { pipe: string } | { replicas: Array<{ host: string; port: number }> };

export interface XdsTls {
  /** CA bundle (path where Envoy runs) that signs Amime's xDS certificate; gRPC's default roots when absent. */
  caFile?: string;
  /** Client certificate chain and key for mTLS (paths where Envoy runs). */
  certFile?: string;
  keyFile?: string;
}

export interface XdsTransport {
  tls?: XdsTls;
  /** A file holding the bearer token, read by Envoy; needs `tls`. */
  tokenFile?: string;
  /** Headers sent on every stream (e.g. `authorization: Bearer …` on an in-cluster plaintext channel). */
  initialMetadata?: ReadonlyArray<{ key: string; value: string }>;
}

export const FILE_BASED_METADATA = 'envoy.grpc_credentials.file_based_metadata';
export const FILE_BASED_METADATA_CONFIG = 'envoy.config.grpc_credential.v3.FileBasedMetadataConfig';

const CHANNEL_ARGS: Readonly<Record<string, number>> = {
  'grpc.http2.max_pings_without_data': 0,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.initial_reconnect_backoff_ms': 10_000,
  'grpc.max_connection_age_ms': 2_400_000,
  'grpc.max_connection_age_grace_ms': 5_000,
};

export interface GoogleGrpcService {
  google_grpc: {
    target_uri: string;
    stat_prefix: string;
    channel_credentials?: { ssl_credentials: Record<string, { filename: string }> };
    credentials_factory_name?: string;
    call_credentials?: Array<{ from_plugin: { name: string; typed_config: PlainAny } }>;
    channel_args: { args: Record<string, { int_value: number }> };
  };
  initial_metadata?: Array<{ key: string; value: string }>;
}

/** A gRPC target URI: `host:port`, `[v6]:port`, `unix:/path`, `ipv4:a:p,b:p` / `ipv6:[a]:p,[b]:p` (gRPC naming). */
export function targetUri(xds: XdsAddress): string {
  if ('pipe' in xds) return `unix:${xds.pipe}`;
  const hostPort = (a: { host: string; port: number }) =>
    a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
  if ('replicas' in xds)
    return `${xds.replicas[0]!.host.includes(':') ? 'ipv6' : 'ipv4'}:${xds.replicas.map(hostPort).join(',')}`;
  return hostPort(xds);
}

export function adsGrpcService(xds: XdsAddress, transport: XdsTransport = {}): GoogleGrpcService {
  const { tls, tokenFile, initialMetadata } = transport;
  if (tokenFile !== undefined && !tls)
    throw new Error('a token file needs TLS to the xDS server: gRPC sends call credentials only over TLS');
  if (tls && (tls.certFile === undefined) !== (tls.keyFile === undefined))
    throw new Error('a client certificate needs both its certificate chain and its private key');
  const ssl: Record<string, { filename: string }> = {};
  if (tls?.caFile) ssl.root_certs = { filename: tls.caFile };
  if (tls?.keyFile) ssl.private_key = { filename: tls.keyFile };
  if (tls?.certFile) ssl.cert_chain = { filename: tls.certFile };
  const args: Record<string, { int_value: number }> = {};
  for (const [k, v] of Object.entries(CHANNEL_ARGS)) args[k] = { int_value: v };
  const token = tokenFile
    ? {
        credentials_factory_name: FILE_BASED_METADATA,
        call_credentials: [
          {
            from_plugin: {
              name: FILE_BASED_METADATA,
              typed_config: typedConfig(FILE_BASED_METADATA_CONFIG, {
                secret_data: { filename: tokenFile },
                header_key: 'authorization',
                header_prefix: 'Bearer ',
              }),
            },
          },
        ],
      }
    : {};
  return {
    google_grpc: {
      target_uri: targetUri(xds),
      stat_prefix: 'ads',
      ...(tls ? { channel_credentials: { ssl_credentials: ssl } } : {}),
      ...token,
      channel_args: { args },
    },
    ...(initialMetadata && initialMetadata.length > 0 ? { initial_metadata: [...initialMetadata] } : {}),
  };
}

export interface AdsConfigSource {
  ads: Record<string, never>;
  initial_fetch_timeout: Duration;
  resource_api_version: 'V3';
}

export function adsConfigSource(env: EnvReader): AdsConfigSource {
  const seconds = env.int('ENVOY_INITIAL_FETCH_TIMEOUT', 0);
  if (seconds < 0)
    throw new BootstrapEnvError(
      'ENVOY_INITIAL_FETCH_TIMEOUT',
      `ENVOY_INITIAL_FETCH_TIMEOUT environment variable ("${seconds}") must be 0 (wait for the control plane) or a number of seconds.`,
    );
  return { ads: {}, initial_fetch_timeout: { seconds }, resource_api_version: 'V3' };
}
