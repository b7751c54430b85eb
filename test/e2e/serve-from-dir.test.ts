/**
 * `amime serve --from DIR`: the folder is the source of truth. Edits are served; an
 * invalid edit is reported and the last good mesh stays served; the REST API is
 * read-only in this mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { startServe, type ServeProcess } from './support/serve-process.js';
import { startBehavingBackend, whoWith, type BehavingBackend } from './support/behaving-backend.js';
import { xdsClient } from './support/xds-clients.js';
import { SEED_DIR } from '../../src/server/serve.js';

let dir: string;
let manifests: string;
let serve: ServeProcess;
let a: BehavingBackend;
let b: BehavingBackend;
let client: grpc.Client;

async function streak(name: string, n = 20, limitMs = 8000): Promise<number> {
  const start = Date.now();
  let s = 0;
  while (Date.now() - start < limitMs) {
    s = (await whoWith(client, {}).catch(() => '')) === name ? s + 1 : 0;
    if (s >= n) return Date.now() - start;
  }
  throw new Error(`no streak of ${name}`);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'amime-from-'));
  manifests = path.join(dir, 'manifests');
  cpSync(SEED_DIR, manifests, { recursive: true });
  [a, b] = await Promise.all([startBehavingBackend('vnode-1'), startBehavingBackend('vnode-2')]);
  const endpoints = path.join(dir, 'endpoints.yaml');
  writeFileSync(
    endpoints,
    `virtualNodes:\n  mesh-1/vnode-1_mesh-test: ["127.0.0.1:${a.port}"]\n  mesh-1/vnode-2_mesh-test: ["127.0.0.1:${b.port}"]\n`,
  );
  serve = await startServe(['--from', manifests, '--endpoints-file', endpoints]);
  client = xdsClient(
    serve.xdsPort,
    'mesh/mesh-1/virtualNode/vnode-x_mesh-test',
    'svc-v.mesh-test.svc.cluster.local',
  );
});

afterAll(async () => {
  client?.close();
  await serve?.stop();
  a?.close();
  b?.close();
  rmSync(dir, { recursive: true, force: true });
});

const meshFile = () => path.join(manifests, 'mesh.yaml');

describe('amime serve --from DIR', () => {
  it('serves the folder', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) seen.add(await whoWith(client, {}));
    expect([...seen].sort()).toEqual(['vnode-1', 'vnode-2']);
  });

  it('applies an edit of the files (weights 1:0)', async () => {
    const text = readFileSync(meshFile(), 'utf8');
    const edited = text.replace(/(name: vnode-2\n\s+weight:) 1/, '$1 0');
    expect(edited).not.toBe(text);
    writeFileSync(meshFile(), edited);
    expect(await streak('vnode-1')).toBeLessThan(3000);
  });

  it('reports an invalid edit and keeps serving the last good mesh', async () => {
    const text = readFileSync(meshFile(), 'utf8');
    // Route to a virtual node that does not exist, and flip the weights: if this were applied, vnode-2 would get traffic.
    const broken = text
      .replace(/name: vnode-2\n(\s+)weight: 0/, 'name: vnode-9\n$1weight: 1')
      .replace(/(name: vnode-1\n\s+weight:) 1/, '$1 0');
    writeFileSync(meshFile(), broken);
    const start = Date.now();
    while (
      !serve.logs.some((l) => String(l.msg).startsWith('manifests rejected')) &&
      Date.now() - start < 5000
    )
      await new Promise((r) => setTimeout(r, 50));
    const rejected = serve.logs.find((l) => String(l.msg).startsWith('manifests rejected'));
    expect(String(rejected?.msg)).toMatch(
      /mesh\.yaml:\d+:\d+: error: VirtualRouter mesh-test\/vrouter-1: spec\.routes\[0\]\.httpRoute\.action\.weightedTargets\[1\]/,
    );
    for (let i = 0; i < 20; i++) expect(await whoWith(client, {})).toBe('vnode-1');
    const diags = (await (await fetch(`${serve.apiUrl}/debug/diagnostics`)).json()) as {
      diagnostics: Array<{ severity: string }>;
    };
    expect(diags.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  });

  // Issue 14 item 4: one file of a List sharing an anchor took the old loader 29.6 s for
  // 928 kB, on the event loop, so /healthz, the API and xDS stopped answering meanwhile.
  it('keeps answering /healthz while a big, slow file is read', async () => {
    const items = ['apiVersion: v1', 'kind: List', 'items:'];
    for (let i = 0; i < 4000; i++) {
      items.push(
        '- apiVersion: appmesh.k8s.aws/v1beta2',
        '  kind: VirtualNode',
        `  metadata: {name: big-${i}, namespace: mesh-test, labels: ${i === 0 ? '&l {app: x}' : '*l'}}`,
        `  spec: {serviceDiscovery: {dns: {hostname: big-${i}.mesh-test.svc.cluster.local}}}`,
      );
    }
    const big = path.join(manifests, 'big.yaml');
    const rejectedBefore = serve.logs.filter((l) => String(l.msg).startsWith('manifests rejected')).length;
    writeFileSync(big, items.join('\n') + '\n');
    let worst = 0;
    let probes = 0;
    const deadline = Date.now() + 60_000;
    while (
      serve.logs.filter((l) => String(l.msg).startsWith('manifests rejected')).length === rejectedBefore
    ) {
      if (Date.now() > deadline) throw new Error('the big file was never reported');
      const t0 = Date.now();
      const res = await fetch(`${serve.apiUrl}/healthz`, { signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(200);
      worst = Math.max(worst, Date.now() - t0);
      probes++;
      await new Promise((r) => setTimeout(r, 20));
    }
    unlinkSync(big);
    const rejected = serve.logs.filter((l) => String(l.msg).startsWith('manifests rejected')).at(-1);
    expect(String(rejected?.msg)).toMatch(/big\.yaml:\d+:\d+: error: aliases expand too much/);
    expect(probes).toBeGreaterThan(0);
    expect(worst).toBeLessThan(1000);
    // The last good mesh is still served.
    expect(await whoWith(client, {})).toMatch(/^vnode-[12]$/);
  });

  it('keeps the REST API read-only', async () => {
    const res = await fetch(`${serve.apiUrl}/v20190125/meshes`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ meshName: 'x' }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect(((await res.json()) as { message: string }).message).toMatch(/--from/);
    const list = await fetch(`${serve.apiUrl}/v20190125/meshes`);
    expect(list.status).toBe(200);
  });
});
