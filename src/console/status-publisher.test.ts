import { afterEach, describe, expect, it } from 'vitest';
import type { ProxyStatusRow, TypeSync } from './proxy-status.js';
import { StatusPublisher } from './status-publisher.js';

const synced: TypeSync = { state: 'SYNCED', ackedVersion: 'v1', sentVersion: 'v1', resources: 1 };
const row = (nodeId: string, ageSeconds: number): ProxyStatusRow => ({
  nodeId,
  group: nodeId,
  snapshotVersion: 'v1',
  replica: 'r',
  flavour: 'envoy',
  protocol: 'sotw',
  peer: '127.0.0.1:1',
  connectedSince: '2026-12-05T00:00:00.000Z',
  ageSeconds,
  waiting: false,
  types: { CDS: synced, LDS: synced, EDS: synced, RDS: synced, SDS: synced },
  state: 'SYNCED',
});

let publisher: StatusPublisher | undefined;
afterEach(() => publisher?.close());

describe('StatusPublisher', () => {
  it('writes at most once per interval, and only when a row changed (not for the age)', async () => {
    const written: Array<{ at: number; keys: string[] }> = [];
    let rows = [row('a', 1)];
    publisher = new StatusPublisher({
      writer: {
        set: (e: ReadonlyMap<string, string>) => written.push({ at: Date.now(), keys: [...e.keys()] }),
      },
      rows: () => rows,
      replica: 'r',
      instance: 'i',
      minIntervalMs: 300,
    });
    for (let i = 0; i < 50; i++) publisher.changed();
    await expect.poll(() => written.length).toBe(1);
    expect(written[0]!.keys).toEqual(['ProxyStatus/_/i.0']);

    // Only the age moved: nothing to write.
    rows = [row('a', 99)];
    publisher.changed();
    await new Promise((r) => setTimeout(r, 400));
    expect(written).toHaveLength(1);

    rows = [row('a', 99), row('b', 0)];
    publisher.changed();
    publisher.changed();
    await expect.poll(() => written.length).toBe(2);
    rows = [];
    publisher.changed();
    await expect.poll(() => written.length).toBe(3);
    expect(written[2]!.keys).toEqual([]); // no proxy: the records are deleted
    expect(written[2]!.at - written[1]!.at).toBeGreaterThanOrEqual(290);
    expect(publisher.publishes).toBe(3);
  });

  it('after a big write, waits as long as the byte budget says', async () => {
    const written: number[] = [];
    let rows = Array.from({ length: 100 }, (_, i) => row(`n${i}`, 0));
    publisher = new StatusPublisher({
      writer: { set: () => written.push(Date.now()) },
      rows: () => rows,
      replica: 'r',
      instance: 'i',
      minIntervalMs: 10,
      // ~80 KB of records at 100 KB/s: the next write ~0.8 s later, not 10 ms.
      bytesPerSecond: 100_000,
    });
    publisher.changed();
    await expect.poll(() => written.length).toBe(1);
    const bytes = publisher.lastBytes;
    expect(bytes).toBeGreaterThan(50_000);
    rows = rows.slice(1);
    publisher.changed();
    await expect.poll(() => written.length, { timeout: 5_000 }).toBe(2);
    expect(written[1]! - written[0]!).toBeGreaterThanOrEqual((bytes / 100_000) * 1000 - 20);
  });
});
