/**
 * Client Status Discovery Service (`envoy.service.status.v3`): the per-proxy
 * status of {@link ClientStatusRegistry} in the form `istioctl`-style and gRPC
 * tooling read. Each resource a proxy holds or asked for becomes a
 * GenericXdsConfig with its version, ACKED/NACKED status and, for a rejected
 * update, the proxy's error message.
 */
import type * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { messageType } from '../proto/index.js';
import type { ClientStatus } from './client-status.js';
import type { NodeInfo } from './identity.js';
import type { Snapshot } from './snapshot-cache.js';

export interface CsdsClient {
  readonly status: ClientStatus;
  readonly node: NodeInfo;
}

interface RawStringMatcher {
  exact?: string;
  prefix?: string;
  suffix?: string;
  contains?: string;
  safe_regex?: { regex?: string } | null;
  ignore_case?: boolean;
}
interface RawClientStatusRequest {
  node_matchers?: { node_id?: RawStringMatcher | null }[];
  exclude_resource_contents?: boolean;
}

export interface ClientStatusQuery {
  readonly nodeMatchers: ReadonlyArray<(nodeId: string) => boolean>;
  readonly excludeResourceContents: boolean;
}

let requestType: protobuf.Type | undefined;
let responseType: protobuf.Type | undefined;

function matcher(m: RawStringMatcher | null | undefined): (s: string) => boolean {
  if (!m) return () => true;
  const norm = (s: string): string => (m.ignore_case ? s.toLowerCase() : s);
  if (m.exact) return (s) => norm(s) === norm(m.exact!);
  if (m.prefix) return (s) => norm(s).startsWith(norm(m.prefix!));
  if (m.suffix) return (s) => norm(s).endsWith(norm(m.suffix!));
  if (m.contains) return (s) => norm(s).includes(norm(m.contains!));
  if (m.safe_regex?.regex) {
    const re = new RegExp(`^(?:${m.safe_regex.regex})$`);
    return (s) => re.test(s);
  }
  return () => true;
}

export function decodeClientStatusRequest(buf: Buffer): ClientStatusQuery {
  requestType ??= messageType('envoy.service.status.v3.ClientStatusRequest');
  const m = requestType.decode(buf) as unknown as RawClientStatusRequest;
  return {
    nodeMatchers: (m.node_matchers ?? []).map((nm) => matcher(nm.node_id)),
    excludeResourceContents: m.exclude_resource_contents ?? false,
  };
}

function timestamp(iso: string): { seconds: number; nanos: number } {
  const ms = Date.parse(iso);
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

/** Builds the ClientStatusResponse for the clients a query selects. */
export function encodeClientStatusResponse(
  clients: readonly CsdsClient[],
  query: ClientStatusQuery,
  stateOf: (group: string) => Snapshot | undefined,
): Buffer {
  responseType ??= messageType('envoy.service.status.v3.ClientStatusResponse');
  const configs = clients
    .filter((c) => query.nodeMatchers.length === 0 || query.nodeMatchers.some((f) => f(c.node.id)))
    .map((c) => {
      const state = stateOf(c.status.group);
      const generic: Record<string, unknown>[] = [];
      for (const t of c.status.types) {
        const nacked = t.lastNack !== null && t.lastNack.version !== t.ackedVersion;
        const held = new Set<string>();
        for (const r of t.resources) {
          held.add(r.name);
          const entry = state?.types.get(t.typeUrl)?.resources.get(r.name);
          const withContent = !query.excludeResourceContents && entry && entry.wireVersion === r.version;
          generic.push({
            type_url: t.typeUrl,
            name: r.name,
            version_info: t.ackedVersion ?? '',
            ...(withContent ? { xds_config: { type_url: t.typeUrl, value: entry.bytes } } : {}),
            config_status: nacked ? 'ERROR' : 'SYNCED',
            client_status: nacked ? 'NACKED' : 'ACKED',
            ...(nacked
              ? {
                  error_state: {
                    details: t.lastNack!.message,
                    version_info: t.lastNack!.version,
                    last_update_attempt: timestamp(t.lastNack!.at),
                  },
                }
              : {}),
          });
        }
        for (const name of t.names) {
          if (held.has(name)) continue;
          const exists = state?.types.get(t.typeUrl)?.resources.has(name) ?? false;
          generic.push({
            type_url: t.typeUrl,
            name,
            config_status: 'NOT_SENT',
            client_status: exists ? 'REQUESTED' : 'DOES_NOT_EXIST',
          });
        }
      }
      return {
        node: {
          id: c.node.id,
          cluster: c.node.cluster,
          user_agent_name: c.node.userAgentName,
          user_agent_version: c.node.userAgentVersion,
          client_features: [...c.node.clientFeatures],
        },
        generic_xds_configs: generic,
      };
    });
  const msg = responseType.fromObject({ config: configs });
  return Buffer.from(responseType.encode(msg).finish());
}

const identity = (b: Buffer): Buffer => b;

export const CSDS_SERVICE_NAME = 'envoy.service.status.v3.ClientStatusDiscoveryService';

export const CSDS_SERVICE: grpc.ServiceDefinition = {
  FetchClientStatus: {
    path: `/${CSDS_SERVICE_NAME}/FetchClientStatus`,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: decodeClientStatusRequest,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: 'fetchClientStatus',
  },
  StreamClientStatus: {
    path: `/${CSDS_SERVICE_NAME}/StreamClientStatus`,
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: decodeClientStatusRequest,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: 'streamClientStatus',
  },
};
