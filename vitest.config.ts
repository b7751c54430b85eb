/**
 * Three groups of test files, so the suite is fast on 2 cores and steady on a busy
 * machine:
 * - `unit` and `e2e` run first, side by side, up to WORKERS files at once;
 * - `heavy` runs after them, one file at a time: the suites that start many processes
 *   (real Envoy, browser, HA, the AWS CLI). A heavy suite next to others starves them,
 *   and vitest's own worker messages then time out. A suite that is only CPU-bound in
 *   its own worker (the 5,000-case fuzz) runs in `unit`: workers run at a lower
 *   priority than vitest (test/support/worker-priority.ts), and `heavy` uses one core.
 * A new heavy suite: name it `*.heavy.test.ts` or add its folder to HEAVY.
 * Test files share their worker's modules (isolate: false, set here for all projects:
 * vitest 3.2's forks pool ignores a project's own `isolate`). Importing the sources anew
 * for each of ~190 files was a quarter of the suite's CPU (two full runs here, partly
 * side by side: import 295 s -> 35 s, CPU 468 s -> 345 s). So a test leaves no global
 * state behind (timers, env, mocks: restore them in afterEach); AMIME_TEST_ISOLATE=1
 * gives each file fresh modules again, to find one that does not.
 * AMIME_TEST_WORKERS sets how many files run at once. The default is 2: with shared
 * modules, 3 workers crashed here every time at the end of the e2e group (vitest's
 * worker recycling: "Terminating worker thread", two workers left running, orphaned) —
 * cause not found; with AMIME_TEST_ISOLATE=1 the same 3 workers pass, so isolated runs
 * default to one worker per core.
 * OPTIONAL suites need programs CI cannot install; `npm test` leaves them out (no skip),
 * their own scripts (`npm run test:terraform`) set the variable that collects them.
 */
import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

const OPTIONAL = process.env.AMIME_TERRAFORM === '1' ? [] : ['test/e2e/import-terraform.heavy.test.ts'];
const HEAVY = ['**/*.heavy.test.ts', 'test/envoy/**/*.test.ts'];
const ISOLATE = process.env.AMIME_TEST_ISOLATE === '1';
const WORKERS = Number(process.env.AMIME_TEST_WORKERS ?? (ISOLATE ? Math.max(2, availableParallelism()) : 2));

const shared = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: 'forks' as const,
};

export default defineConfig({
  test: {
    globalSetup: ['test/support/build-dist.ts'],
    setupFiles: ['test/support/worker-priority.ts'],
    reporters: ['default', './scripts/summary-reporter.ts'],
    isolate: ISOLATE,
    maxWorkers: WORKERS,
    minWorkers: 1,
    projects: [
      {
        extends: true,
        test: {
          ...shared,
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...HEAVY, ...OPTIONAL, 'test/e2e/**', 'node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          ...shared,
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          exclude: [...HEAVY, ...OPTIONAL],
        },
      },
      {
        extends: true,
        test: {
          ...shared,
          name: 'heavy',
          include: HEAVY,
          // StrykerJS's sandbox (npm run mutation) holds a copy of every test file.
          exclude: [...configDefaults.exclude, '.stryker-tmp/**', ...OPTIONAL],
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
