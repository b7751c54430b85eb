/**
 * Connection pools as circuit breaker limits. App Mesh leaves every limit at 2147483647
 * (off) unless a listener sets a `connectionPool` (appmesh.md §4.4); emit/circuit-breakers.ts
 * writes them with Envoy's high-priority defaults, which App Mesh kept.
 */
import type { LimitsIR } from './ir/types.js';

export const UNLIMITED = 2147483647;

/** The union of App Mesh's listener pools (virtual node and virtual gateway). */
export interface ConnectionPool {
  tcp?: { maxConnections: number };
  http?: { maxConnections: number; maxPendingRequests?: number };
  http2?: { maxRequests: number };
  grpc?: { maxRequests: number };
}

export type Limits = LimitsIR;

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
