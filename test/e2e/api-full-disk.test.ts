/**
 * A disk that fills up under `amime serve` (SQLite store; `ulimit -f` makes every file
 * the server writes stop growing at a few hundred KiB, as a full volume would): the
 * write that does not fit is App Mesh's ServiceUnavailableException (503, retry later),
 * never a bare 500; the 5xx is logged with the request id the client got in
 * `x-amzn-requestid`; what was stored before stays readable (issue 14 item 11).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServe, type ServeProcess } from './support/serve-process.js';

let dir: string;
let serve: ServeProcess;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'amime-full-disk-'));
  serve = await startServe(['--data-dir', path.join(dir, 'data'), '--no-seed'], { fileSizeLimitKiB: 512 });
});

afterAll(async () => {
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const api = (p: string, init?: RequestInit) => fetch(`${serve.apiUrl}/v20190125${p}`, init);
const put = (p: string, body: unknown) =>
  api(p, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('a full disk', () => {
  it('answers ServiceUnavailableException, logs it with the request id, and keeps what it had', async () => {
    expect((await put('/meshes', { meshName: 'm' })).status).toBe(200);
    // Big nodes (many backends with long names) fill the store quickly.
    const backends = Array.from({ length: 50 }, (_, i) => ({
      virtualService: { virtualServiceName: `${'s'.repeat(200)}-${i}` },
    }));
    let failed: Response | undefined;
    let stored = 0;
    for (let i = 0; i < 200 && !failed; i++) {
      const res = await put('/meshes/m/virtualNodes', { virtualNodeName: `n${i}`, spec: { backends } });
      if (res.status === 200) stored++;
      else failed = res;
    }
    expect(stored).toBeGreaterThan(0);
    expect(failed?.status).toBe(503);
    expect(failed?.headers.get('x-amzn-errortype')).toBe('ServiceUnavailableException');
    expect(failed?.headers.get('retry-after')).toBe('5');
    const requestId = failed?.headers.get('x-amzn-requestid');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await failed?.json()) as { message: string }).message).toMatch(/disk is full/);
    await expect
      .poll(() => serve.logs.find((l) => l.requestId === requestId))
      .toMatchObject({ level: 50, operation: 'CreateVirtualNode', errorType: 'ServiceUnavailableException' });
    // Still serving what it had.
    expect((await api('/meshes/m/virtualNodes/n0')).status).toBe(200);
    const listed = (await (await api('/meshes/m/virtualNodes')).json()) as { virtualNodes: unknown[] };
    expect(listed.virtualNodes).toHaveLength(stored);
    expect((await fetch(`${serve.apiUrl}/healthz`)).status).toBe(200);
  });
});
