/**
 * Connection pools as circuit breakers. App Mesh leaves every limit at 2147483647
 * (off) unless a listener sets a `connectionPool` (appmesh.md §4.4), and it keeps
 * Envoy's high-priority defaults (observed: 1024/1024/1024/3).
 */
import { markShared } from './encode-plain.js';
import type { CircuitBreakers } from './types.js';

export const UNLIMITED = 2147483647;

/** The union of App Mesh's listener pools (virtual node and virtual gateway). */
export interface ConnectionPool {
  tcp?: { maxConnections: number };
  http?: { maxConnections: number; maxPendingRequests?: number };
  http2?: { maxRequests: number };
  grpc?: { maxRequests: number };
}

export interface Limits {
  maxConnections: number;
  maxPendingRequests: number;
  maxRequests: number;
}

export const NO_LIMITS: Limits = {
  maxConnections: UNLIMITED,
  maxPendingRequests: UNLIMITED,
  maxRequests: UNLIMITED,
};

export function poolLimits(pool: ConnectionPool | undefined): Limits {
  if (!pool) return NO_LIMITS;
  if (pool.tcp) return { ...NO_LIMITS, maxConnections: pool.tcp.maxConnections };
  if (pool.http)
    return {
      ...NO_LIMITS,
      maxConnections: pool.http.maxConnections,
      maxPendingRequests: pool.http.maxPendingRequests ?? UNLIMITED,
    };
  const requests = pool.http2?.maxRequests ?? pool.grpc?.maxRequests;
  return requests !== undefined ? { ...NO_LIMITS, maxRequests: requests } : NO_LIMITS;
}

/** Each limit the smaller of the two (a cluster reached through two pools obeys both). */
export function tighter(a: Limits, b: Limits): Limits {
  return {
    maxConnections: Math.min(a.maxConnections, b.maxConnections),
    maxPendingRequests: Math.min(a.maxPendingRequests, b.maxPendingRequests),
    maxRequests: Math.min(a.maxRequests, b.maxRequests),
  };
}

const built = new Map<string, CircuitBreakers>();

/** The thresholds for `limits`; one (immutable, shared) object per distinct set of limits. */
export function circuitBreakers(limits: Limits = NO_LIMITS): CircuitBreakers {
  const key = `${limits.maxConnections}/${limits.maxPendingRequests}/${limits.maxRequests}`;
  let cb = built.get(key);
  if (!cb) {
    built.set(key, (cb = thresholds(limits)));
    markShared(cb);
  }
  return cb;
}

function thresholds(limits: Limits): CircuitBreakers {
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
