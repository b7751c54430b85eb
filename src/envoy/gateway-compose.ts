/**
 * Gateway route × target service route → one Envoy route matching the *original*
 * request. App Mesh sent gateway traffic back through the gateway's own egress
 * listener (127.0.0.1:15001), where the service's routes matched the *rewritten*
 * request. Amime routes directly, so it computes, for each pair, the condition on the
 * original path under which the rewritten path matches the service route:
 *
 * - rewritten to a constant: the service route's path condition is decided now;
 * - not rewritten: both conditions apply (the second as a `:path` header condition
 *   when both are not plain prefixes);
 * - prefix `A` rewritten to `V`: a service prefix/exact `Q` under `V` becomes `A` +
 *   the rest of `Q`; a service regex beginning with the literal `V` becomes `A` + the
 *   rest of the regex. Any other regex cannot be carried over; that pair is left out
 *   with a warning (the only case where direct routing could differ).
 *
 * Headers, query parameters and methods are not rewritten, so both sides' conditions
 * simply add up.
 */
import type { GatewayVariant } from './gateway-match.js';
import { escapeRegex } from './gateway-match.js';
import type { HeaderCond, MatchIR, PathCond } from './route-match.js';
import type { RouteActionIR } from './ir/types.js';

export interface Composed {
  match: MatchIR;
  rewrite: Pick<RouteActionIR, 'prefixRewrite' | 'regexRewrite'>;
}

export type ComposeResult = { ok: Composed } | { never: true } | { unsupported: string };

/** Full-match of an RE2 pattern against a known path, evaluated with JS RegExp (the common subset). */
export function regexMatches(pattern: string, text: string): boolean | undefined {
  try {
    return new RegExp(`^(?:${pattern.replace(/\(\?P</g, '(?<')})$`).test(text);
  } catch {
    return undefined;
  }
}

function pathMatches(cond: PathCond, path: string): boolean | undefined {
  if (cond.kind === 'prefix') return path.startsWith(cond.value);
  if (cond.kind === 'exact') return path === cond.value;
  return regexMatches(cond.value, path);
}

const SPECIAL = new Set(['\\', '^', '$', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|']);
const QUANTIFIER = new Set(['*', '+', '?', '{']);

/**
 * If `regex` starts with the literal `literal` (each character plain or escaped, none
 * quantified) and has no alternation, the rest of the regex; else undefined.
 */
export function stripLiteralPrefix(regex: string, literal: string): string | undefined {
  if (regex.includes('|')) return undefined;
  let i = regex.startsWith('^') ? 1 : 0;
  for (const ch of literal) {
    let token: string | undefined;
    if (regex[i] === '\\' && i + 1 < regex.length) {
      const next = regex[i + 1] as string;
      if (!SPECIAL.has(next) && next !== '/' && next !== '-') return undefined; // \d, \w, ...: a class, not a literal
      token = next;
      i += 2;
    } else {
      token = regex[i];
      if (token === undefined || SPECIAL.has(token)) return undefined;
      i += 1;
    }
    if (token !== ch) return undefined;
    if (i < regex.length && QUANTIFIER.has(regex[i] as string)) return undefined;
  }
  return regex.slice(i);
}

const pathHeader = (cond: PathCond): HeaderCond =>
  cond.kind === 'prefix'
    ? { name: ':path', match: { prefix: cond.value } }
    : {
        name: ':path',
        match: {
          regex: cond.kind === 'exact' ? `${escapeRegex(cond.value)}(\\?.*)?` : `(?:${cond.value})(\\?.*)?`,
        },
      };

function withPath(
  service: MatchIR,
  gw: { headers: HeaderCond[]; query: MatchIR['query'] },
  path: PathCond,
  extra: HeaderCond[] = [],
): MatchIR {
  return {
    path,
    headers: [...gw.headers, ...extra, ...service.headers],
    query: [...gw.query, ...service.query],
  };
}

export function compose(
  variant: GatewayVariant,
  gw: { headers: HeaderCond[]; query: MatchIR['query'] },
  service: MatchIR,
): ComposeResult {
  const g = variant.path;
  const s = service.path;
  const rw = variant.rewrite;

  // The path the service sees is known now.
  const known =
    rw.kind === 'const' ? rw.value : rw.kind === 'identity' && g.kind === 'exact' ? g.value : undefined;
  if (known !== undefined) {
    const hit = pathMatches(s, known);
    if (hit === undefined) return { unsupported: `regex ${s.value} cannot be evaluated` };
    if (!hit) return { never: true };
    const rewrite: Composed['rewrite'] = {};
    if (rw.kind === 'const' && !(g.kind === 'exact' && g.value === rw.value)) {
      if (g.kind === 'exact') rewrite.prefixRewrite = rw.value;
      else rewrite.regexRewrite = { pattern: '^.*$', substitution: rw.value };
    }
    return { ok: { match: withPath(service, gw, g), rewrite } };
  }

  if (rw.kind === 'identity') {
    if (g.kind === 'prefix' && g.value === '/')
      return { ok: { match: withPath(service, gw, s), rewrite: {} } };
    if (g.kind === 'prefix') {
      if (s.kind === 'prefix') {
        if (s.value.startsWith(g.value)) return { ok: { match: withPath(service, gw, s), rewrite: {} } };
        if (g.value.startsWith(s.value)) return { ok: { match: withPath(service, gw, g), rewrite: {} } };
        return { never: true };
      }
      if (s.kind === 'exact')
        return s.value.startsWith(g.value)
          ? { ok: { match: withPath(service, gw, s), rewrite: {} } }
          : { never: true };
      return { ok: { match: withPath(service, gw, s, [pathHeader(g)]), rewrite: {} } };
    }
    // Gateway regex, not rewritten.
    if (s.kind === 'prefix')
      return { ok: { match: withPath(service, gw, g, s.value === '/' ? [] : [pathHeader(s)]), rewrite: {} } };
    if (s.kind === 'exact') {
      const hit = regexMatches(g.value, s.value);
      if (hit === undefined) return { unsupported: `regex ${g.value} cannot be evaluated` };
      return hit ? { ok: { match: withPath(service, gw, s), rewrite: {} } } : { never: true };
    }
    return { ok: { match: withPath(service, gw, s, [pathHeader(g)]), rewrite: {} } };
  }

  // Prefix `from` (the gateway's prefix) rewritten to `to`.
  if (rw.kind !== 'prefix') return { unsupported: 'unreachable rewrite' };
  const { from, to } = rw;
  if (s.kind === 'prefix' || s.kind === 'exact') {
    if (s.value.startsWith(to)) {
      const path: PathCond = { kind: s.kind, value: from + s.value.slice(to.length) };
      return { ok: { match: withPath(service, gw, path), rewrite: { prefixRewrite: s.value } } };
    }
    if (s.kind === 'prefix' && to.startsWith(s.value))
      return { ok: { match: withPath(service, gw, g), rewrite: { prefixRewrite: to } } };
    return { never: true };
  }
  const rest = stripLiteralPrefix(s.value, to);
  if (rest === undefined)
    return { unsupported: `regex ${s.value} does not start with the rewritten prefix ${to}` };
  return {
    ok: {
      match: withPath(service, gw, { kind: 'regex', value: `${escapeRegex(from)}(?:${rest})` }),
      rewrite: { regexRewrite: { pattern: `^${escapeRegex(from)}`, substitution: to } },
    },
  };
}
