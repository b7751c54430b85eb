// Prints the plain closing line CI reads ("N passed, N failed, N skipped"), since
// vitest's own summary is not in a form CI recognises. The line must agree with the
// exit code: a module that failed to load or whose hooks failed, and every unhandled
// error, count as failures. Suites skipped for a missing system program are listed
// with the reason their title carries.
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
    const out: string[] = [];
    if (skippedReasons.size > 0) {
      out.push('', 'Skipped for a missing system program (AMIME_REQUIRE_ALL=1 makes these fail):');
      for (const r of [...skippedReasons].sort()) out.push(`  ${r}`);
    }
    if (unhandledErrors.length > 0) out.push('', `Unhandled errors: ${unhandledErrors.length}`);
    out.push('', `Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`, '');
    process.stdout.write(out.join('\n'));
  }
}
