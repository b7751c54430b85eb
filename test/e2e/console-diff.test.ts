/**
 * `amime diff` against a running `amime serve` holding the seed mesh, as a CI
 * pipeline uses it: examples/seed-changed/ shows the one route change and the Envoy
 * configuration of vnode-x and gateway-v (exit 1), the seed itself no change (exit 0),
 * an unreachable server exit 2; nothing is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { amime } from '../support/cli.js';
import { expectSeedChangedDiff } from '../support/seed-changed.js';
import { startServe, type ServeProcess } from './support/serve-process.js';

describe('amime diff against amime serve with the seed', () => {
  let dir: string;
  let serve: ServeProcess;
  const diff = (...args: string[]) =>
    amime(['diff', ...args, '--server', serve.apiUrl], { withoutEnv: ['AWS_'] });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'amime-diff-'));
    serve = await startServe(['--data-dir', path.join(dir, 'data')]);
  });
  afterAll(async () => {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('examples/seed-changed/: the one route change, for vnode-x and gateway-v, nothing else; exit 1', async () => {
    const r = await diff('examples/seed-changed/');
    expect(r.code).toBe(1);
    expectSeedChangedDiff(r.stdout, r.stderr);
    // Nothing was written: the seed still diffs clean.
    const same = await diff('examples/seed');
    expect([same.code, same.stdout, same.stderr]).toEqual([0, '', 'no changes\n']);
  });

  it('a server that cannot be reached: exit 2, naming --server', async () => {
    const r = await amime(['diff', 'examples/seed', '--server', 'http://127.0.0.1:9'], {
      withoutEnv: ['AWS_'],
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--server');
  });
});
