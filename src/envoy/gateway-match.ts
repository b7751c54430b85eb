/**
 * Gateway route matches and rewrites, as path variants. App Mesh emits each rewritten
 * prefix twice, with and without its trailing `/` (`/api/`, then the prefix `/api`, so
 * `/apix` matches too and becomes `/x`), and rewrites the matched prefix to `/` unless
 * told otherwise (appmesh.md §4.5; S1 of appmesh-observed.md: `/foxpage-server/` then
 * `/foxpage-server`, both `prefix_rewrite: /`). A prefix that is kept gets no sibling
 * (S1: `/hot/` alone). Each variant records what the path becomes after the rewrite,
 * which is what the target service's routes then match.
 */
import type { ResolvedGatewayRoute } from '../mesh/index.js';
import { type MatchIR, type PathCond, type HeaderCond, type QueryCond, grpcPath } from './route-match.js';

export type PathRewrite =
  | { kind: 'identity' }
  /** Original `from + s` becomes `to + s`. */
  | { kind: 'prefix'; from: string; to: string }
  /** The whole path becomes `value`. */
  | { kind: 'const'; value: string };

export interface GatewayVariant {
  path: PathCond;
  rewrite: PathRewrite;
}

export interface GatewayMatch {
  variants: GatewayVariant[];
  headers: HeaderCond[];
  query: QueryCond[];
  /** Host rewrite to the target service name (defaultTargetHostname, on unless DISABLED). */
  rewriteHost: boolean;
  /** For ordering: the match as written. */
  ir: MatchIR;
}

/** RE2 source matching `text` literally. */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** `:authority` conditions: case-insensitive, with or without a port. */
function hostnameConds(h: { exact?: string; suffix?: string } | undefined): HeaderCond[] {
  if (h?.exact !== undefined)
    return [{ name: ':authority', match: { regex: `(?i)${escapeRegex(h.exact)}(:[0-9]+)?` } }];
  if (h?.suffix !== undefined)
    return [{ name: ':authority', match: { regex: `(?i).*${escapeRegex(h.suffix)}(:[0-9]+)?` } }];
  return [];
}

function prefixVariants(
  prefix: string,
  to: string | undefined,
  constPath: string | undefined,
): GatewayVariant[] {
  const rw = (from: string): PathRewrite => {
    if (constPath !== undefined) return { kind: 'const', value: constPath };
    if (to === undefined || to === from) return { kind: 'identity' };
    return { kind: 'prefix', from, to };
  };
  const base = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (base === '') return [{ path: { kind: 'prefix', value: '/' }, rewrite: rw('/') }];
  const main: GatewayVariant = { path: { kind: 'prefix', value: `${base}/` }, rewrite: rw(`${base}/`) };
  // Kept prefix: the request is not rewritten, and App Mesh emitted no sibling (S1: `/hot/`).
  if (main.rewrite.kind === 'identity' && constPath === undefined) return [main];
  return [main, { path: { kind: 'prefix', value: base }, rewrite: rw(base) }];
}

export function gatewayMatch(gr: ResolvedGatewayRoute): GatewayMatch {
  const spec = gr.resource.spec;
  const http = spec.httpRoute ?? spec.http2Route;
  if (http) {
    const m = http.match;
    const rw = http.action.rewrite;
    const constPath = rw?.path?.exact;
    const headers: HeaderCond[] = [
      ...hostnameConds(m.hostname),
      ...(m.headers ?? []).map((h) => ({
        name: h.name.toLowerCase(),
        ...(h.match ? { match: h.match } : {}),
        ...(h.invert ? { invert: true } : {}),
      })),
      ...(m.method ? [{ name: ':method', match: { exact: m.method } }] : []),
    ];
    const query: QueryCond[] = (m.queryParameters ?? []).map((q) =>
      q.match?.exact !== undefined ? { name: q.name, exact: q.match.exact } : { name: q.name },
    );
    let variants: GatewayVariant[];
    let path: PathCond;
    const constRw: PathRewrite =
      constPath !== undefined ? { kind: 'const', value: constPath } : { kind: 'identity' };
    if (m.prefix !== undefined) {
      const to = rw?.prefix?.value ?? (rw?.prefix?.defaultPrefix === 'DISABLED' ? undefined : '/');
      variants = prefixVariants(m.prefix, to, constPath);
      path = { kind: 'prefix', value: m.prefix };
    } else if (m.path?.exact !== undefined) {
      path = { kind: 'exact', value: m.path.exact };
      variants = [{ path, rewrite: constRw }];
    } else if (m.path?.regex !== undefined) {
      path = { kind: 'regex', value: m.path.regex };
      variants = [{ path, rewrite: constRw }];
    } else {
      path = { kind: 'prefix', value: '/' };
      variants = [{ path, rewrite: constRw }];
    }
    return {
      variants,
      headers,
      query,
      rewriteHost: rw?.hostname?.defaultTargetHostname !== 'DISABLED',
      ir: { path, headers, query },
    };
  }
  const g = spec.grpcRoute;
  const m = g?.match;
  const path = grpcPath(m?.serviceName, undefined);
  const headers: HeaderCond[] = [
    ...hostnameConds(m?.hostname),
    ...(m?.metadata ?? []).map((h) => ({
      name: h.name.toLowerCase(),
      ...(h.match ? { match: h.match } : {}),
      ...(h.invert ? { invert: true } : {}),
    })),
  ];
  return {
    variants: [{ path, rewrite: { kind: 'identity' } }],
    headers,
    query: [],
    rewriteHost: g?.action.rewrite?.hostname?.defaultTargetHostname !== 'DISABLED',
    ir: { path, headers, query: [] },
  };
}

/** The gateway route's `match.port`, if any. */
export function gatewayRoutePort(gr: ResolvedGatewayRoute): number | undefined {
  const s = gr.resource.spec;
  return (s.httpRoute ?? s.http2Route)?.match.port ?? s.grpcRoute?.match.port;
}
