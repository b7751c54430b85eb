/**
 * The built-in CA kept in a Kubernetes Secret (--store kubernetes), against the API
 * server test double: created once by replicas starting together, reloaded by a
 * restart, conditional writes, another replica's rotation seen through the watch, and
 * a damaged Secret refused with its name.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CaRuntime, type KekSource } from '../ca/index.js';
import { RestKubeClient } from '../k8s/index.js';
import { ConflictError } from '../store/index.js';
import { ApiServerTestDouble } from '../../test/k8s-double/api-server-double.js';
import { CA_SECRET, secretAuthorityRecord } from './ca-secret-record.js';

const NS = 'amime-system';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const key = randomBytes(32);
const kek: KekSource = { name: 'test key file', read: () => key, exists: () => true };

const closers: Array<() => unknown> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function cluster() {
  const d = await ApiServerTestDouble.start();
  closers.push(() => d.close());
  const client = new RestKubeClient(d.kubeConfig());
  await client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  return client;
}

async function replica(client: RestKubeClient): Promise<CaRuntime> {
  const runtime = await CaRuntime.start({
    trustDomain: 'amime.local',
    record: secretAuthorityRecord(client, NS),
    kek,
    logger: quiet,
    onChange: () => undefined,
  });
  closers.push(() => runtime.close());
  return runtime;
}

const roots = (r: CaRuntime) => r.describe().roots.map((x) => x.sha256);

describe(`the built-in CA in Secret ${NS}/${CA_SECRET}`, () => {
  it('is created once by replicas starting together, reloaded after a restart, its root key sealed', async () => {
    const client = await cluster();
    const [a, b] = await Promise.all([replica(client), replica(client)]);
    expect(roots(a)).toHaveLength(1);
    expect(roots(b)).toEqual(roots(a));
    const restarted = await replica(client);
    expect(roots(restarted)).toEqual(roots(a));
    const secret = await client.get<{ data: Record<string, string> }>(
      `/api/v1/namespaces/${NS}/secrets/${CA_SECRET}`,
    );
    const stored = Buffer.from(secret.data['state.json']!, 'base64').toString('utf8');
    expect(stored).not.toMatch(/PRIVATE KEY/);
  });

  it("writes are conditional on the Secret's version", async () => {
    const client = await cluster();
    const record = secretAuthorityRecord(client, NS);
    await replica(client);
    const current = (await record.read())!;
    await expect(record.write(current.state, 0)).rejects.toBeInstanceOf(ConflictError);
    // A real change: the API server keeps the version of a write that changes nothing.
    const changed = {
      ...current.state,
      roots: current.state.roots.map((r) => ({ ...r, addedAt: new Date(0).toISOString() })),
    };
    const next = await record.write(changed, current.version);
    expect(next).toBeGreaterThan(current.version);
    await expect(record.write(current.state, current.version)).rejects.toBeInstanceOf(ConflictError);
    expect((await record.read())!.state).toEqual(changed);
  });

  it("a rotation by one replica reaches the other through the Secret's watch", async () => {
    const client = await cluster();
    const a = await replica(client);
    const b = await replica(client);
    await a.rotate({ activateAfterMs: 60_000 });
    expect(roots(a)).toHaveLength(2);
    await vi.waitFor(() => expect(roots(b)).toEqual(roots(a)), { timeout: 15_000, interval: 50 });
  });

  it('a Secret without the CA state stops the start, naming the Secret; nothing is overwritten', async () => {
    const client = await cluster();
    await client.create(`/api/v1/namespaces/${NS}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: CA_SECRET, namespace: NS },
      data: { other: Buffer.from('x').toString('base64') },
    });
    await expect(replica(client)).rejects.toThrow(`Secret ${NS}/${CA_SECRET} has no state.json`);
    const after = await client.get<{ data: Record<string, string> }>(
      `/api/v1/namespaces/${NS}/secrets/${CA_SECRET}`,
    );
    expect(Object.keys(after.data)).toEqual(['other']);
  });
});
