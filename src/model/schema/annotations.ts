/**
 * Schema keywords of our own. They sit beside the JSON Schema keywords in each
 * TypeBox schema so one schema carries every rule; the CRD generator strips them
 * (App Mesh's CRDs express these rules in webhooks, not in the OpenAPI schema).
 */

/** Exactly one of these properties must be set (an App Mesh union). */
export const EXACTLY_ONE = 'x-amime-exactly-one';
/** At most one of these properties may be set. */
export const AT_MOST_ONE = 'x-amime-at-most-one';
/** At least one of these properties must be set. */
export const AT_LEAST_ONE = 'x-amime-at-least-one';
/** Marks a CRD field whose value is set by the system (meshRef, virtualGatewayRef). */
export const SYSTEM_POPULATED = 'x-amime-system-populated';
/** The App Mesh API default, for documentation and translation (never applied by the schema). */
export const API_DEFAULT = 'x-amime-api-default';
/** On a `{unit, value}` duration: the longest it may be, in milliseconds, whatever its unit. */
export const MAX_DURATION_MS_KEYWORD = 'x-amime-max-duration-ms';

export const OWN_KEYWORDS: readonly string[] = [
  EXACTLY_ONE,
  AT_MOST_ONE,
  AT_LEAST_ONE,
  SYSTEM_POPULATED,
  API_DEFAULT,
  MAX_DURATION_MS_KEYWORD,
];
