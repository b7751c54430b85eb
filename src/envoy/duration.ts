/** App Mesh durations (`{unit: s|ms, value}`) and millisecond counts as protobuf Durations. */
import type { Duration as AppMeshDuration } from '../model/index.js';
import type { Duration } from './types.js';

export type { Millis } from './ir/types.js';

export function durationFromMillis(ms: number): Duration {
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms - seconds * 1000) * 1_000_000;
  return nanos === 0 ? { seconds } : { seconds, nanos };
}

export function durationFromSeconds(s: number): Duration {
  return { seconds: s };
}

export function toMillis(d: AppMeshDuration): number {
  return d.unit === 's' ? d.value * 1000 : d.value;
}

export function fromAppMesh(d: AppMeshDuration): Duration {
  return durationFromMillis(toMillis(d));
}

/** App Mesh's invisible per-request timeout (appmesh.md §4.4). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
/** App Mesh's cluster connect timeout (observed). */
export const CONNECT_TIMEOUT_MS = 1_000;
