import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_COMPLETE } from '../../../test/support/fixtures.js';
import { startApiServer, type RunningApi } from '../../../test/e2e/support/api-server.js';
import { runApply } from './apply.js';

describe('amime apply progress', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApiServer();
  });
  afterAll(async () => api?.close());

  async function apply(isTTY: boolean) {
    let stdout = '';
    let stderr = '';
    const code = await runApply(
      { filename: [SEED_COMPLETE], server: api.url, namespace: 'default', dryRun: true },
      { write: (s: string) => (stdout += s) },
      { write: (s: string) => (stderr += s), isTTY },
    );
    return { code, stdout, stderr };
  }

  it('counts the calls on a terminal, each count cleared before its result line', async () => {
    const r = await apply(true);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\r\u001b\[2K\[1\/\d+\] mesh\/mesh-1/);
    expect(r.stderr.endsWith('\r\u001b[2K')).toBe(true);
  });

  it('is quiet when piped', async () => {
    const r = await apply(false);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('mesh/mesh-1 created (dry run)');
  });
});
