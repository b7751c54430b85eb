/**
 * Golden tests: each `testdata/in/<case>.yaml` (App Mesh manifests, with a header
 * naming the proxies to render and the inputs; see golden.testkit.ts) is translated
 * and compared with `testdata/out/<case>.yaml`, the resources as Envoy would show
 * them. Every generated resource must also pass checkResources (proto round trip,
 * PGV rules, references). `npm run golden:update` rewrites the outputs.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { formatDiagnostic } from '../model/index.js';
import { checkResources, formatCheckProblems } from './check/index.js';
import { parseGroupKey, proxyGroups } from './groups.js';
import { translateGroupDetailed } from './translate.js';
import { resourcesView } from './view.js';
import { graphFromText, parseHeader } from './golden.testkit.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const inDir = path.join(here, 'testdata', 'in');
const outDir = path.join(here, 'testdata', 'out');
const update = process.env['AMIME_UPDATE_GOLDEN'] === '1';
const cases = readdirSync(inDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function render(file: string): string {
  const text = readFileSync(path.join(inDir, file), 'utf8');
  const header = parseHeader(text);
  const { graph, diagnostics } = graphFromText(text, file);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!header.expectDiagnostics) expect(errors.map(formatDiagnostic)).toEqual([]);
  const groups = header.proxies.length > 0 ? header.proxies.map((p) => parseGroupKey(p)) : proxyGroups(graph);
  const out: Record<string, unknown> = {};
  for (const g of groups) {
    if (!g) throw new Error(`${file}: bad proxy id in header`);
    const t = translateGroupDetailed(graph, g, header.endpoints, header.options);
    const problems = checkResources(t.resources, { suppliedSecrets: t.caSecrets });
    expect(problems.length === 0 ? '' : formatCheckProblems(problems), `${file} ${g.key}`).toBe('');
    out[g.key] = {
      ...(t.warnings.length > 0 ? { warnings: t.warnings } : {}),
      ...(t.caSecrets.length > 0 ? { caSecrets: t.caSecrets } : {}),
      ...resourcesView(t.resources),
    };
  }
  const banner = `# Generated from ../in/${file} by src/envoy/golden.test.ts; run \`npm run golden:update\` to regenerate.\n`;
  return banner + YAML.stringify(out, { lineWidth: 0, aliasDuplicateObjects: false });
}

describe('golden translation', () => {
  it('has at least 40 cases, each with an output', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    if (!update) for (const c of cases) expect(existsSync(path.join(outDir, c)), c).toBe(true);
    const outputs = existsSync(outDir) ? readdirSync(outDir).filter((f) => f.endsWith('.yaml')) : [];
    for (const o of outputs) expect(cases, `orphan output ${o}`).toContain(o);
  });

  for (const file of cases) {
    it(file, () => {
      const actual = render(file);
      const target = path.join(outDir, file);
      if (update) {
        mkdirSync(outDir, { recursive: true });
        writeFileSync(target, actual);
        return;
      }
      expect(actual).toBe(readFileSync(target, 'utf8'));
    });
  }
});
