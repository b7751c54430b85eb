/** HealthCheckIR → Envoy health check. */
import { durationFromMillis } from '../duration.js';
import type { HealthCheckIR } from '../ir/types.js';
import type { HealthCheck } from '../types.js';

export function healthCheck(hc: HealthCheckIR): HealthCheck {
  const base: HealthCheck = {
    timeout: durationFromMillis(hc.timeout),
    interval: durationFromMillis(hc.interval),
    unhealthy_threshold: { value: hc.unhealthyThreshold },
    healthy_threshold: { value: hc.healthyThreshold },
  };
  const c = hc.check;
  if ('http' in c)
    return {
      ...base,
      http_health_check: {
        path: c.http.path,
        ...(c.http.http2 ? { codec_client_type: 'HTTP2' as const } : {}),
      },
    };
  if ('grpc' in c) return { ...base, grpc_health_check: {} };
  return { ...base, tcp_health_check: {} };
}
