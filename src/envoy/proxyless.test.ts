/**
 * What a proxyless gRPC client does with our resources: each one goes through
 * @grpc/grpc-js-xds's own decoder and validator (the code that ACKs or NACKs a
 * DiscoveryResponse), for every proxyless group of every golden case.
 */
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XDS_KINDS, XDS_TYPE_URL, type XdsKind } from '../proto/index.js';
import { proxyGroups } from './groups.js';
import { encodeOne, translateGroupDetailed } from './translate.js';
import { graphFromText, parseHeader } from './golden.testkit.js';

interface Decoded {
  name: string;
  error?: string;
}
interface ResourceType {
  decode(context: object, resource: { type_url: string; value: Buffer }): Decoded;
}

const require = createRequire(import.meta.url);
// What a gRPC client does first: registers the xds resolver, load balancers and HTTP filters.
(require('@grpc/grpc-js-xds') as { register(): void }).register();
const load = (file: string, name: string): ResourceType =>
  (
    require(`@grpc/grpc-js-xds/build/src/xds-resource-type/${file}`) as Record<
      string,
      { get(): ResourceType }
    >
  )[name]?.get() as ResourceType;
const TYPES: Record<Exclude<XdsKind, 'secrets'>, ResourceType> = {
  listeners: load('listener-resource-type.js', 'ListenerResourceType'),
  routes: load('route-config-resource-type.js', 'RouteConfigurationResourceType'),
  clusters: load('cluster-resource-type.js', 'ClusterResourceType'),
  endpoints: load('endpoint-resource-type.js', 'EndpointResourceType'),
};
const context = { server: {}, bootstrap: { certificateProviders: {} } };
const inDir = fileURLToPath(new URL('./testdata/in', import.meta.url));

describe('proxyless resources in @grpc/grpc-js-xds', () => {
  it('are accepted by the client validators (no NACK), for every proxyless group of every golden case', () => {
    let checked = 0;
    for (const file of readdirSync(inDir).filter((f) => f.endsWith('.yaml'))) {
      const text = readFileSync(path.join(inDir, file), 'utf8');
      const header = parseHeader(text);
      const { graph } = graphFromText(text, file);
      for (const g of proxyGroups(graph).filter((x) => x.flavour === 'grpc')) {
        const res = translateGroupDetailed(graph, g, header.endpoints, header.options).resources;
        for (const kind of XDS_KINDS) {
          if (kind === 'secrets') {
            expect(res.secrets, `${file} ${g.key}`).toEqual([]);
            continue;
          }
          for (const r of res[kind]) {
            const decoded = TYPES[kind].decode(context, {
              type_url: XDS_TYPE_URL[kind],
              value: Buffer.from(encodeOne(kind, r)),
            });
            expect(decoded.error, `${file} ${g.key} ${kind} ${decoded.name}`).toBeUndefined();
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});
