/**
 * Clients that hold the HTTP port of a real `amime serve` (SigV4 required) the way the
 * issue 14 review did: 400 sockets that send a large upload's headers and most of its
 * body, then stall (item 3: +365 MB, never closed, before the fix); a signed upload
 * that stalls; bodies over an operation's cap; more connections than allowed. And the
 * debug and metrics endpoints behind the API's authentication (item 7).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServe, type ServeProcess } from './support/serve-process.js';
import { signedFetch, TEST_CREDENTIALS } from './support/signed-fetch.js';

const REQUEST_TIMEOUT_MS = 3000;
const MAX_CONNECTIONS = 500;
let dir: string;
let serve: ServeProcess;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'amime-slow-'));
  const credentials = path.join(dir, 'credentials.json');
  writeFileSync(credentials, JSON.stringify([TEST_CREDENTIALS]));
  serve = await startServe([
    '--store',
    'memory',
    '--no-seed',
    '--api-credentials-file',
    credentials,
    '--api-request-timeout-ms',
    String(REQUEST_TIMEOUT_MS),
    '--api-max-connections',
    String(MAX_CONNECTIONS),
    '--metrics-listen',
    '127.0.0.1:0',
  ]);
  port = Number(new URL(serve.apiUrl).port);
});

afterAll(async () => {
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function rssMiB(): number {
  const status = readFileSync(`/proc/${serve.proc.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

interface Held {
  socket: Socket;
  /** What the server sent back. */
  received: string;
  closed: Promise<number>;
}

/** Opens a socket, sends `head` (and `body`), and keeps it open; `closed` resolves with the time the server closed it. */
function hold(head: string, body = ''): Held {
  const socket = connect(port, '127.0.0.1');
  const held: Held = {
    socket,
    received: '',
    closed: new Promise((resolve) => socket.once('close', () => resolve(Date.now()))),
  };
  socket.on('data', (d) => (held.received += d.toString()));
  socket.on('error', () => undefined);
  socket.write(head + body);
  return held;
}

const uploadHead = (length: number, extra = '') =>
  `PUT /v20190125/meshes HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`;

describe('slow uploads (issue 14 item 3)', () => {
  it('400 stalled unauthenticated uploads are refused at their headers, hold no memory, and are closed', async () => {
    const before = rssMiB();
    const started = Date.now();
    const body = 'x'.repeat(900 * 1024);
    const sockets = Array.from({ length: 400 }, () => hold(uploadHead(1024 * 1024), body));
    // Every one is answered from its headers alone.
    await expect
      .poll(() => sockets.filter((s) => s.received.includes('MissingAuthenticationTokenException')).length, {
        timeout: 30_000,
      })
      .toBe(400);
    const during = rssMiB();
    // Before the fix: +365 MB (each body buffered). Now only the sockets themselves.
    expect(during - before).toBeLessThan(80);
    const closedAt = await Promise.all(sockets.map((s) => s.closed));
    expect(Math.max(...closedAt) - started).toBeLessThan(REQUEST_TIMEOUT_MS + 15_000);
    expect((await fetch(`${serve.apiUrl}/healthz`)).status).toBe(200);
  });

  it('a signed upload that stalls is cut off at the request timeout', async () => {
    const signed = await signedFetchHead();
    const started = Date.now();
    const s = hold(signed, '{"meshName":');
    const closedAt = await s.closed;
    expect(closedAt - started).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 500);
    expect(closedAt - started).toBeLessThan(REQUEST_TIMEOUT_MS + 10_000);
    expect(s.received).toMatch(/^HTTP\/1.1 408/);
  });

  it('a body over the operation cap is refused from its Content-Length, before it is sent', async () => {
    const big = await signedFetch(`${serve.apiUrl}/v20190125/meshes`, {
      method: 'PUT',
      rawBody: JSON.stringify({ meshName: 'm', spec: {}, pad: 'x'.repeat(600 * 1024) }),
    });
    expect(big.status).toBe(400);
    expect(big.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect(((await big.json()) as { message: string }).message).toMatch(/larger than 524288 bytes/);
    // Tags and body-less operations have smaller caps.
    const tags = await signedFetch(`${serve.apiUrl}/v20190125/tag?resourceArn=x`, {
      method: 'PUT',
      rawBody: JSON.stringify({ tags: [], pad: 'x'.repeat(70 * 1024) }),
    });
    expect(tags.status).toBe(400);
    expect(((await tags.json()) as { message: string }).message).toMatch(/larger than 65536 bytes/);
  });

  it(`connections past ${MAX_CONNECTIONS} are closed as they arrive; the API keeps answering`, async () => {
    const sockets = Array.from({ length: MAX_CONNECTIONS + 50 }, () => hold(''));
    await Promise.all(sockets.map((s) => new Promise((r) => s.socket.once('connect', r))));
    const quickly = Date.now() + 1000;
    await expect
      .poll(
        async () =>
          (await Promise.all(sockets.map((s) => Promise.race([s.closed, 0])))).filter(Boolean).length,
      )
      .toBeGreaterThanOrEqual(50);
    expect(Date.now()).toBeLessThan(quickly + 5_000);
    for (const s of sockets) s.socket.destroy();
    await expect
      .poll(async () => (await signedFetch(`${serve.apiUrl}/v20190125/meshes`)).status, { timeout: 10_000 })
      .toBe(200);
  });
});

