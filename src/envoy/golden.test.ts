/**
 * Golden tests, in two halves. YAML → IR: each `testdata/in/<case>.yaml` (App Mesh
 * manifests, with a header naming the proxies to render and the inputs; see
 * golden.testkit.ts) is translated; its IR is compared with `testdata/ir/<case>.yaml`
 * and its resources, as Envoy would show them, with `testdata/out/<case>.yaml`. IR →
 * Envoy: what `emit` makes of the IR read back from `testdata/ir` is what
 * `testdata/out` holds. Every generated resource must also pass checkResources (proto
 * round trip, PGV rules, references). `npm run golden:update` rewrites both.
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
import { cmp } from './context.js';
import { emitGroup } from './emit/group.js';
import { XDS_KINDS } from '../proto/index.js';
import type { GroupIR } from './ir/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const inDir = path.join(here, 'testdata', 'in');
const outDir = path.join(here, 'testdata', 'out');
const irDir = path.join(here, 'testdata', 'ir');
const update = process.env['AMIME_UPDATE_GOLDEN'] === '1';
const cases = readdirSync(inDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

const yaml = (value: unknown): string =>
  YAML.stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
const banner = (file: string): string =>
  `# Generated from ../in/${file} by src/envoy/golden.test.ts; run \`npm run golden:update\` to regenerate.\n`;

/** The IR as the golden shows it: each collection sorted by name (as the Envoy view is). */
function irView(ir: GroupIR): GroupIR {
  const byName = <T extends { name: string }>(xs: T[]): T[] => [...xs].sort((a, b) => cmp(a.name, b.name));
  return {
    listeners: byName(ir.listeners),
    routeConfigs: byName(ir.routeConfigs),
    clusters: byName(ir.clusters),
    assignments: [...ir.assignments].sort((a, b) => cmp(a.clusterName, b.clusterName)),
    secrets: byName(ir.secrets),
  };
}

function render(file: string): { out: string; ir: string } {
  const text = readFileSync(path.join(inDir, file), 'utf8');
  const header = parseHeader(text);
  const { graph, diagnostics } = graphFromText(text, file);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!header.expectDiagnostics) expect(errors.map(formatDiagnostic)).toEqual([]);
  const groups = header.proxies.length > 0 ? header.proxies.map((p) => parseGroupKey(p)) : proxyGroups(graph);
  const out: Record<string, unknown> = {};
  const irs: Record<string, GroupIR> = {};
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
    irs[g.key] = irView(t.ir);
  }
  return { out: banner(file) + yaml(out), ir: banner(file) + yaml(irs) };
}

function golden(dir: string, file: string, actual: string): void {
  const target = path.join(dir, file);
  if (update) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(target, actual);
    return;
  }
  expect(actual).toBe(readFileSync(target, 'utf8'));
}

describe('golden translation', () => {
  it('has at least 40 cases, each with an output', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    for (const dir of [outDir, irDir]) {
      if (!update) for (const c of cases) expect(existsSync(path.join(dir, c)), c).toBe(true);
      const outputs = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')) : [];
      for (const o of outputs) expect(cases, `orphan output ${o}`).toContain(o);
    }
  });

  for (const file of cases) {
    it(file, () => {
      const actual = render(file);
      golden(outDir, file, actual.out);
      golden(irDir, file, actual.ir);
    });
  }
});

describe('golden IR → Envoy (run after the goldens above, which it reads)', () => {
  for (const file of cases) {
    it(file, () => {
      const irs = YAML.parse(readFileSync(path.join(irDir, file), 'utf8')) as Record<string, GroupIR>;
      const outs = YAML.parse(readFileSync(path.join(outDir, file), 'utf8')) as Record<
        string,
        Record<string, unknown>
      >;
      for (const [key, ir] of Object.entries(irs)) {
        const view = resourcesView(emitGroup(ir));
        for (const kind of XDS_KINDS)
          expect(yaml(view[kind]), `${file} ${key} ${kind}`).toBe(yaml(outs[key]?.[kind]));
      }
    });
  }
});
