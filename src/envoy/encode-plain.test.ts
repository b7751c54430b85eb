import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeMessage, XDS_KINDS, XDS_TYPE_NAME } from '../proto/index.js';
import { proxyGroups } from './groups.js';
import { translateGroupDetailed } from './translate.js';
import { encodePlain, markShared } from './encode-plain.js';
import { graphFromText, parseHeader } from './golden.testkit.js';

const inDir = fileURLToPath(new URL('./testdata/in', import.meta.url));

describe('encodePlain', () => {
  it('gives exactly encodeMessage bytes for every resource of every golden case', () => {
    let n = 0;
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
            n++;
          }
        }
      }
    }
    expect(n).toBeGreaterThan(1000);
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
    expect(Buffer.from(encodePlain(t, route)).equals(Buffer.from(encodeMessage(t, route)))).toBe(true);
    expect(Buffer.from(encodePlain(t, route)).equals(Buffer.from(encodeMessage(t, route)))).toBe(true);
  });
});
