/**
 * A store watch that fails under a running `amime serve` (issue 17, bug 2): the server
 * stays up, lists the store again, says so in its log and in `/readyz`, and serves what
 * changed meanwhile. The failure is etcd's own: while the server is stopped (SIGSTOP)
 * its watch falls behind, the history it still needs is compacted, and etcd cancels
 * the watch when the server comes back (SIGCONT).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServe, type ServeProcess } from './support/serve-process.js';
import { startEtcd, type LocalEtcd } from './support/store-etcd.js';
import { ETCD, describeWithPrograms } from '../support/system-programs.js';
import { createEtcdStore, resourceKey, type ResourceStore } from '../../src/store/index.js';

describeWithPrograms('amime serve when its store watch fails', [ETCD], () => {
  let etcd: LocalEtcd;
  let serve: ServeProcess;
  let other: ResourceStore;

  beforeAll(async () => {
    etcd = await startEtcd();
    serve = await startServe(['--store', 'etcd', '--etcd-endpoints', etcd.endpoint]);
    other = createEtcdStore({ endpoints: [etcd.endpoint] });
  });

  afterAll(async () => {
    if (serve?.proc.exitCode === null) serve.proc.kill('SIGCONT');
    await serve?.stop();
    await other?.close();
    await etcd?.stop();
  });

  const api = (path: string, init?: RequestInit) => fetch(`${serve.apiUrl}/v20190125${path}`, init);
  const put = (path: string, body: unknown) =>
    api(path, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  it('survives a compacted watch, re-lists, reports it, and serves what changed meanwhile', async () => {
    expect((await put('/meshes', { meshName: 'm' })).status).toBe(200);
    const mesh = (await (await api('/meshes/m')).json()) as { metadata: { uid: string } };

    serve.proc.kill('SIGSTOP');
    try {
      // Another replica writes: a virtual node, then enough to overflow the stopped
      // server's watch, then compacts the history that watch still needs.
      await other.put(resourceKey('VirtualNode', undefined, 'm/written-while-stopped'), {
        apiVersion: 'appmesh.k8s.aws/v1beta2',
        kind: 'VirtualNode',
        metadata: { name: 'written-while-stopped' },
        spec: { awsName: 'written-while-stopped', meshRef: { name: 'm', uid: mesh.metadata.uid } },
      });
      const filler = 'x'.repeat(16 * 1024);
      for (let i = 0; i < 1500; i++) await other.put(`Filler/_/f${i % 50}`, { filler, i });
      await other.compact(await other.revision());
    } finally {
      serve.proc.kill('SIGCONT');
    }

    const readyz = async () => {
      if (serve.proc.exitCode !== null) throw new Error(`amime serve exited:\n${serve.stderr.join('')}`);
      const res = await fetch(`${serve.apiUrl}/readyz`);
      return { status: res.status, body: (await res.json()) as { store?: { resyncs?: number } } };
    };
    // Not ready while it lists again; ready once it has caught up.
    await expect.poll(async () => (await readyz()).body.store?.resyncs, { timeout: 30_000 }).toBe(1);
    await expect.poll(async () => (await readyz()).status, { timeout: 30_000 }).toBe(200);
    expect((await readyz()).body).toMatchObject({
      status: 'ready',
      store: { state: 'synced', resyncs: 1, lastError: expect.stringMatching(/compacted/) },
    });
    expect(serve.logs.some((l) => l.msg === 'the store watch failed; listing the store again')).toBe(true);
    expect((await api('/meshes/m/virtualNodes/written-while-stopped')).status).toBe(200);
    // And it keeps following the store.
    expect((await put('/meshes/m/virtualNodes', { virtualNodeName: 'after', spec: {} })).status).toBe(200);
    expect((await api('/meshes/m/virtualNodes/after')).status).toBe(200);
    expect(serve.proc.exitCode).toBeNull();
  });
});
