/**
 * The ADS methods on the wire: requests decoded with protobufjs from the shared
 * Envoy root; responses are encoded by the SotW and delta servers (`frames.ts`)
 * and handed to gRPC as ready-made buffers, so a push shared by many streams is
 * encoded once.
 */
import type * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { messageType } from '../proto/index.js';
import type { NodeInfo } from './identity.js';

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

interface RawRequest {
  version_info?: string;
  node?: RawNode | null;
  resource_names?: string[];
  type_url?: string;
  response_nonce?: string;
  error_detail?: RawStatus | null;
}

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

let requestType: protobuf.Type | undefined;
let deltaRequestType: protobuf.Type | undefined;

/** DiscoveryRequest: arrives once per response per proxy (the ACKs), the hottest input. */
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
