// Prints the plain closing line CI reads ("N passed, N failed, N skipped"), since
// vitest's own summary is not in a form CI recognises. The line must agree with the
// exit code: a module that failed to load or whose hooks failed, and every unhandled
// error, count as failures. Suites skipped for a missing system program are listed
// with the reason their title carries. The slowest files come first, with their import
// (collect) time apart from their tests' time, so where a run's minutes go is in every
// CI log; AMIME_TEST_TIMINGS=<file> writes every file's figures there as JSON.
import { writeFileSync } from 'node:fs';
import type { Reporter, SerializedError, TestModule, TestRunEndReason } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const skippedReasons = new Set<string>();
    for (const mod of modules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      for (const suite of mod.children.allSuites()) {
        const m = /\[skipped: (.*)\]$/.exec(suite.name);
        if (m) skippedReasons.add(`${mod.moduleId.replace(process.cwd() + '/', '')}: ${m[1]}`);
      }
      // Errors outside any test: a file that failed to import, a failed beforeAll/afterAll.
      if (
        mod.state() === 'failed' &&
        ![...mod.children.allTests()].some((t) => t.result().state === 'failed')
      )
        failed++;
    }
    failed += unhandledErrors.length;
    if (reason === 'failed' && failed === 0) failed = 1;
    const out = slowest(modules);
    if (skippedReasons.size > 0) {
      out.push('', 'Skipped for a missing system program (AMIME_REQUIRE_ALL=1 makes these fail):');
      for (const r of [...skippedReasons].sort()) out.push(`  ${r}`);
    }
    if (unhandledErrors.length > 0) out.push('', `Unhandled errors: ${unhandledErrors.length}`);
    out.push('', `Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`, '');
    process.stdout.write(out.join('\n'));
  }
}

const SLOWEST = 12;

/** Per-file figures in seconds: wall time in its worker, import time, tests and hooks. */
function timings(modules: ReadonlyArray<TestModule>) {
  const rows = modules.map((mod) => {
    const d = mod.diagnostic();
    const s = (ms: number) => Math.round(ms / 100) / 10;
    return {
      file: `${mod.project.name ? `|${mod.project.name}| ` : ''}${mod.moduleId.replace(process.cwd() + '/', '')}`,
      total: s(d.prepareDuration + d.setupDuration + d.collectDuration + d.duration),
      collect: s(d.collectDuration),
      tests: s(d.duration),
    };
  });
  return rows.sort((a, b) => b.total - a.total);
}

function slowest(modules: ReadonlyArray<TestModule>): string[] {
  const rows = timings(modules);
  if (process.env.AMIME_TEST_TIMINGS)
    writeFileSync(process.env.AMIME_TEST_TIMINGS, JSON.stringify(rows, null, 2));
  if (rows.length < 2) return [];
  const sum = (k: 'total' | 'collect') => Math.round(rows.reduce((n, r) => n + r[k], 0));
  return [
    '',
    `Slowest files (s: total = import + tests; all ${rows.length} files: ${sum('total')} s, of which import ${sum('collect')} s):`,
    ...rows
      .slice(0, SLOWEST)
      .map(
        (r) => `  ${r.total.toFixed(1).padStart(6)}  import ${r.collect.toFixed(1).padStart(5)}  ${r.file}`,
      ),
  ];
}
