/**
 * The Envoy v3 protos, loaded once from the copy shipped in `@grpc/grpc-js-xds`
 * (`deps/`). Everything that encodes, decodes or checks Envoy resources goes
 * through this one protobufjs Root, so there is one source of truth for the wire
 * format.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
// Registers google/protobuf/descriptor.proto with protobufjs, which the Envoy
// protos import for their options (validate.rules, udpa annotations).
import '@grpc/proto-loader';

const require = createRequire(import.meta.url);

/** Root folders of the proto tree shipped by @grpc/grpc-js-xds. */
export const PROTO_INCLUDE_DIRS: readonly string[] = (() => {
  const pkg = path.dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
  return ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(pkg, 'deps', d));
})();

/** Every proto file Amime emits or serves; their imports are loaded transitively. */
export const ENVOY_PROTO_FILES: readonly string[] = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/discovery/v3/discovery.proto',
  'envoy/service/status/v3/csds.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/health_check/v3/health_check.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/listener/http_inspector/v3/http_inspector.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/tls/v3/cert.proto',
  'envoy/extensions/transport_sockets/raw_buffer/v3/raw_buffer.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'envoy/extensions/access_loggers/stream/v3/stream.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/retry/host/previous_hosts/v3/previous_hosts.proto',
  'envoy/extensions/clusters/aggregate/v3/cluster.proto',
  'envoy/extensions/load_balancing_policies/round_robin/v3/round_robin.proto',
  'envoy/config/rbac/v3/rbac.proto',
  'envoy/admin/v3/config_dump.proto',
  // The bootstrap's tracers and ADS call credentials (src/envoy/bootstrap-*.ts).
  'envoy/config/trace/v3/xray.proto',
  'envoy/config/trace/v3/datadog.proto',
  'envoy/config/trace/v3/zipkin.proto',
  'envoy/config/grpc_credential/v3/file_based_metadata.proto',
];

function resolvePath(origin: string, target: string): string {
  if (path.isAbsolute(target) && existsSync(target)) return target;
  for (const dir of PROTO_INCLUDE_DIRS) {
    const candidate = path.join(dir, target);
    if (existsSync(candidate)) return candidate;
  }
  // Not found in our roots: let protobufjs fall back (google/protobuf/* are built in).
  return target;
}

let cached: protobuf.Root | undefined;

/** The loaded and fully resolved Root. Loading takes ~100-200 ms, once per process. */
export function envoyRoot(): protobuf.Root {
  if (cached) return cached;
  const root = new protobuf.Root();
  root.resolvePath = resolvePath;
  root.loadSync([...ENVOY_PROTO_FILES], { keepCase: true });
  root.resolveAll();
  cached = root;
  return root;
}

/** Looks up a message type by its full name, e.g. `envoy.config.cluster.v3.Cluster`. */
export function messageType(fullName: string): protobuf.Type {
  return envoyRoot().lookupType(fullName);
}

export const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** `type.googleapis.com/envoy.config.cluster.v3.Cluster` → `envoy.config.cluster.v3.Cluster`. */
export function typeNameOf(typeUrl: string): string {
  return typeUrl.startsWith(TYPE_URL_PREFIX) ? typeUrl.slice(TYPE_URL_PREFIX.length) : typeUrl;
}
