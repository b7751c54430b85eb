/**
 * Listener health checks: the sidecar actively checks its local app on the ingress
 * cluster (http/http2 GET `path`, gRPC health protocol, tcp connect), with App Mesh's
 * thresholds; `port` defaults to the listener port.
 */
import type { HealthCheck as AppMeshHealthCheck } from '../model/index.js';
import { durationFromMillis } from './duration.js';
import type { HealthCheck } from './types.js';

export interface HealthCheckSpec extends Omit<AppMeshHealthCheck, 'healthyThreshold'> {
  healthyThreshold?: number;
}

export function healthCheck(hc: HealthCheckSpec): HealthCheck {
  const base: HealthCheck = {
    timeout: durationFromMillis(hc.timeoutMillis),
    interval: durationFromMillis(hc.intervalMillis),
    unhealthy_threshold: { value: hc.unhealthyThreshold },
    // AWS requires healthyThreshold; the gateway CRD does not, so default to App Mesh's minimum.
    healthy_threshold: { value: hc.healthyThreshold ?? 2 },
  };
  switch (hc.protocol) {
    case 'http':
      return { ...base, http_health_check: { path: hc.path ?? '/' } };
    case 'http2':
      return { ...base, http_health_check: { path: hc.path ?? '/', codec_client_type: 'HTTP2' } };
    case 'grpc':
      return { ...base, grpc_health_check: {} };
    case 'tcp':
      return { ...base, tcp_health_check: {} };
  }
}
