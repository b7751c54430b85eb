/**
 * Wire codec for the ADS methods. Requests are small and decoded with protobufjs
 * from the shared Envoy root; responses are assembled from stored bytes (see
 * `snapshot-cache.ts`) and handed to gRPC as ready-made buffers, so the per-stream
 * cost of a push is writing a nonce, not encoding resources.
 */
import type * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { messageType } from '../proto/index.js';
import type { NodeInfo } from './identity.js';
import { lenFieldSize, readVarint, skipField, stringField, writeLenHeader } from './wire.js';
import type { Entry } from './snapshot-cache.js';

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
  user_agent_build_version?: {
    version?: { major_number?: number; minor_number?: number; patch?: number };
  } | null;
  client_features?: string[];
}
interface RawStatus {
  code?: number;
  message?: string;
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

let nodeType: protobuf.Type | undefined;

function decodeNode(bytes: Buffer): NodeInfo | null {
  nodeType ??= messageType('envoy.config.core.v3.Node');
  return nodeInfo(nodeType.decode(bytes) as unknown as RawNode);
}

/** google.rpc.Status { code = 1; message = 2 } (details ignored). */
function decodeStatus(buf: Buffer, start: number, end: number): ErrorDetail {
  let code = 0;
  let message = '';
  let off = start;
  while (off < end) {
    const [tag, a] = readVarint(buf, off);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) {
      const [v, b] = readVarint(buf, a);
      if (field === 1) code = v > 0x7fffffff ? v - 2 ** 64 : v;
      off = b;
    } else if (wire === 2) {
      const [len, b] = readVarint(buf, a);
      if (field === 2) message = buf.toString('utf8', b, b + len);
      off = b + len;
    } else off = skipField(wire, a);
  }
  return { code, message };
}

/**
 * DiscoveryRequest, decoded by hand: it arrives once per response per proxy (the
 * ACKs), so it is the hottest input. Only `node` goes through protobufjs, and only
 * when present (usually on the first request of a stream).
 */
export function decodeDiscoveryRequest(buf: Buffer): DiscoveryRequestMsg {
  let versionInfo = '';
  let node: NodeInfo | null = null;
  const resourceNames: string[] = [];
  let typeUrl = '';
  let responseNonce = '';
  let errorDetail: ErrorDetail | null = null;
  let off = 0;
  while (off < buf.length) {
    const [tag, a] = readVarint(buf, off);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 2) {
      const [len, start] = readVarint(buf, a);
      const end = start + len;
      if (end > buf.length) throw new Error('truncated field');
      switch (field) {
        case 1:
          versionInfo = buf.toString('utf8', start, end);
          break;
        case 2:
          node = decodeNode(buf.subarray(start, end));
          break;
        case 3:
          resourceNames.push(buf.toString('utf8', start, end));
          break;
        case 4:
          typeUrl = buf.toString('utf8', start, end);
          break;
        case 5:
          responseNonce = buf.toString('utf8', start, end);
          break;
        case 6:
          errorDetail = decodeStatus(buf, start, end);
          break;
        default: // resource_locators (7) and future fields
      }
      off = end;
    } else if (wire === 0) off = readVarint(buf, a)[1];
    else off = skipField(wire, a);
  }
  return { versionInfo, node, resourceNames, typeUrl, responseNonce, errorDetail };
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
    const inner =
      lenFieldSize(1, version.length) + lenFieldSize(2, e.anyLength) + lenFieldSize(3, name.length);
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

let responseType: protobuf.Type | undefined;

/** A DiscoveryResponse without resources (for types Amime does not serve). */
export function encodeEmptySotwResponse(typeUrl: string, version: string, nonce: string): Buffer {
  responseType ??= messageType('envoy.service.discovery.v3.DiscoveryResponse');
  return Buffer.from(
    responseType
      .encode(responseType.fromObject({ version_info: version, type_url: typeUrl, nonce }))
      .finish(),
  );
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
