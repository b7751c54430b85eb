/**
 * Temporary folders for tests, removed again however the tests end:
 * - `tempDir(prefix)`, inside a test: a new folder, removed when that test finishes,
 *   passed or failed (vitest's onTestFinished).
 * - `suiteTempDir(prefix)`, at a test file's or describe block's top level: a function
 *   that gives the block's folder, made on its first call (from a hook or a test) and
 *   removed after the block's last test (afterAll). Do not call it while collecting: a
 *   folder made then is left behind when vitest skips the block (a -t filter that
 *   matches none of its tests, a skipIf), as vitest runs no afterAll of a skipped block.
 * A folder made in a beforeAll of your own: remove it in the matching afterAll.
 * `parent` is the system's temporary folder unless given.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

const remove = (dir: string | undefined): void => {
  if (dir) rmSync(dir, { recursive: true, force: true });
};

export function tempDir(prefix: string, parent = tmpdir()): string {
  const dir = mkdtempSync(path.join(parent, prefix));
  try {
    onTestFinished(() => remove(dir));
  } catch (err) {
    // Not inside a test: nothing would remove it.
    remove(dir);
    throw err;
  }
  return dir;
}

export function suiteTempDir(prefix: string, parent = tmpdir()): () => string {
  let dir: string | undefined;
  afterAll(() => {
    remove(dir);
    dir = undefined;
  });
  return () => (dir ??= mkdtempSync(path.join(parent, prefix)));
}
