/**
 * The xDS resource types Amime serves, and the order in which changes are pushed.
 *
 * The order is make-before-break (xDS protocol, "eventual consistency
 * considerations"): clusters first, then their endpoints, then listeners, then
 * routes, so a route never names a cluster the proxy has not got yet.
 */
import { XDS_KINDS, XDS_TYPE_URL, type XdsKind } from '../proto/index.js';
/** The served types by message name; the URLs themselves are the proto stage's one table. */
export const TYPE_URL = {
  Cluster: XDS_TYPE_URL.clusters,
  ClusterLoadAssignment: XDS_TYPE_URL.endpoints,
  Listener: XDS_TYPE_URL.listeners,
  RouteConfiguration: XDS_TYPE_URL.routes,
  Secret: XDS_TYPE_URL.secrets,
} as const;

export type KnownTypeUrl = (typeof TYPE_URL)[keyof typeof TYPE_URL];

/** Push order (the proto stage's XDS_KINDS); type URLs not listed here come after these, sorted by name. */
export const PUSH_ORDER: readonly string[] = XDS_KINDS.map((k) => XDS_TYPE_URL[k]);

const SERVED = new Set<string>(PUSH_ORDER);

/** Whether Amime serves this type; others are answered as empty and not remembered. */
export function isServedType(typeUrl: string): boolean {
  return SERVED.has(typeUrl);
}

const SHORT_BY_KIND: Readonly<Record<XdsKind, string>> = {
  clusters: 'CDS',
  endpoints: 'EDS',
  listeners: 'LDS',
  routes: 'RDS',
  secrets: 'SDS',
};
const SHORT = new Map(XDS_KINDS.map((k) => [XDS_TYPE_URL[k], SHORT_BY_KIND[k]]));

/** `CDS`, `EDS`, ... for logs and metrics labels; `other` for any type not served, so labels stay few. */
export function shortTypeName(typeUrl: string): string {
  return SHORT.get(typeUrl) ?? 'other';
}

/** Position in the push order (unknown types last). */
export function pushRank(typeUrl: string): number {
  const i = PUSH_ORDER.indexOf(typeUrl);
  return i === -1 ? PUSH_ORDER.length : i;
}

/** Sorts type URLs into push order, unknown ones last and alphabetically. */
export function sortByPushOrder(typeUrls: Iterable<string>): string[] {
  return [...typeUrls].sort((a, b) => pushRank(a) - pushRank(b) || (a < b ? -1 : a > b ? 1 : 0));
}
