/** LimitsIR → circuit breakers: the DEFAULT priority's limits, and Envoy's high-priority defaults App Mesh kept (observed: 1024/1024/1024/3). */
import { markShared } from '../encode-plain.js';
import type { LimitsIR } from '../ir/types.js';
import type { CircuitBreakers } from '../types.js';

const UNLIMITED = 2147483647;
const built = new Map<string, CircuitBreakers>();

/** One (immutable, shared) object per distinct set of limits. */
export function circuitBreakers(limits: LimitsIR): CircuitBreakers {
  const key = `${limits.maxConnections}/${limits.maxPendingRequests}/${limits.maxRequests}`;
  let cb = built.get(key);
  if (!cb) {
    built.set(key, (cb = thresholds(limits)));
    markShared(cb);
  }
  return cb;
}

function thresholds(limits: LimitsIR): CircuitBreakers {
  return {
    thresholds: [
      {
        priority: 'DEFAULT',
        max_connections: { value: limits.maxConnections },
        max_pending_requests: { value: limits.maxPendingRequests },
        max_requests: { value: limits.maxRequests },
        max_retries: { value: UNLIMITED },
      },
      {
        priority: 'HIGH',
        max_connections: { value: 1024 },
        max_pending_requests: { value: 1024 },
        max_requests: { value: 1024 },
        max_retries: { value: 3 },
      },
    ],
  };
}