/** The head of a correctly signed CreateMesh whose body will never fully arrive. */
async function signedFetchHead(): Promise<string> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const { createHash, createHmac } = await import('node:crypto');
  class Sha256 {
    private readonly h;
    constructor(secret?: string) {
      this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
    }
    update(d: string | Uint8Array) {
      this.h.update(d);
    }
    async digest() {
      return new Uint8Array(this.h.digest());
    }
    reset() {}
  }
  const body = '{"meshName":"never-finished"}';
  const signer = new SignatureV4({
    service: 'appmesh',
    region: 'us-west-2',
    credentials: TEST_CREDENTIALS,
    sha256: Sha256 as never,
    applyChecksum: false,
  });
  const signed = await signer.sign({
    method: 'PUT',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path: '/v20190125/meshes',
    headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json' },
    body,
  });
  const extra = Object.entries(signed.headers)
    .filter(([k]) => !['host', 'content-type'].includes(k.toLowerCase()))
    .map(([k, v]) => `${k}: ${String(v)}\r\n`)
    .join('');
  return uploadHead(body.length, extra);
}

describe('debug and metrics endpoints (issue 14 item 7)', () => {
  it('need the API signature when the API does', async () => {
    for (const p of ['/metrics', '/debug/proxies', '/debug/diagnostics']) {
      const plain = await fetch(`${serve.apiUrl}${p}`);
      expect(plain.status, p).toBe(403);
      expect(plain.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
      expect((await signedFetch(`${serve.apiUrl}${p}`)).status, p).toBe(200);
      expect((await signedFetch(`${serve.apiUrl}${p}`, { region: 'eu-west-1' })).status, p).toBe(403);
      const wrongKey = await signedFetch(`${serve.apiUrl}${p}`, {
        credentials: { accessKeyId: 'AKIDOTHER', secretAccessKey: 'x' },
      });
      expect(wrongKey.headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException');
    }
    // Probes stay open.
    expect((await fetch(`${serve.apiUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${serve.apiUrl}/readyz`)).status).toBe(200);
  });

  it('--metrics-listen serves them apart, unauthenticated, and nothing else', async () => {
    const announced = serve.logs.find(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('amime is serving'),
    );
    const metrics = new URL(String(announced?.metrics));
    expect(metrics.port).not.toBe(String(port));
    expect((await fetch(metrics)).status).toBe(200);
    expect(await (await fetch(metrics)).text()).toContain('# HELP');
    expect((await fetch(new URL('/debug/proxies', metrics))).status).toBe(200);
    expect((await fetch(new URL('/v20190125/meshes', metrics))).status).toBe(404);
  });
});
