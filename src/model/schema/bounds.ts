/**
 * The largest numbers a field may hold, where App Mesh's API sets none but Envoy or
 * JavaScript cannot hold more (issue 14 item 5). A value past one of these would pass
 * validation and then fail translation for every proxy using it, so it is refused at
 * write time instead, naming the field. Each is listed, with its reason, in the CRD
 * comparison (src/model/crd/appmesh-diff.test.ts).
 */

/** Envoy keeps durations as signed 64-bit nanoseconds: at most 9,223,372,036 s (292 years). */
export const MAX_DURATION_SECONDS = 9_223_372_036;
export const MAX_DURATION_MS = 9_223_372_036_854;

/** Envoy's counters here are `UInt32Value` (retries, consecutive 5xx, circuit breakers). */
export const MAX_UINT32 = 4_294_967_295;

/** App Mesh's API types these as `integer`, a signed 32-bit number (botocore appmesh 2019-01-25). */
export const MAX_INT32 = 2_147_483_647;

/** Beyond this a JSON number is no longer an exact integer in JavaScript. */
export const MAX_EXACT_INTEGER = Number.MAX_SAFE_INTEGER;
