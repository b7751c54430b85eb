/**
 * The proxy-status records each replica writes into the shared store (status-record.ts)
 * are the console's alone: translation is not started by them and the mesh graph's
 * input does not hold them, the REST API does not list them, and the StatusBoard of
 * another replica reads them (its own are left out).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createMemoryStore, StoreMirror, StoreSource, type ResourceStore } from '../store/index.js';
import { SEED_COMPLETE } from '../../test/support/fixtures.js';
import { importManifests, startApi } from '../../test/support/api-harness.js';
import type { ProxyStatusRow, TypeSync } from './proxy-status.js';
import { statusRecords } from './status-record.js';
import { StatusBoard } from './status-board.js';

const synced: TypeSync = { state: 'SYNCED', ackedVersion: 'v1', sentVersion: 'v1', resources: 1 };
const row: ProxyStatusRow = {
  nodeId: 'mesh/mesh-1/virtualNode/vnode-x_mesh-test',
  group: 'mesh/mesh-1/virtualNode/vnode-x_mesh-test',
  snapshotVersion: 'v1',
  replica: 'replica-b',
  flavour: 'envoy',
  protocol: 'sotw',
  peer: '127.0.0.1:1',
  connectedSince: '2026-12-05T00:00:00.000Z',
  ageSeconds: 0,
  waiting: false,
  types: { CDS: synced, LDS: synced, EDS: synced, RDS: synced, SDS: synced },
  state: 'SYNCED',
};

let store: ResourceStore;
let mirror: StoreMirror;
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  mirror?.close();
  await store?.close();
});

async function publish(replica: string, instance: string): Promise<void> {
  for (const [key, { record }] of statusRecords([{ ...row, replica }], replica, instance))
    await store.put(key, record);
}

describe('ProxyStatus records in the store', () => {
  it('start no translation, are no input of the mesh graph, and the REST API does not show them', async () => {
    store = createMemoryStore();
    await importManifests(store, [SEED_COMPLETE]);
    mirror = await StoreMirror.open(store);
    let translations = 0;
    const source = new StoreSource(mirror, () => translations++);
    const input = JSON.stringify(source.graphInput());
    const api = await startApi({ store, mirror });
    app = api.app;
    const before = await Promise.all(
      ['/meshes', '/meshes/mesh-1/virtualNodes'].map(async (u) => (await api.call('GET', u)).body),
    );

    await publish('replica-b', 'instance-b');
    const last = await store.put('ProxyStatus/_/instance-b.1', { replica: 'replica-b', proxies: [] });
    await mirror.waitFor(last.modRevision);
    await store.delete('ProxyStatus/_/instance-b.1');
    await mirror.waitFor(await store.revision());

    expect(translations).toBe(0);
    expect(JSON.stringify(source.graphInput())).toBe(input);
    const after = await Promise.all(
      ['/meshes', '/meshes/mesh-1/virtualNodes'].map(async (u) => (await api.call('GET', u)).body),
    );
    expect(after).toEqual(before);
    expect(JSON.stringify(after)).not.toContain('replica-b');
    source.close();
  });

  it("are read by the other replicas' StatusBoard with their replica, not by their writer's", async () => {
    store = createMemoryStore();
    mirror = await StoreMirror.open(store);
    let changes = 0;
    const boardA = new StatusBoard(mirror, 'instance-a', () => changes++);
    const boardB = new StatusBoard(mirror, 'instance-b');
    await publish('replica-b', 'instance-b');
    await mirror.waitFor(await store.revision());
    const now = Date.parse('2026-12-05T00:01:00.000Z');
    expect(boardA.rows(now).map((r) => [r.nodeId, r.replica, r.ageSeconds])).toEqual([
      [row.nodeId, 'replica-b', 60],
    ]);
    expect(boardB.rows(now)).toEqual([]);
    expect(changes).toBe(1);
    // The lease went (the replica died): the rows go with the records.
    for (const r of (await store.list({ prefix: 'ProxyStatus/' })).items) await store.delete(r.key);
    await mirror.waitFor(await store.revision());
    expect(boardA.rows(now)).toEqual([]);
    boardA.close();
    boardB.close();
  });
});
