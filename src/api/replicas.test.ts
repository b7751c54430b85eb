/**
 * Two API replicas over one store, as two `amime serve --store etcd` share etcd: each
 * has its own view of the store (its own mirror), and only the store is shared. The
 * write gate holds the first writes until both replicas have made theirs, so both have
 * read and counted before either commits: the race the store's conditions must settle.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createMemoryStore, type ResourceStore } from '../store/index.js';
import { startApi, type Call } from '../../test/support/api-harness.js';
import { TokenLedger } from './token-ledger.js';

/** Holds the next `n` writes (put/txn) until all `n` have been made (at most 5 s), then lets everything through. */
class WriteGate {
  private held: Array<() => void> = [];
  private armed = 0;

  arm(n: number): void {
    this.armed = n;
  }

  async pass(): Promise<void> {
    if (this.armed === 0) return;
    await new Promise<void>((resolve) => {
      this.held.push(resolve);
      if (this.held.length >= this.armed) this.release();
      // A request that fails before writing must not hang the other.
      else setTimeout(() => this.release(), 5000).unref();
    });
  }

  private release(): void {
    this.armed = 0;
    for (const resume of this.held.splice(0)) resume();
  }

  wrap(store: ResourceStore): ResourceStore {
    return new Proxy(store, {
      get: (target, prop, receiver) => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        if (prop !== 'put' && prop !== 'txn') return value.bind(target);
        return async (...args: unknown[]) => {
          await this.pass();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function twoReplicas(
  quotas: Record<string, number> = {},
): Promise<{ a: Call; b: Call; store: ResourceStore; gate: WriteGate }> {
  const store = createMemoryStore();
  const gate = new WriteGate();
  const start = async () => {
    const started = await startApi({
      store: gate.wrap(store),
      sharedStore: true,
      rateLimit: false,
      quotas,
    });
    apps.push(started.app);
    return started.call;
  };
  return { a: await start(), b: await start(), store, gate };
}

const dnsNode = (hostname: string) => ({
  listeners: [{ portMapping: { port: 80, protocol: 'http' } }],
  serviceDiscovery: { dns: { hostname } },
});

describe('two API replicas on one store', () => {
  it('a clientToken retried on the other replica replays the first result, never a second resource', async () => {
    const { a, b, store } = await twoReplicas();
    const first = await a('PUT', '/meshes', { meshName: 'm', clientToken: 't1' });
    expect(first.status).toBe(200);
    const retried = await b('PUT', '/meshes', { meshName: 'm', clientToken: 't1' });
    expect(retried).toMatchObject({
      status: 200,
      body: { metadata: { uid: first.body.metadata && (first.body.metadata as { uid: string }).uid } },
    });
    const other = await b('PUT', '/meshes', {
      meshName: 'm',
      clientToken: 't1',
      spec: { egressFilter: { type: 'ALLOW_ALL' } },
    });
    expect(other).toMatchObject({ status: 409, errorType: 'ConflictException' });
    expect((await store.list({ prefix: 'Mesh/' })).items).toHaveLength(1);
    // Once the resource is gone, the token's first answer no longer stands (idempotency.ts).
    expect((await a('DELETE', '/meshes/m')).status).toBe(200);
    expect(await b('PUT', '/meshes', { meshName: 'm', clientToken: 't1' })).toMatchObject({
      status: 409,
      errorType: 'ConflictException',
    });
  });

  it('the same clientToken on both replicas at once creates one resource; both get it', async () => {
    const { a, b, store, gate } = await twoReplicas();
    gate.arm(2);
    const body = { meshName: 'm', clientToken: 'same' };
    const [ra, rb] = await Promise.all([a('PUT', '/meshes', body), b('PUT', '/meshes', body)]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect((ra.body.metadata as { uid: string }).uid).toBe((rb.body.metadata as { uid: string }).uid);
    expect((await store.list({ prefix: 'Mesh/' })).items).toHaveLength(1);
    const tokens = await store.list({ prefix: 'ClientToken/' });
    expect(tokens.items.map((r) => r.key)).toEqual([TokenLedger.keyOf('CreateMesh', 'same')]);
  });

  it('two updates of one virtual node from the same version: one wins, the other is a ConflictException', async () => {
    const { a, b, gate } = await twoReplicas();
    expect((await a('PUT', '/meshes', { meshName: 'm' })).status).toBe(200);
    expect((await a('PUT', '/meshes/m/virtualNodes', { virtualNodeName: 'n', spec: {} })).status).toBe(200);
    gate.arm(2);
    const [ra, rb] = await Promise.all([
      a('PUT', '/meshes/m/virtualNodes/n', { spec: dnsNode('a.local') }),
      b('PUT', '/meshes/m/virtualNodes/n', { spec: dnsNode('b.local') }),
    ]);
    const outcomes = [ra, rb].map((r) => r.errorType ?? String(r.status)).sort();
    expect(outcomes).toEqual(['200', 'ConflictException']);
    const winner = ra.status === 200 ? ra : rb;
    const now = await b('GET', '/meshes/m/virtualNodes/n');
    expect(now.body.metadata).toMatchObject({ version: 2 });
    expect(now.body.spec).toEqual(winner.body.spec);
  });

  it('creates on both replicas at once cannot together pass a count quota', async () => {
    const { a, b, store, gate } = await twoReplicas({ virtualNodesPerMesh: 1 });
    expect((await a('PUT', '/meshes', { meshName: 'm' })).status).toBe(200);
    gate.arm(2);
    const [ra, rb] = await Promise.all([
      a('PUT', '/meshes/m/virtualNodes', { virtualNodeName: 'n1', spec: {} }),
      b('PUT', '/meshes/m/virtualNodes', { virtualNodeName: 'n2', spec: {} }),
    ]);
    const outcomes = [ra, rb].map((r) => r.errorType ?? String(r.status)).sort();
    expect(outcomes).toEqual(['200', 'LimitExceededException']);
    expect((await store.list({ prefix: 'VirtualNode/' })).items).toHaveLength(1);
  });

  it('expired clientTokens are swept, and a swept token may be used again', async () => {
    let t = 1_000_000;
    const store = createMemoryStore();
    const started = await startApi({
      store,
      rateLimit: false,
      now: () => t,
      idempotency: { ttlMs: 1000, now: () => t },
    });
    apps.push(started.app);
    expect((await started.call('PUT', '/meshes', { meshName: 'm', clientToken: 'x' })).status).toBe(200);
    const ledger = new TokenLedger(store, 1000, () => t);
    expect(await ledger.sweep()).toBe(0);
    t += 5000;
    expect(await ledger.sweep()).toBe(1);
    expect((await store.list({ prefix: 'ClientToken/' })).items).toHaveLength(0);
    expect((await started.call('PUT', '/meshes', { meshName: 'm2', clientToken: 'x' })).status).toBe(200);
  });
});
