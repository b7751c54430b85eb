/**
 * The closing line CI reads (scripts/summary-reporter.ts, issue 15 item 3) agrees with
 * the exit code: a failed beforeAll and an unhandled rejection count as failures, not
 * as "0 failed". Runs vitest itself on two small test files, with that reporter.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from './support/fixtures.js';
import { tempDir } from './support/temp-dir.js';

function vitest(dir: string, files: Record<string, string>): Promise<{ code: number | null; out: string }> {
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  writeFileSync(
    path.join(dir, 'vitest.config.mjs'),
    `export default { test: { include: ['*.test.mjs'], reporters: [${JSON.stringify(path.join(REPO_ROOT, 'scripts/summary-reporter.ts'))}] } };\n`,
  );
  return new Promise((resolve) => {
    const proc = spawn(
      process.execPath,
      [path.join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--root', dir],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          NODE_OPTIONS: '',
          CI: '1',
          AMIME_TEST_TIMINGS: path.join(dir, 'timings.json'),
        },
      },
    );
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    proc.once('exit', (code) => resolve({ code, out }));
  });
}

it('a failing beforeAll and an unhandled rejection print a non-zero failed count, with exit 1', async () => {
  // Inside the repository, so the files resolve `vitest` from its node_modules.
  const dir = tempDir('.amime-reporter-', path.join(REPO_ROOT, 'node_modules'));
  const r = await vitest(dir, {
    'hook.test.mjs': `import { beforeAll, it } from 'vitest';\nbeforeAll(() => { throw new Error('setup broke'); });\nit('never runs', () => {});\n`,
    'unhandled.test.mjs': `import { it } from 'vitest';\nit('passes but leaves a rejection', async () => { Promise.reject(new Error('nobody caught me')); await new Promise((r) => setTimeout(r, 50)); });\n`,
  });
  expect(r.code, r.out).toBe(1);
  const line = /^Tests: (\d+) passed, (\d+) failed, (\d+) skipped$/m.exec(r.out);
  expect(line, r.out).not.toBeNull();
  expect(Number(line![2])).toBeGreaterThanOrEqual(2);
  // Where the time went: each file's figures, slowest first, in the log and in the JSON file.
  expect(r.out).toMatch(/^Slowest files \(s: total = import \+ tests; all 2 files: /m);
  const rows = JSON.parse(readFileSync(path.join(dir, 'timings.json'), 'utf8')) as Array<{
    file: string;
    total: number;
    collect: number;
  }>;
  expect(rows.map((row) => row.file).sort()).toEqual(['hook.test.mjs', 'unhandled.test.mjs']);
  expect(rows[0]!.total).toBeGreaterThanOrEqual(rows[1]!.total);
  expect(rows.find((row) => row.file === 'unhandled.test.mjs')!.total).toBeGreaterThanOrEqual(0.1);
}, 120_000);
