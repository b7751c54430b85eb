/**
 * The behaviour every ResourceStore back end must share. Each back end's test file calls
 * `registerStoreContract` with a factory for a fresh, empty store. Revisions are only
 * compared relative to each other: etcd's revision is cluster-wide, not per store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CompactedError,
  ConflictError,
  InvalidArgumentError,
  StoreClosedError,
  resourceKey,
  type ResourceStore,
  type StoredRecord,
  type WatchEvent,
  type WatchStream,
} from './types.js';

export type StoreFactory = () => Promise<ResourceStore>;

/** Reads exactly `n` events, failing loudly if they do not arrive in time. */
export async function takeEvents<T>(
  stream: WatchStream<T>,
  n: number,
  timeoutMs = 5_000,
): Promise<WatchEvent<T>[]> {
  const it = stream[Symbol.asyncIterator]();
  const out: WatchEvent<T>[] = [];
  while (out.length < n) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${out.length}/${n} events`)), timeoutMs);
    });
    try {
      const r = await Promise.race([it.next(), timeout]);
      if (r.done) throw new Error(`stream ended after ${out.length}/${n} events`);
      out.push(r.value);
    } finally {
      clearTimeout(timer);
    }
  }
  return out;
}

/** Asserts nothing more arrives within `ms` (used after the expected events). */
async function expectQuiet<T>(stream: WatchStream<T>, ms = 300): Promise<void> {
  await expect(takeEvents(stream, 1, ms)).rejects.toThrow(/timed out/);
}

function summary(events: WatchEvent[]): string[] {
  return events.map((e) => `${e.type} ${e.record.key}`);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

export function registerStoreContract(name: string, open: StoreFactory): void {
  describe(`ResourceStore contract: ${name}`, () => {
    let store: ResourceStore;

    beforeEach(async () => {
      store = await open();
    });

    afterEach(async () => {
      await store.close();
    });

    describe('CRUD and versions', () => {
      it('creates, reads, updates and deletes with per-key versions and revisions', async () => {
        const key = resourceKey('VirtualNode', 'mesh-test', 'vnode-1');
        expect(await store.get(key)).toBeUndefined();

        const r0 = await store.revision();
        const created = await store.put(key, { spec: { port: 8080 }, tags: ['a'] });
        expect(created).toMatchObject({ key, value: { spec: { port: 8080 }, tags: ['a'] }, version: 1 });
        expect(created.createRevision).toBe(created.modRevision);
        expect(created.modRevision).toBeGreaterThan(r0);
        expect(await store.revision()).toBe(created.modRevision);
        expect(await store.get(key)).toEqual(created);

        const updated = await store.put(key, { spec: { port: 9090 } });
        expect(updated.version).toBe(2);
        expect(updated.createRevision).toBe(created.createRevision);
        expect(updated.modRevision).toBeGreaterThan(created.modRevision);
        expect(await store.get(key)).toEqual(updated);

        const deleted = await store.delete(key);
        expect(deleted).toEqual(updated);
        expect(await store.get(key)).toBeUndefined();
        expect(await store.delete(key)).toBeUndefined();

        const again = await store.put(key, 'back');
        expect(again.version).toBe(1);
        expect(again.createRevision).toBeGreaterThan(updated.modRevision);
      });

      it('stores any JSON value and hands out copies', async () => {
        const values: unknown[] = [
          null,
          true,
          0,
          -1.5,
          'text',
          [],
          [1, [2]],
          { a: { b: [null, 'x'] } },
          'ünï€😀',
        ];
        for (const [i, v] of values.entries()) {
          const rec = await store.put(`json/${i}`, v);
          expect(rec.value).toEqual(v);
          expect((await store.get(`json/${i}`))?.value).toEqual(v);
        }
        const input = { list: [1, 2] };
        const rec = await store.put<{ list: number[] }>('copy', input);
        input.list.push(3);
        rec.value.list.push(4);
        const read = await store.get<{ list: number[] }>('copy');
        expect(read?.value).toEqual({ list: [1, 2] });
        read?.value.list.push(5);
        expect((await store.get('copy'))?.value).toEqual({ list: [1, 2] });
      });

      it('rejects what JSON cannot hold and malformed keys', async () => {
        await expect(store.put('k', undefined)).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(store.put('k', 10n)).rejects.toBeInstanceOf(InvalidArgumentError);
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        await expect(store.put('k', cyclic)).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(store.put('k', 'x'.repeat(1024 * 1024))).rejects.toBeInstanceOf(InvalidArgumentError);
        const nearLimit = await store.put('big', 'é'.repeat(400_000));
        expect(nearLimit.value).toHaveLength(400_000);
        await expect(store.put('', 1)).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(store.put('a\0b', 1)).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(store.put('bad\uD800', 1)).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(store.get('')).rejects.toBeInstanceOf(InvalidArgumentError);
        expect(await store.get('k')).toBeUndefined();
      });
    });

    describe('optimistic concurrency', () => {
      it('put honours expectedVersion (0 = must not exist)', async () => {
        const a = await store.put('cas/a', 1, { expectedVersion: 0 });
        expect(a.version).toBe(1);

        const dup = await rejection(store.put('cas/a', 2, { expectedVersion: 0 }));
        expect(dup).toBeInstanceOf(ConflictError);
        expect(dup).toMatchObject({ key: 'cas/a', expectedVersion: 0, actualVersion: 1, code: 'conflict' });

        const b = await store.put('cas/a', 3, { expectedVersion: 1 });
        expect(b.version).toBe(2);
        const stale = await rejection(store.put('cas/a', 4, { expectedVersion: 1 }));
        expect(stale).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
        expect((await store.get('cas/a'))?.value).toBe(3);

        const missing = await rejection(store.put('cas/none', 1, { expectedVersion: 3 }));
        expect(missing).toBeInstanceOf(ConflictError);
        expect(missing).toMatchObject({ expectedVersion: 3, actualVersion: 0 });
        expect(await store.get('cas/none')).toBeUndefined();
        await expect(store.put('cas/a', 1, { expectedVersion: -1 })).rejects.toBeInstanceOf(
          InvalidArgumentError,
        );
        await expect(store.put('cas/a', 1, { expectedVersion: 1.5 })).rejects.toBeInstanceOf(
          InvalidArgumentError,
        );
      });

      it('delete honours expectedVersion', async () => {
        await store.put('cas/d', 'v1');
        await store.put('cas/d', 'v2');
        const wrong = await rejection(store.delete('cas/d', { expectedVersion: 1 }));
        expect(wrong).toBeInstanceOf(ConflictError);
        expect(wrong).toMatchObject({ actualVersion: 2 });
        expect((await store.get('cas/d'))?.value).toBe('v2');
        const gone = await store.delete('cas/d', { expectedVersion: 2 });
        expect(gone).toMatchObject({ value: 'v2', version: 2 });
        expect(await store.get('cas/d')).toBeUndefined();
        expect(await store.delete('cas/d', { expectedVersion: 0 })).toBeUndefined();
        await expect(store.delete('cas/d', { expectedVersion: 2 })).rejects.toBeInstanceOf(ConflictError);
      });

      it('only one of many racing creates of the same key wins', async () => {
        const racers = Array.from({ length: 12 }, (_, i) =>
          store.put('race/key', { writer: i }, { expectedVersion: 0 }),
        );
        const settled = await Promise.allSettled(racers);
        const won = settled.filter(
          (s): s is PromiseFulfilledResult<StoredRecord<{ writer: number }>> => s.status === 'fulfilled',
        );
        const lost = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(11);
        for (const l of lost) expect(l.reason).toBeInstanceOf(ConflictError);
        const winner = won[0]?.value;
        expect(await store.get('race/key')).toEqual(winner);
      });

      it('racing read-modify-write loops lose no update', async () => {
        await store.put('race/counter', 0);
        const workers = 4;
        const perWorker = 10;
        let conflicts = 0;
        const work = async (): Promise<void> => {
          for (let done = 0; done < perWorker;) {
            const cur = (await store.get<number>('race/counter')) as StoredRecord<number>;
            try {
              await store.put('race/counter', cur.value + 1, { expectedVersion: cur.version });
              done++;
            } catch (err) {
              if (!(err instanceof ConflictError)) throw err;
              conflicts++;
            }
          }
        };
        await Promise.all(Array.from({ length: workers }, work));
        const final = await store.get<number>('race/counter');
        expect(final?.value).toBe(workers * perWorker);
        expect(final?.version).toBe(workers * perWorker + 1);
        expect(conflicts).toBeGreaterThan(0);
      });
    });

    describe('list', () => {
      it('pages in key order with continue tokens, within the prefix only', async () => {
        const keys = Array.from({ length: 25 }, (_, i) => `page/${String(i).padStart(2, '0')}`);
        for (const k of [...keys].reverse()) await store.put(k, k);
        await store.put('pagf', 'outside');
        await store.put('pag', 'outside');
        await store.put('other/1', 'outside');

        const seen: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const page = await store.list({ prefix: 'page/', limit: 10, continueToken: token });
          pages++;
          expect(page.items.length).toBeLessThanOrEqual(10);
          expect(page.revision).toBe(await store.revision());
          for (const item of page.items) {
            expect(item.modRevision).toBeLessThanOrEqual(page.revision);
            expect(item.value).toBe(item.key);
          }
          seen.push(...page.items.map((i) => i.key));
          token = page.nextToken;
        } while (token !== undefined && pages < 10);
        expect(pages).toBe(3);
        expect(seen).toEqual(keys);

        const all = await store.list({ prefix: 'page/' });
        expect(all.items.map((i) => i.key)).toEqual(keys);
        expect(all.nextToken).toBeUndefined();
        const everything = await store.list();
        expect(everything.items.map((i) => i.key)).toEqual(['other/1', 'pag', ...keys, 'pagf']);
      });

      it('gives no token when the last page is exactly full, and none for an empty prefix', async () => {
        for (let i = 0; i < 4; i++) await store.put(`exact/${i}`, i);
        const p1 = await store.list({ prefix: 'exact/', limit: 2 });
        expect(p1.nextToken).toBeDefined();
        const p2 = await store.list({ prefix: 'exact/', limit: 2, continueToken: p1.nextToken });
        expect(p2.items.map((i) => i.key)).toEqual(['exact/2', 'exact/3']);
        expect(p2.nextToken).toBeUndefined();
        const none = await store.list({ prefix: 'nothing/', limit: 5 });
        expect(none.items).toEqual([]);
        expect(none.nextToken).toBeUndefined();
      });

      it('orders keys by code point, as etcd and SQLite do', async () => {
        const keys = ['uni/a', 'uni/b', 'uni/é', 'uni/\uFFFD', 'uni/😀'];
        for (const k of [...keys].reverse()) await store.put(k, k);
        const page1 = await store.list({ prefix: 'uni/', limit: 3 });
        const page2 = await store.list({ prefix: 'uni/', limit: 3, continueToken: page1.nextToken });
        expect([...page1.items, ...page2.items].map((i) => i.key)).toEqual(keys);
      });

      it('continues correctly when keys change between pages', async () => {
        for (let i = 0; i < 6; i++) await store.put(`mv/${i}`, i);
        const p1 = await store.list({ prefix: 'mv/', limit: 3 });
        await store.delete('mv/4');
        await store.put('mv/0a', 'before cursor');
        await store.put('mv/5a', 'after cursor');
        const p2 = await store.list({ prefix: 'mv/', limit: 10, continueToken: p1.nextToken });
        expect(p2.items.map((i) => i.key)).toEqual(['mv/3', 'mv/5', 'mv/5a']);
      });

      it('rejects bad tokens and limits', async () => {
        await store.put('tok/1', 1);
        await store.put('tok/2', 1);
        const p = await store.list({ prefix: 'tok/', limit: 1 });
        await expect(store.list({ prefix: 'other/', continueToken: p.nextToken })).rejects.toBeInstanceOf(
          InvalidArgumentError,
        );
        await expect(store.list({ prefix: 'tok/', continueToken: 'garbage!' })).rejects.toBeInstanceOf(
          InvalidArgumentError,
        );
        await expect(store.list({ limit: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(store.list({ limit: 2.5 })).rejects.toBeInstanceOf(InvalidArgumentError);
      });
    });

    describe('txn', () => {
      const router = resourceKey('VirtualRouter', 'mesh-test', 'vr');
      const route = resourceKey('Route', 'mesh-test', 'vr-r1');

      it('creates a route and updates its router atomically under one revision', async () => {
        const vr = await store.put(router, { routes: [] });
        const res = await store.txn([
          { op: 'put', key: route, value: { router: 'vr' }, expectedVersion: 0 },
          { op: 'put', key: router, value: { routes: ['vr-r1'] }, expectedVersion: vr.version },
        ]);
        expect(res.results).toHaveLength(2);
        expect(res.results[0]).toMatchObject({
          key: route,
          version: 1,
          modRevision: res.revision,
          createRevision: res.revision,
        });
        expect(res.results[1]).toMatchObject({
          key: router,
          version: 2,
          modRevision: res.revision,
          value: { routes: ['vr-r1'] },
        });
        expect(res.revision).toBeGreaterThan(vr.modRevision);
        expect(await store.revision()).toBe(res.revision);
        expect(await store.get(route)).toEqual(res.results[0]);
        expect(await store.get(router)).toEqual(res.results[1]);
      });

      it('a failing check aborts every op', async () => {
        await store.put(router, { routes: [] });
        await store.put(router, { routes: ['other'] });
        await store.put('txn/doomed', 'keep');
        const before = await store.revision();
        const err = await rejection(
          store.txn([
            { op: 'put', key: route, value: {}, expectedVersion: 0 },
            { op: 'delete', key: 'txn/doomed' },
            { op: 'put', key: router, value: { routes: ['vr-r1'] }, expectedVersion: 1 },
          ]),
        );
        expect(err).toBeInstanceOf(ConflictError);
        expect(err).toMatchObject({ key: router, expectedVersion: 1, actualVersion: 2 });
        expect(await store.get(route)).toBeUndefined();
        expect((await store.get('txn/doomed'))?.value).toBe('keep');
        expect((await store.get(router))?.value).toEqual({ routes: ['other'] });
        expect(await store.revision()).toBe(before);
      });

      it('supports checks and deletes, and reports what each op saw', async () => {
        const a = await store.put('txn/a', 'a');
        await store.put('txn/b', 'b');
        const res = await store.txn([
          { op: 'check', key: 'txn/a', expectedVersion: a.version },
          { op: 'check', key: 'txn/none', expectedVersion: 0 },
          { op: 'delete', key: 'txn/b', expectedVersion: 1 },
          { op: 'delete', key: 'txn/never' },
          { op: 'put', key: 'txn/c', value: 'c' },
        ]);
        expect(res.results[0]).toEqual(a);
        expect(res.results[1]).toBeUndefined();
        expect(res.results[2]).toMatchObject({ key: 'txn/b', value: 'b', version: 1 });
        expect(res.results[3]).toBeUndefined();
        expect(res.results[4]).toMatchObject({ key: 'txn/c', version: 1, modRevision: res.revision });
        expect(await store.get('txn/b')).toBeUndefined();

        await expect(
          store.txn([{ op: 'check', key: 'txn/none', expectedVersion: 1 }]),
        ).rejects.toBeInstanceOf(ConflictError);
        const rev = await store.revision();
        const readOnly = await store.txn([{ op: 'check', key: 'txn/a', expectedVersion: 1 }]);
        expect(readOnly.revision).toBe(rev);
        expect(await store.revision()).toBe(rev);
      });

      it('rejects a key used twice and malformed ops before writing anything', async () => {
        await expect(
          store.txn([
            { op: 'put', key: 'txn/x', value: 1 },
            { op: 'delete', key: 'txn/x' },
          ]),
        ).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(
          store.txn([
            { op: 'put', key: 'txn/y', value: 1 },
            { op: 'put', key: 'txn/z', value: undefined },
          ]),
        ).rejects.toBeInstanceOf(InvalidArgumentError);
        expect(await store.get('txn/x')).toBeUndefined();
        expect(await store.get('txn/y')).toBeUndefined();
      });

      it('takes up to 128 ops in one txn, and no more', async () => {
        const ops = (n: number) =>
          Array.from({ length: n }, (_, i) => ({ op: 'put' as const, key: `big/${i}`, value: i }));
        const res = await store.txn(ops(128));
        expect(new Set(res.results.map((r) => r?.modRevision))).toEqual(new Set([res.revision]));
        expect((await store.list({ prefix: 'big/' })).items).toHaveLength(128);
        await expect(store.txn(ops(129))).rejects.toBeInstanceOf(InvalidArgumentError);
      });

      it('only one of two racing txns on the same versions commits', async () => {
        const vr = await store.put(router, { routes: [] });
        const attempt = (name: string) =>
          store.txn([
            { op: 'put', key: resourceKey('Route', 'mesh-test', name), value: {}, expectedVersion: 0 },
            { op: 'put', key: router, value: { routes: [name] }, expectedVersion: vr.version },
          ]);
        const settled = await Promise.allSettled([attempt('r1'), attempt('r2')]);
        expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
        const loser = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        expect(loser?.reason).toBeInstanceOf(ConflictError);
        const routes = await store.list({ prefix: 'Route/' });
        expect(routes.items).toHaveLength(1);
        const winnerName = ((await store.get<{ routes: string[] }>(router))?.value.routes ?? [])[0];
        expect(routes.items[0]?.key).toBe(resourceKey('Route', 'mesh-test', winnerName ?? '?'));
      });
    });

    describe('watch', () => {
      it('delivers live changes under its prefix, deletes carrying the last value', async () => {
        const stream = await store.watch({ prefix: 'w/' });
        const start = stream.startRevision;
        expect(start).toBe(await store.revision());
        const p1 = await store.put('w/a', { n: 1 });
        await store.put('other/x', 'ignored');
        await store.put('w', 'not under w/');
        const p2 = await store.put('w/a', { n: 2 });
        const d = await store.delete('w/a');
        const events = await takeEvents(stream, 3);
        expect(summary(events)).toEqual(['put w/a', 'put w/a', 'delete w/a']);
        expect(events[0]).toEqual({ type: 'put', record: p1, revision: p1.modRevision });
        expect(events[1]).toEqual({ type: 'put', record: p2, revision: p2.modRevision });
        expect(events[2]?.record).toEqual(d);
        expect(events[2]?.revision).toBeGreaterThan(p2.modRevision);
        await expectQuiet(stream);
        stream.close();
      });

      it('delivers a txn as consecutive events sharing one revision, in op order', async () => {
        const stream = await store.watch({ prefix: 'tw/' });
        await store.put('tw/old', 1);
        const res = await store.txn([
          { op: 'put', key: 'tw/z', value: 'z' },
          { op: 'delete', key: 'tw/old' },
          { op: 'put', key: 'tw/a', value: 'a' },
        ]);
        const events = await takeEvents(stream, 4);
        expect(summary(events)).toEqual(['put tw/old', 'put tw/z', 'delete tw/old', 'put tw/a']);
        expect(events.slice(1).map((e) => e.revision)).toEqual([res.revision, res.revision, res.revision]);
        stream.close();
      });

      it('resumes from a revision: replays the change log, then goes live', async () => {
        await store.put('r/before', 0);
        const from = await store.revision();
        const a = await store.put('r/a', 1);
        await store.put('x/elsewhere', 1);
        await store.put('r/a', 2);
        await store.delete('r/before');

        const stream = await store.watch({ prefix: 'r/', fromRevision: from });
        expect(stream.startRevision).toBe(from);
        const replayed = await takeEvents(stream, 3);
        expect(summary(replayed)).toEqual(['put r/a', 'put r/a', 'delete r/before']);
        expect(replayed[0]?.record).toEqual(a);
        expect(replayed[2]?.record).toMatchObject({ key: 'r/before', value: 0, version: 1 });
        const live = await store.put('r/live', true);
        const next = await takeEvents(stream, 1);
        expect(next[0]?.record).toEqual(live);
        stream.close();

        const mid = await store.watch({ prefix: 'r/', fromRevision: a.modRevision });
        expect(summary(await takeEvents(mid, 3))).toEqual(['put r/a', 'delete r/before', 'put r/live']);
        await expectQuiet(mid);
        mid.close();
      });

      it('fails with CompactedError when the history to resume from is gone', async () => {
        const first = await store.put('c/k', 0);
        for (let i = 1; i <= 5; i++) await store.put('c/k', i);
        const mid = await store.revision();
        for (let i = 6; i <= 8; i++) await store.put('c/k', i);
        await store.compact(mid);

        const err = await rejection(store.watch({ prefix: 'c/', fromRevision: first.modRevision - 1 }));
        expect(err).toBeInstanceOf(CompactedError);
        expect(err).toMatchObject({ requestedRevision: first.modRevision - 1, code: 'compacted' });
        await expect(store.watch({ prefix: 'c/', fromRevision: mid - 1 })).rejects.toBeInstanceOf(
          CompactedError,
        );

        const ok = await store.watch({ prefix: 'c/', fromRevision: mid });
        const events = await takeEvents(ok, 3);
        expect(events.map((e) => e.record.value)).toEqual([6, 7, 8]);
        ok.close();
        // Compaction never touches current data.
        expect((await store.get('c/k'))?.value).toBe(8);
      });

      it('stops delivering after close, and breaking out of for-await closes it', async () => {
        const stream = await store.watch({ prefix: 'cl/' });
        await store.put('cl/1', 1);
        for await (const ev of stream) {
          expect(ev.record.key).toBe('cl/1');
          break;
        }
        await store.put('cl/2', 2);
        const it = stream[Symbol.asyncIterator]();
        expect((await it.next()).done).toBe(true);
      });

      it('serves several independent watchers', async () => {
        const all = await store.watch();
        const some = await store.watch({ prefix: 'm/b' });
        await store.put('m/a', 1);
        await store.put('m/b1', 2);
        expect(summary(await takeEvents(all, 2))).toEqual(['put m/a', 'put m/b1']);
        expect(summary(await takeEvents(some, 1))).toEqual(['put m/b1']);
        all.close();
        some.close();
      });
    });

    describe('close', () => {
      it('ends watch streams and rejects further calls', async () => {
        const stream = await store.watch();
        const pending = stream[Symbol.asyncIterator]().next();
        await store.close();
        expect((await pending).done).toBe(true);
        await expect(store.get('k')).rejects.toBeInstanceOf(StoreClosedError);
        await expect(store.put('k', 1)).rejects.toBeInstanceOf(StoreClosedError);
        await expect(store.watch()).rejects.toBeInstanceOf(StoreClosedError);
        await store.close();
      });
    });
  });
}
