/**
 * Test helpers: an App Mesh manifest text → mesh graph, and the golden-case header
 * (`# proxy: …`, `# options: {…}`, `# endpoints: {…}`, `# resolve: {…}`, `# acm: {…}`,
 * `# expect-diagnostics: true`) → translation inputs.
 */
import { loadText } from '../load/index.js';
import { validateLoaded, type MeshGraph } from '../mesh/index.js';
import type { Diagnostic } from '../model/index.js';
import { staticEndpoints, type Endpoint, type EndpointSource } from './endpoints.js';
import type { AcmSource, TranslateOptions } from './options.js';

export function graphFromText(
  text: string,
  file = '<test>',
): { graph: MeshGraph; diagnostics: Diagnostic[] } {
  return validateLoaded(loadText(text, file));
}

export interface GoldenHeader {
  proxies: string[];
  options: TranslateOptions;
  endpoints: EndpointSource;
  expectDiagnostics: boolean;
}

interface AcmTables {
  certificates?: Record<string, { certificateChain: string; privateKey: string }>;
  authorities?: Record<string, string>;
}

export function acmFromTables(t: AcmTables): AcmSource {
  return { certificate: (arn) => t.certificates?.[arn], certificateAuthority: (arn) => t.authorities?.[arn] };
}

export function parseHeader(text: string): GoldenHeader {
  const header: GoldenHeader = {
    proxies: [],
    options: {},
    endpoints: staticEndpoints({}),
    expectDiagnostics: false,
  };
  let byNode: Record<string, Endpoint[]> = {};
  let byHost: Record<string, string[]> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const m = /^#\s*([a-z-]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    switch (key) {
      case 'proxy':
        header.proxies.push(value.trim());
        break;
      case 'options':
        header.options = { ...header.options, ...(JSON.parse(value) as TranslateOptions) };
        break;
      case 'endpoints':
        byNode = JSON.parse(value) as Record<string, Endpoint[]>;
        break;
      case 'resolve':
        byHost = JSON.parse(value) as Record<string, string[]>;
        break;
      case 'acm':
        header.options = { ...header.options, acm: acmFromTables(JSON.parse(value) as AcmTables) };
        break;
      case 'expect-diagnostics':
        header.expectDiagnostics = value.trim() === 'true';
        break;
    }
  }
  header.endpoints = staticEndpoints(byNode, byHost);
  return header;
}
