import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { suiteTempDir } from '../../test/support/temp-dir.js';
import { createSqliteStore, DEFAULT_SQLITE_FILE } from './sqlite-store.js';
import { registerStoreContract, takeEvents } from './store-contract.testkit.js';
import { CompactedError, StoreUnavailableError } from './types.js';

const root = suiteTempDir('amime-sqlite-test-');
let n = 0;
const freshDir = (): string => join(root(), `db-${n++}`);

registerStoreContract('sqlite', async () => createSqliteStore({ dataDir: freshDir() }));

describe('sqlite store specifics', () => {
  it('keeps records, versions, revision and change history across reopen', async () => {
    const dataDir = freshDir();
    const a = createSqliteStore({ dataDir });
    await a.put('p/one', { n: 1 });
    const two = await a.put('p/two', { n: 2 });
    await a.put('p/one', { n: 11 });
    await a.delete('p/two');
    const rev = await a.revision();
    await a.close();

    const b = createSqliteStore({ dataDir });
    expect(await b.revision()).toBe(rev);
    expect(await b.get('p/one')).toMatchObject({
      value: { n: 11 },
      version: 2,
      createRevision: 1,
      modRevision: 3,
    });
    expect(await b.get('p/two')).toBeUndefined();
    const stream = await b.watch({ fromRevision: two.modRevision });
    const events = await takeEvents(stream, 2);
    expect(events.map((e) => `${e.type} ${e.record.key} ${e.revision}`)).toEqual([
      'put p/one 3',
      'delete p/two 4',
    ]);
    const next = await b.put('p/three', 3);
    expect(next.modRevision).toBe(rev + 1);
    expect((await takeEvents(stream, 1))[0]?.record).toEqual(next);
    await b.close();
  });

  it('persists an explicit compaction', async () => {
    const dataDir = freshDir();
    const a = createSqliteStore({ dataDir });
    for (let i = 0; i < 6; i++) await a.put('c/k', i);
    await a.compact(4);
    await a.close();
    const b = createSqliteStore({ dataDir });
    await expect(b.watch({ fromRevision: 3 })).rejects.toBeInstanceOf(CompactedError);
    expect((await takeEvents(await b.watch({ fromRevision: 4 }), 2)).map((e) => e.record.value)).toEqual([
      4, 5,
    ]);
    await b.close();
  });

  it('bounds the change-log table by historyLimit', async () => {
    const dataDir = freshDir();
    const store = createSqliteStore({ dataDir, historyLimit: 10 });
    for (let i = 0; i < 300; i++) await store.put(`r/${i % 7}`, i);
    await expect(store.watch({ fromRevision: 289 })).rejects.toBeInstanceOf(CompactedError);
    expect(
      (await takeEvents(await store.watch({ fromRevision: 290 }), 10)).map((e) => e.record.value),
    ).toEqual([290, 291, 292, 293, 294, 295, 296, 297, 298, 299]);
    await store.close();
    const db = new Database(join(dataDir, DEFAULT_SQLITE_FILE), { readonly: true });
    const rows = db.prepare('SELECT count(*) AS c, min(revision) AS lo FROM changes').get() as {
      c: number;
      lo: number;
    };
    db.close();
    // Pruning runs every 64 revisions, so at most historyLimit + 63 rows remain.
    expect(rows.c).toBeLessThan(10 + 64);
    expect(rows.lo).toBeGreaterThan(200);
  });

  it('refuses a second opener of the same data directory', async () => {
    const dataDir = freshDir();
    const a = createSqliteStore({ dataDir });
    await a.put('k', 1);
    expect(() => createSqliteStore({ dataDir, lockTimeoutMs: 100 })).toThrow(StoreUnavailableError);
    await a.close();
    const b = createSqliteStore({ dataDir });
    expect((await b.get('k'))?.value).toBe(1);
    await b.close();
  });

  it('leaves the database file in WAL mode', async () => {
    const dataDir = freshDir();
    const store = createSqliteStore({ dataDir });
    await store.put('k', 1);
    await store.close();
    const db = new Database(join(dataDir, DEFAULT_SQLITE_FILE));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });
});
