/** MatchIR → Envoy RouteMatch: path, header and query matchers. */
import type { HeaderCond, MatchIR, QueryCond } from '../ir/types.js';
import type { HeaderMatcher, QueryParameterMatcher, RouteMatch } from '../types.js';

function headerMatcher(h: HeaderCond): HeaderMatcher {
  const base: HeaderMatcher = { name: h.name };
  const m = h.match;
  if (!m) base.present_match = true;
  else if (m.exact !== undefined) base.string_match = { exact: m.exact };
  else if (m.prefix !== undefined) base.string_match = { prefix: m.prefix };
  else if (m.suffix !== undefined) base.string_match = { suffix: m.suffix };
  else if (m.regex !== undefined) base.string_match = { safe_regex: { regex: m.regex } };
  // App Mesh ranges are [start, end), as Envoy's.
  else if (m.range !== undefined) base.range_match = { start: m.range.start, end: m.range.end };
  else base.present_match = true;
  if (h.invert) base.invert_match = true;
  return base;
}

function queryMatcher(q: QueryCond): QueryParameterMatcher {
  return q.exact !== undefined
    ? { name: q.name, string_match: { exact: q.exact } }
    : { name: q.name, present_match: true };
}

export function routeMatch(ir: MatchIR): RouteMatch {
  const match: RouteMatch = {};
  if (ir.path.kind === 'prefix') match.prefix = ir.path.value;
  else if (ir.path.kind === 'exact') match.path = ir.path.value;
  else match.safe_regex = { regex: ir.path.value };
  if (ir.headers.length > 0) match.headers = ir.headers.map(headerMatcher);
  if (ir.query.length > 0) match.query_parameters = ir.query.map(queryMatcher);
  return match;
}
