/** The ADS method as raw bytes both ways: what the bench's floors and load clients speak. */
import type { ServiceDefinition } from '@grpc/grpc-js';

export const ADS_PATH = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';

export const raw = (b: Buffer): Buffer => b;

export const RAW_ADS_SERVICE: ServiceDefinition = {
  StreamAggregatedResources: {
    path: ADS_PATH,
    requestStream: true,
    responseStream: true,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: raw,
    responseDeserialize: raw,
  },
};
