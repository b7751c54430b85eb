import { describe, expect, it } from 'vitest';
import { compose, regexMatches, stripLiteralPrefix } from './gateway-compose.js';
import type { GatewayVariant } from './gateway-match.js';
import type { MatchIR } from './route-match.js';

const none = { headers: [], query: [] };
const svc = (kind: 'prefix' | 'exact' | 'regex', value: string): MatchIR => ({
  path: { kind, value },
  headers: [],
  query: [],
});
const rewritten: GatewayVariant = {
  path: { kind: 'prefix', value: '/api/' },
  rewrite: { kind: 'prefix', from: '/api/', to: '/' },
};
const identity: GatewayVariant = { path: { kind: 'prefix', value: '/api/' }, rewrite: { kind: 'identity' } };

describe('compose (gateway route × service route)', () => {
  it('moves service prefixes and exact paths under the gateway prefix, rewriting back', () => {
    expect(compose(rewritten, none, svc('prefix', '/users'))).toEqual({
      ok: { match: svc('prefix', '/api/users'), rewrite: { prefixRewrite: '/users' } },
    });
    expect(compose(rewritten, none, svc('exact', '/status'))).toEqual({
      ok: { match: svc('exact', '/api/status'), rewrite: { prefixRewrite: '/status' } },
    });
    expect(compose(rewritten, none, svc('prefix', '/'))).toEqual({
      ok: { match: svc('prefix', '/api/'), rewrite: { prefixRewrite: '/' } },
    });
  });

  it('decides service routes now when the rewritten path is a constant', () => {
    const exact: GatewayVariant = {
      path: { kind: 'exact', value: '/api' },
      rewrite: { kind: 'const', value: '/' },
    };
    expect(compose(exact, none, svc('prefix', '/users'))).toEqual({ never: true });
    expect(compose(exact, none, svc('prefix', '/'))).toEqual({
      ok: { match: svc('exact', '/api'), rewrite: { prefixRewrite: '/' } },
    });
    expect(compose(exact, none, svc('regex', '/v?'))).toEqual({
      ok: { match: svc('exact', '/api'), rewrite: { prefixRewrite: '/' } },
    });
  });

  it('keeps both conditions when nothing is rewritten, the second on :path', () => {
    expect(compose(identity, none, svc('prefix', '/api/v1/'))).toEqual({
      ok: { match: svc('prefix', '/api/v1/'), rewrite: {} },
    });
    expect(compose(identity, none, svc('prefix', '/other'))).toEqual({ never: true });
    expect(compose(identity, none, svc('regex', '.*\\.json'))).toEqual({
      ok: {
        match: {
          path: { kind: 'regex', value: '.*\\.json' },
          headers: [{ name: ':path', match: { prefix: '/api/' } }],
          query: [],
        },
        rewrite: {},
      },
    });
  });

  it('carries a regex over a prefix rewrite only when it starts with the rewritten prefix', () => {
    expect(compose(rewritten, none, svc('regex', '/v[0-9]+/x'))).toEqual({
      ok: {
        match: svc('regex', '/api/(?:v[0-9]+/x)'),
        rewrite: { regexRewrite: { pattern: '^/api/', substitution: '/' } },
      },
    });
    expect('unsupported' in compose(rewritten, none, svc('regex', '.*\\.json'))).toBe(true);
  });

  it('adds up header and query conditions of both sides', () => {
    const gw = { headers: [{ name: ':method', match: { exact: 'GET' } }], query: [{ name: 'q' }] };
    const service: MatchIR = { path: { kind: 'prefix', value: '/' }, headers: [{ name: 'x' }], query: [] };
    const c = compose(identity, gw, service);
    expect('ok' in c && c.ok.match).toEqual({
      path: { kind: 'prefix', value: '/api/' },
      headers: [{ name: ':method', match: { exact: 'GET' } }, { name: 'x' }],
      query: [{ name: 'q' }],
    });
  });
});

describe('regex helpers', () => {
  it('strips a literal prefix, plain or escaped, but not a quantified or class one', () => {
    expect(stripLiteralPrefix('/v[0-9]+', '/')).toBe('v[0-9]+');
    expect(stripLiteralPrefix('^\\/api\\/x', '/api/')).toBe('x');
    expect(stripLiteralPrefix('/a?b', '/a')).toBeUndefined();
    expect(stripLiteralPrefix('\\d+', '1')).toBeUndefined();
    expect(stripLiteralPrefix('/a|/b', '/')).toBeUndefined();
  });

  it('full-matches RE2 patterns against a path', () => {
    expect(regexMatches('/v[0-9]+', '/v12')).toBe(true);
    expect(regexMatches('/v[0-9]+', '/v12/x')).toBe(false);
    expect(regexMatches('(?P<n>a)b', 'ab')).toBe(true);
    expect(regexMatches('(', 'x')).toBeUndefined();
  });
});
