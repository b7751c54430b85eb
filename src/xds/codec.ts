/**
 * Wire codec for the ADS methods. Requests are small and decoded with protobufjs
 * from the shared Envoy root; responses are assembled from stored bytes (see
 * `snapshot-cache.ts`) and handed to gRPC as ready-made buffers, so the per-stream
 * cost of a push is writing a nonce, not encoding resources.
 */
import type * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { messageType } from '../envoy/proto/root.js';
import type { NodeInfo } from './identity.js';
import { lenFieldSize, stringField, writeLenHeader } from './wire.js';
import type { Entry, SotwBody } from './snapshot-cache.js';

export interface ErrorDetail {
  readonly code: number;
  readonly message: string;
}

export interface DiscoveryRequestMsg {
  readonly versionInfo: string;
  readonly node: NodeInfo | null;
  readonly resourceNames: readonly string[];
  readonly typeUrl: string;
  readonly responseNonce: string;
  readonly errorDetail: ErrorDetail | null;
}

export interface DeltaDiscoveryRequestMsg {
  readonly node: NodeInfo | null;
  readonly typeUrl: string;
  readonly subscribe: readonly string[];
  readonly unsubscribe: readonly string[];
  readonly initialResourceVersions: ReadonlyMap<string, string>;
  readonly responseNonce: string;
  readonly errorDetail: ErrorDetail | null;
}

// Shapes of the protobufjs-decoded messages (keepCase field names).
interface RawNode {
  id?: string;
  cluster?: string;
  user_agent_name?: string;
  user_agent_version?: string;
  user_agent_build_version?: { version?: { major_number?: number; minor_number?: number; patch?: number } } | null;
  client_features?: string[];
}
interface RawStatus {
  code?: number;
  message?: string;
}
interface RawRequest {
  version_info?: string;
  node?: RawNode | null;
  resource_names?: string[];
  type_url?: string;
  response_nonce?: string;
  error_detail?: RawStatus | null;
}
interface RawDeltaRequest {
  node?: RawNode | null;
  type_url?: string;
  resource_names_subscribe?: string[];
  resource_names_unsubscribe?: string[];
  initial_resource_versions?: Record<string, string>;
  response_nonce?: string;
  error_detail?: RawStatus | null;
}

let requestType: protobuf.Type | undefined;
let deltaRequestType: protobuf.Type | undefined;

function nodeInfo(n: RawNode | null | undefined): NodeInfo | null {
  if (!n) return null;
  const bv = n.user_agent_build_version?.version;
  const buildVersion = bv ? `${bv.major_number ?? 0}.${bv.minor_number ?? 0}.${bv.patch ?? 0}` : '';
  return {
    id: n.id ?? '',
    cluster: n.cluster ?? '',
    userAgentName: n.user_agent_name ?? '',
    userAgentVersion: n.user_agent_version || buildVersion,
    clientFeatures: n.client_features ?? [],
  };
}

function errorDetail(s: RawStatus | null | undefined): ErrorDetail | null {
  if (!s) return null;
  return { code: s.code ?? 0, message: s.message ?? '' };
}

export function decodeDiscoveryRequest(buf: Buffer): DiscoveryRequestMsg {
  requestType ??= messageType('envoy.service.discovery.v3.DiscoveryRequest');
  const m = requestType.decode(buf) as unknown as RawRequest;
  return {
    versionInfo: m.version_info ?? '',
    node: nodeInfo(m.node),
    resourceNames: m.resource_names ?? [],
    typeUrl: m.type_url ?? '',
    responseNonce: m.response_nonce ?? '',
    errorDetail: errorDetail(m.error_detail),
  };
}

export function decodeDeltaDiscoveryRequest(buf: Buffer): DeltaDiscoveryRequestMsg {
  deltaRequestType ??= messageType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
  const m = deltaRequestType.decode(buf) as unknown as RawDeltaRequest;
  return {
    node: nodeInfo(m.node),
    typeUrl: m.type_url ?? '',
    subscribe: m.resource_names_subscribe ?? [],
    unsubscribe: m.resource_names_unsubscribe ?? [],
    initialResourceVersions: new Map(Object.entries(m.initial_resource_versions ?? {})),
    responseNonce: m.response_nonce ?? '',
    errorDetail: errorDetail(m.error_detail),
  };
}

/** DiscoveryResponse = the shared body (version, type, resources) + this stream's nonce (field 5). */
export function encodeSotwResponse(body: SotwBody, nonce: string): Buffer {
  return Buffer.concat([body.buf, stringField(5, nonce)]);
}

/**
 * DeltaDiscoveryResponse { system_version_info = 1; resources = 2 (Resource);
 * type_url = 4; nonce = 5; removed_resources = 6 }, with each
 * Resource { version = 1; resource = 2 (Any); name = 3 } built around stored bytes.
 */
export function encodeDeltaResponse(
  typeUrl: string,
  systemVersion: string,
  nonce: string,
  upserts: readonly Entry[],
  removed: readonly string[],
): Buffer {
  const versionField = stringField(1, systemVersion);
  const tail = [stringField(4, typeUrl), stringField(5, nonce), ...removed.map((n) => stringField(6, n))];
  const perResource = upserts.map((e) => {
    const name = Buffer.from(e.name, 'utf8');
    const version = Buffer.from(e.wireVersion, 'utf8');
    const inner = lenFieldSize(1, version.length) + lenFieldSize(2, e.anyLength) + lenFieldSize(3, name.length);
    return { e, name, version, inner };
  });
  let size = versionField.length;
  for (const f of tail) size += f.length;
  for (const r of perResource) size += lenFieldSize(2, r.inner);
  // Fields in number order, as protobuf encoders write them.
  const out = Buffer.allocUnsafe(size);
  let off = versionField.copy(out, 0);
  for (const r of perResource) {
    off = writeLenHeader(out, off, 2, r.inner);
    off = writeLenHeader(out, off, 1, r.version.length);
    off += r.version.copy(out, off);
    off = writeLenHeader(out, off, 2, r.e.anyLength);
    off += r.e.head.copy(out, off, r.e.anyOffset);
    out.set(r.e.bytes, off);
    off += r.e.bytes.length;
    off = writeLenHeader(out, off, 3, r.name.length);
    off += r.name.copy(out, off);
  }
  for (const f of tail) off += f.copy(out, off);
  if (off !== size) throw new Error(`encodeDeltaResponse: wrote ${off} of ${size} bytes`);
  return out;
}

const identity = (b: Buffer): Buffer => b;

export const ADS_SERVICE_NAME = 'envoy.service.discovery.v3.AggregatedDiscoveryService';

/**
 * The ADS service with raw-bytes responses. Built by hand rather than through
 * proto-loader so that responses can be pre-encoded buffers.
 */
export const ADS_SERVICE: grpc.ServiceDefinition = {
  StreamAggregatedResources: {
    path: `/${ADS_SERVICE_NAME}/StreamAggregatedResources`,
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: decodeDiscoveryRequest,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: 'streamAggregatedResources',
  },
  DeltaAggregatedResources: {
    path: `/${ADS_SERVICE_NAME}/DeltaAggregatedResources`,
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: decodeDeltaDiscoveryRequest,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: 'deltaAggregatedResources',
  },
};
