/**
 * Listener health checks: the sidecar actively checks its local app on the ingress
 * cluster (http/http2 GET `path`, gRPC health protocol, tcp connect), with App Mesh's
 * thresholds; `port` defaults to the listener port.
 */
import type { HealthCheck as AppMeshHealthCheck } from '../model/index.js';
import type { HealthCheckIR } from './ir/types.js';

export interface HealthCheckSpec extends Omit<AppMeshHealthCheck, 'healthyThreshold'> {
  healthyThreshold?: number;
}

export function healthCheck(hc: HealthCheckSpec): HealthCheckIR {
  return {
    timeout: hc.timeoutMillis,
    interval: hc.intervalMillis,
    unhealthyThreshold: hc.unhealthyThreshold,
    // AWS requires healthyThreshold; the gateway CRD does not, so default to App Mesh's minimum.
    healthyThreshold: hc.healthyThreshold ?? 2,
    check:
      hc.protocol === 'grpc'
        ? { grpc: true }
        : hc.protocol === 'tcp'
          ? { tcp: true }
          : { http: { path: hc.path ?? '/', ...(hc.protocol === 'http2' ? { http2: true } : {}) } },
  };
}
