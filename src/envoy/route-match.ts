/**
 * Route matches. App Mesh matches (router routes, gateway routes) are brought to the
 * IR's neutral form, `MatchIR` (a path condition plus header and query conditions),
 * which the gateway composes with its target's routes (emit/route-match.ts writes it
 * as an Envoy RouteMatch). Method, scheme, gRPC metadata and gateway hostnames are
 * header conditions on pseudo-headers, as Envoy matches them.
 */
import type { GRPCRouteMatch, HTTPRouteMatch, MatchMethod } from '../model/index.js';
import type { HeaderCond, MatchIR, PathCond, QueryCond } from './ir/types.js';

export type { HeaderCond, MatchIR, PathCond, QueryCond } from './ir/types.js';

export const MATCH_ALL: MatchIR = { path: { kind: 'prefix', value: '/' }, headers: [], query: [] };

function queryConds(params: HTTPRouteMatch['queryParameters']): QueryCond[] {
  return (params ?? []).map((q) =>
    q.match?.exact !== undefined ? { name: q.name, exact: q.match.exact } : { name: q.name },
  );
}

function headerConds(
  headers: ReadonlyArray<{ name: string; match?: MatchMethod; invert?: boolean }> | undefined,
): HeaderCond[] {
  return (headers ?? []).map((h) => ({
    name: h.name.toLowerCase(),
    ...(h.match ? { match: h.match } : {}),
    ...(h.invert ? { invert: true } : {}),
  }));
}

/** A virtual router's http/http2 route match. */
export function httpMatchIR(m: HTTPRouteMatch): MatchIR {
  const path: PathCond =
    m.path?.exact !== undefined
      ? { kind: 'exact', value: m.path.exact }
      : m.path?.regex !== undefined
        ? { kind: 'regex', value: m.path.regex }
        : { kind: 'prefix', value: m.prefix ?? '/' };
  const headers = headerConds(m.headers);
  if (m.method) headers.push({ name: ':method', match: { exact: m.method } });
  if (m.scheme) headers.push({ name: ':scheme', match: { exact: m.scheme } });
  return { path, headers, query: queryConds(m.queryParameters) };
}

/** gRPC service/method as the HTTP/2 path: `/<service>/<method>` exactly, or the prefix `/<service>/`. */
export function grpcPath(serviceName: string | undefined, methodName: string | undefined): PathCond {
  if (serviceName && methodName) return { kind: 'exact', value: `/${serviceName}/${methodName}` };
  if (serviceName) return { kind: 'prefix', value: `/${serviceName}/` };
  return { kind: 'prefix', value: '/' };
}

/** A virtual router's gRPC route match; metadata entries are request headers. */
export function grpcMatchIR(m: GRPCRouteMatch): MatchIR {
  return { path: grpcPath(m.serviceName, m.methodName), headers: headerConds(m.metadata), query: [] };
}

/**
 * Sort key within one priority: exact paths first, then regexes, then longer
 * prefixes, then matches with more conditions (App Mesh routes are separate objects
 * with no declared order; this is the order it was observed to emit them).
 */
export function specificity(ir: MatchIR): [number, number, number] {
  const rank = ir.path.kind === 'exact' ? 0 : ir.path.kind === 'regex' ? 1 : 2;
  return [rank, -ir.path.value.length, -(ir.headers.length + ir.query.length)];
}

export function compareSpecificity(a: MatchIR, b: MatchIR): number {
  const ka = specificity(a);
  const kb = specificity(b);
  for (let i = 0; i < ka.length; i++) {
    const d = (ka[i] as number) - (kb[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}
