/**
 * Replica-safe API state (issue 11, item 1) with two real `amime serve --store etcd`
 * processes on one real etcd: a clientToken retried on the other replica creates
 * nothing more, the same token sent to both at once creates one resource, two updates
 * from the same version settle as one success and one ConflictException (never a lost
 * update), and two replicas cannot together pass a count quota.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServe, type ServeProcess } from './support/serve-process.js';
import { startEtcd, type LocalEtcd } from './support/store-etcd.js';
import { dnsNode } from './support/ha-mesh.js';
import { ETCD, describeWithPrograms } from '../support/system-programs.js';

interface Answer {
  status: number;
  type: string | undefined;
  body: { metadata?: { uid: string; version: number }; spec?: unknown; virtualNodes?: unknown[] };
}

describeWithPrograms('two amime serve replicas on one etcd', [ETCD], () => {
  let etcd: LocalEtcd;
  let a: ServeProcess;
  let b: ServeProcess;

  beforeAll(async () => {
    etcd = await startEtcd();
    const args = ['--store', 'etcd', '--etcd-endpoints', etcd.endpoint, '--quota', 'virtualNodesPerMesh=3'];
    [a, b] = await Promise.all([startServe(args), startServe(args)]);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await etcd?.stop();
  });

  const call = async (
    replica: ServeProcess,
    method: 'GET' | 'PUT',
    path: string,
    body?: unknown,
  ): Promise<Answer> => {
    const res = await fetch(`${replica.apiUrl}/v20190125${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return {
      status: res.status,
      type: res.headers.get('x-amzn-errortype') ?? undefined,
      body: (await res.json()) as Answer['body'],
    };
  };
  const outcome = (r: Answer) => r.type ?? String(r.status);
  it('a clientToken is one request whichever replica it reaches', async () => {
    const first = await call(a, 'PUT', '/meshes', { meshName: 'tokens', clientToken: 'c1' });
    expect(first.status).toBe(200);
    // A retry on the other replica: the first result, not "already exists".
    const retry = await call(b, 'PUT', '/meshes', { meshName: 'tokens', clientToken: 'c1' });
    expect(retry.status).toBe(200);
    expect(retry.body.metadata?.uid).toBe(first.body.metadata?.uid);
    const changed = await call(b, 'PUT', '/meshes', {
      meshName: 'tokens',
      clientToken: 'c1',
      spec: { egressFilter: { type: 'ALLOW_ALL' } },
    });
    expect(outcome(changed)).toBe('ConflictException');

    // The same token sent to both replicas at once, for several resources.
    for (let i = 0; i < 3; i++) {
      const request = { virtualNodeName: `n${i}`, spec: {}, clientToken: `both-${i}` };
      const [ra, rb] = await Promise.all([
        call(a, 'PUT', '/meshes/tokens/virtualNodes', request),
        call(b, 'PUT', '/meshes/tokens/virtualNodes', request),
      ]);
      expect([ra.status, rb.status], JSON.stringify([ra.body, rb.body])).toEqual([200, 200]);
      expect(ra.body.metadata?.uid).toBe(rb.body.metadata?.uid);
    }
    const listed = await call(b, 'GET', '/meshes/tokens/virtualNodes');
    expect(listed.body.virtualNodes).toHaveLength(3);
  });

  it('two updates from the same version: one wins, the other is a ConflictException; no update is lost', async () => {
    expect((await call(a, 'PUT', '/meshes', { meshName: 'race' })).status).toBe(200);
    expect(
      (await call(a, 'PUT', '/meshes/race/virtualNodes', { virtualNodeName: 'n', spec: dnsNode('start') }))
        .status,
    ).toBe(200);
    // A write acknowledged by one replica is seen by the next write on the other: no spurious conflict.
    expect((await call(b, 'PUT', '/meshes/race/virtualNodes/n', { spec: dnsNode('b0') })).status).toBe(200);
    expect((await call(a, 'PUT', '/meshes/race/virtualNodes/n', { spec: dnsNode('a0') })).status).toBe(200);

    // Real concurrency cannot be scheduled from outside: race until a pair collides
    // (usually the first), checking every pair on the way.
    let successes = 3; // create + the two updates above
    let conflicts = 0;
    for (let round = 1; round <= 30 && conflicts < 3; round++) {
      const [ra, rb] = await Promise.all([
        call(a, 'PUT', '/meshes/race/virtualNodes/n', { spec: dnsNode(`a${round}`) }),
        call(b, 'PUT', '/meshes/race/virtualNodes/n', { spec: dnsNode(`b${round}`) }),
      ]);
      const both = [outcome(ra), outcome(rb)].sort();
      expect([
        ['200', '200'],
        ['200', 'ConflictException'],
      ]).toContainEqual(both);
      successes += both.filter((o) => o === '200').length;
      if (both[1] === 'ConflictException') conflicts++;
      const winners = [ra, rb].filter((r) => r.status === 200);
      const latest = winners.reduce((x, y) =>
        (x.body.metadata?.version ?? 0) > (y.body.metadata?.version ?? 0) ? x : y,
      );
      const now = await call(b, 'GET', '/meshes/race/virtualNodes/n');
      // Each success is one version; the stored spec is the last success's.
      expect(now.body.metadata?.version).toBe(successes);
      expect(now.body.spec).toEqual(latest.body.spec);
    }
    expect(conflicts).toBeGreaterThan(0);
  });

  it('two replicas creating at once cannot together pass the virtual nodes quota', async () => {
    expect((await call(a, 'PUT', '/meshes', { meshName: 'quota' })).status).toBe(200);
    const results: Answer[] = [];
    for (let i = 0; i < 3; i++) {
      results.push(
        ...(await Promise.all([
          call(a, 'PUT', '/meshes/quota/virtualNodes', { virtualNodeName: `a${i}`, spec: {} }),
          call(b, 'PUT', '/meshes/quota/virtualNodes', { virtualNodeName: `b${i}`, spec: {} }),
        ])),
      );
    }
    const counts = results.map(outcome);
    expect(counts.filter((o) => o === '200')).toHaveLength(3);
    expect(counts.filter((o) => o !== '200').every((o) => o === 'LimitExceededException')).toBe(true);
    await expect
      .poll(async () => (await call(a, 'GET', '/meshes/quota/virtualNodes')).body.virtualNodes?.length)
      .toBe(3);
  });
});
