import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ByteParts, encodeMessage, joinBytes, XDS_KINDS, XDS_TYPE_NAME } from '../proto/index.js';
import { proxyGroups } from './groups.js';
import { translateGroupDetailed } from './translate.js';
import { encodePlain, encodePlainParts, markShared } from './encode-plain.js';
import { graphFromText, parseHeader } from './golden.testkit.js';

const inDir = fileURLToPath(new URL('./testdata/in', import.meta.url));

describe('encodePlain', () => {
  it('gives exactly encodeMessage bytes for every resource of every golden case, whole and in parts', () => {
    let n = 0;
    let spliced = 0;
    const memo = new Map<string, unknown>();
    for (const file of readdirSync(inDir).filter((f) => f.endsWith('.yaml'))) {
      const text = readFileSync(path.join(inDir, file), 'utf8');
      const header = parseHeader(text);
      const { graph } = graphFromText(text, file);
      for (const g of proxyGroups(graph)) {
        const res = translateGroupDetailed(graph, g, header.endpoints, header.options, {
          units: memo,
        }).resources;
        for (const kind of XDS_KINDS) {
          for (const r of res[kind]) {
            const type = XDS_TYPE_NAME[kind];
            const plain = Buffer.from(encodePlain(type, r));
            // Twice: the second time shared sub-messages come from the cache.
            expect(plain.equals(Buffer.from(encodePlain(type, r))), `${file} ${g.key} ${kind}`).toBe(true);
            expect(plain.equals(Buffer.from(encodeMessage(type, r))), `${file} ${g.key} ${kind}`).toBe(true);
            const parts = encodePlainParts(type, r);
            expect(Buffer.from(joinBytes(parts)).equals(plain), `${file} ${g.key} ${kind} in parts`).toBe(
              true,
            );
            if (parts instanceof ByteParts) spliced++;
            n++;
          }
        }
      }
    }
    expect(n).toBeGreaterThan(1000);
    // Route configurations of callers hold their services' shared virtual hosts.
    expect(spliced).toBeGreaterThan(10);
  });

  it('leaves the shared sub-messages a message holds directly out of its own bytes, and copies small ones', () => {
    const t = 'envoy.config.route.v3.RouteConfiguration';
    const big = { name: 'big', domains: ['a'.repeat(300)] };
    const small = { name: 'small', domains: ['b'] };
    const own = { name: 'own', domains: ['c'.repeat(300)] };
    markShared([big, small]);
    const rc = { name: 'rds', virtual_hosts: [small, big, own, big] };
    const parts = encodePlainParts(t, rc);
    if (!(parts instanceof ByteParts)) throw new Error('expected parts');
    const bigBytes = encodePlain('envoy.config.route.v3.VirtualHost', big);
    // Own bytes (name, the small host, the big one's tag and length), the big host, …
    expect(parts.parts.map((p) => p === bigBytes || Buffer.from(p).equals(Buffer.from(bigBytes)))).toEqual([
      false,
      true,
      false,
      true,
    ]);
    expect(parts.parts[1]).toBe(parts.parts[3]);
    expect(Buffer.from(joinBytes(parts)).equals(Buffer.from(encodeMessage(t, rc)))).toBe(true);
    // Nothing shared: one array.
    expect(encodePlainParts(t, { name: 'x', virtual_hosts: [own] })).toBeInstanceOf(Uint8Array);
  });

  it('writes set defaults, packed scalars, sorted map keys and enums given by name or number', () => {
    const type = 'envoy.config.cluster.v3.Cluster';
    const cluster = {
      name: 'c',
      type: 'EDS',
      lb_policy: 2,
      connect_timeout: { seconds: 0, nanos: 0 },
      typed_extension_protocol_options: {
        z: { type_url: 'type.googleapis.com/x', value: new Uint8Array([1]) },
        a: { type_url: 'type.googleapis.com/y', value: new Uint8Array() },
      },
      respect_dns_ttl: false,
    };
    expect(Buffer.from(encodePlain(type, cluster)).equals(Buffer.from(encodeMessage(type, cluster)))).toBe(
      true,
    );
    const route = {
      name: 'r',
      match: { prefix: '/' },
      route: { cluster: 'c', retry_policy: { retry_on: '5xx', retriable_status_codes: [409, 503] } },
    };
    markShared(route.match);
    const t = 'envoy.config.route.v3.Route';
    // Keys in any order, unknown keys and unset fields: written in field-number order, the rest left out.
    const shuffled = {
      route: route.route,
      extra: 1,
      decorator: undefined,
      match: route.match,
      name: 'r',
      metadata: null,
    };
    expect(Buffer.from(encodePlain(t, shuffled)).equals(Buffer.from(encodeMessage(t, route)))).toBe(true);
    expect(Buffer.from(encodePlain(t, route)).equals(Buffer.from(encodeMessage(t, route)))).toBe(true);
    expect(Buffer.from(encodePlain(t, route)).equals(Buffer.from(encodeMessage(t, route)))).toBe(true);
  });

  it('writes objects of one type whose keys come in many orders, and set or unset, alike', () => {
    const t = 'envoy.config.route.v3.Route';
    const fields: Record<string, unknown> = {
      name: 'r',
      match: { prefix: '/p' },
      route: { cluster: 'c', timeout: { seconds: 3, nanos: 0 } },
      decorator: { operation: 'op' },
      typed_per_filter_config: {},
      stat_prefix: 'sp',
    };
    const names = Object.keys(fields);
    // More orders than the encoder keeps per type, each twice (the second from its kept order),
    // and each with one field set to null or undefined in the second pass.
    for (let pass = 0; pass < 2; pass++) {
      for (let rot = 0; rot < names.length; rot++) {
        for (const reversed of [false, true]) {
          const order = [...names.slice(rot), ...names.slice(0, rot)];
          if (reversed) order.reverse();
          const obj: Record<string, unknown> = {};
          for (const k of order) obj[k] = fields[k];
          if (pass === 1) obj[order[rot % order.length]!] = rot % 2 === 0 ? null : undefined;
          const expected: Record<string, unknown> = {};
          for (const k of names) if (obj[k] !== null && obj[k] !== undefined) expected[k] = obj[k];
          expect(
            Buffer.from(encodePlain(t, obj)).equals(Buffer.from(encodeMessage(t, expected))),
            `${order.join(',')} pass ${pass}`,
          ).toBe(true);
        }
      }
    }
  });

  it('encodes a message larger than the writer keeps, and the ones after it, alike', () => {
    const t = 'envoy.config.route.v3.RouteConfiguration';
    const hosts = Array.from({ length: 50 }, (_, i) => ({ name: `h${i}`, domains: ['d'.repeat(100_000)] }));
    const big = { name: 'big', virtual_hosts: hosts };
    const small = { name: 'small', virtual_hosts: [{ name: 'h', domains: ['x'] }] };
    for (const rc of [big, small, big, small])
      expect(Buffer.from(encodePlain(t, rc)).equals(Buffer.from(encodeMessage(t, rc)))).toBe(true);
  });
});
