/**
 * `amime export` on a terminal and in a pipe: a running count of what it read on a
 * terminal, cleared before the output; nothing on stderr when piped (`> backup.json`).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer } from '../../api/index.js';
import { createMemoryStore } from '../../store/index.js';
import { runExport } from './export.js';

describe('amime export --server: progress', () => {
  let app: FastifyInstance;
  let server: string;
  beforeAll(async () => {
    app = createApiServer({ store: createMemoryStore(), rateLimit: false });
    server = await app.listen({ host: '127.0.0.1', port: 0 });
    const put = (url: string, payload: object) =>
      app.inject({ method: 'PUT', url: `/v20190125${url}`, payload }).then((r) => {
        expect(r.statusCode, r.body).toBe(200);
      });
    await put('/meshes', { meshName: 'shop', spec: {} });
    for (const name of ['a', 'b', 'c'])
      await put('/meshes/shop/virtualNodes', { virtualNodeName: name, spec: {} });
  });
  afterAll(() => app.close());

  async function exportApi(isTTY: boolean) {
    let stdout = '';
    let stderr = '';
    const code = await runExport(
      { server, output: 'api' },
      { write: (s: string) => (stdout += s) },
      { write: (s: string) => (stderr += s), isTTY },
    );
    return { code, stdout, stderr };
  }

  it('counts what it read on a terminal and clears the line before the output', async () => {
    const r = await exportApi(true);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      ['read 1 resource', 'read 2 resources', 'read 3 resources', 'read 4 resources', '']
        .map((s) => `\r\u001b[2K${s}`)
        .join(''),
    );
    expect(JSON.parse(r.stdout)).toHaveLength(4);
  });

  it('writes nothing to stderr when piped, and the same output', async () => {
    const tty = await exportApi(true);
    const piped = await exportApi(false);
    expect(piped).toEqual({ code: 0, stdout: tty.stdout, stderr: '' });
  });
});
