import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, SEED_AS_WRITTEN, SEED_COMPLETE } from '../../../test/support/fixtures.js';
import { expectSeedChangedDiff } from '../../../test/support/seed-changed.js';
import { runDiff, type DiffCliOptions } from './diff.js';

const SEED_CHANGED = path.join(REPO_ROOT, 'examples/seed-changed');

async function diff(paths: string[], base: string[], isTTY = false) {
  let stdout = '';
  let stderr = '';
  const options: DiffCliOptions = { server: 'http://127.0.0.1:1', base, namespace: 'default' };
  const code = await runDiff(
    paths,
    options,
    { write: (s: string) => (stdout += s) },
    { write: (s: string) => (stderr += s), isTTY },
  );
  return { code, stdout, stderr };
}

describe('amime diff --base', () => {
  it('examples/seed-changed: the one route change, and vnode-x and gateway-v, nothing else (exit 1)', async () => {
    const r = await diff([SEED_CHANGED], [SEED_COMPLETE]);
    expect(r.code).toBe(1);
    expectSeedChangedDiff(r.stdout, r.stderr);
  });

  it('the same manifests: no changes (exit 0)', async () => {
    const r = await diff([SEED_COMPLETE], [SEED_CHANGED.replace('seed-changed', 'seed')]);
    expect(r).toEqual({ code: 0, stdout: '', stderr: 'no changes\n' });
  });

  it('manifests with errors: file:line, nothing compared (exit 2)', async () => {
    const r = await diff([SEED_AS_WRITTEN], [SEED_COMPLETE]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/seed-as-written\/\S+\.yaml:\d+/);
    expect(r.stderr).toContain('nothing compared');
  });

  it('counts the proxy groups it renders on a terminal, and clears the line before the summary', async () => {
    const r = await diff([SEED_CHANGED], [SEED_COMPLETE], true);
    expect(r.stderr).toContain('\r\u001b[2Krendered 1/');
    expect(
      r.stderr.endsWith('\r\u001b[2K1 resource would change, the Envoy configuration of 2 proxy groups\n'),
    ).toBe(true);
  });
});
