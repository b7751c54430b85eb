/**
 * How a replica tells the others which proxies are connected to it: its proxy-status
 * rows (without the age, which the reader works out from `connectedSince`) in a few
 * store records `ProxyStatus/_/<instance>.<shard>`, kept alive by the replica's lease
 * (src/store/etcd-leased-keys.ts). The mesh graph and the REST API skip the kind, as
 * they skip ClientToken and QuotaScope records.
 *
 * A replica with 10,000 proxies must not make one huge value (etcd refuses requests
 * over 1.5 MiB): proxies are spread over shards by a hash of their node id, about
 * SHARD_TARGET each, so a change to one proxy rewrites one shard, not all; a shard
 * still too big (long NACK messages) drops its last rows and says how many. Nothing in
 * a record changes unless a proxy's state does (no timestamps), so an unchanged shard
 * is never written again.
 */
import { createHash } from 'node:crypto';
import { resourceKey, resourceKeyPrefix } from '../store/index.js';
import type { ProxyStatusRow, TypeSync } from './proxy-status.js';

export const PROXY_STATUS_KIND = 'ProxyStatus';

/** A row as published: the age is the reader's to compute, the replica is the record's. */
export type PublishedProxy = Omit<ProxyStatusRow, 'replica' | 'ageSeconds'>;

export interface ProxyStatusRecord {
  replica: string;
  /** One process: a restarted replica of the same name is another instance. */
  instance: string;
  shard: number;
  shards: number;
  proxies: PublishedProxy[];
  /** Rows left out because the shard would have been too big. */
  omitted?: number;
}

/** Proxies per shard, on average. */
export const SHARD_TARGET = 250;
/** Largest shard value, well under the store's 1 MiB and etcd's 1.5 MiB request limit. */
export const MAX_SHARD_BYTES = 512 * 1024;
/** Envoy's NACK messages can be long; the proxy's own replica keeps the whole one. */
export const MAX_PUBLISHED_ERROR = 1024;

export const proxyStatusPrefix = (): string => resourceKeyPrefix(PROXY_STATUS_KIND, null);

export function isProxyStatusKey(key: string): boolean {
  return key.startsWith(resourceKeyPrefix(PROXY_STATUS_KIND));
}

function shardOf(nodeId: string, shards: number): number {
  return createHash('sha1').update(nodeId).digest().readUInt32BE(0) % shards;
}

/** A power of two, so a count that wobbles around a boundary does not reshuffle every shard each time. */
export function shardCount(proxies: number): number {
  let n = 1;
  while (proxies > n * SHARD_TARGET) n *= 2;
  return n;
}

function published(row: ProxyStatusRow): PublishedProxy {
  const { replica: _replica, ageSeconds: _age, ...rest } = row;
  const types = Object.fromEntries(
    Object.entries(rest.types).map(([t, s]: [string, TypeSync]) => [
      t,
      s.error !== undefined && s.error.length > MAX_PUBLISHED_ERROR
        ? { ...s, error: `${s.error.slice(0, MAX_PUBLISHED_ERROR)}…` }
        : s,
    ]),
  ) as PublishedProxy['types'];
  return { ...rest, types };
}

/**
 * The records for this replica's rows, by store key, each with its JSON text (made once:
 * at 10,000 proxies the records are ~8 MiB of JSON). With no proxy there is no record
 * at all: nothing to read, nothing to keep alive.
 */
export function statusRecords(
  rows: readonly ProxyStatusRow[],
  replica: string,
  instance: string,
): Map<string, { record: ProxyStatusRecord; text: string }> {
  const out = new Map<string, { record: ProxyStatusRecord; text: string }>();
  if (rows.length === 0) return out;
  const shards = shardCount(rows.length);
  const buckets: PublishedProxy[][] = Array.from({ length: shards }, () => []);
  for (const row of rows) buckets[shardOf(row.nodeId, shards)]!.push(published(row));
  buckets.forEach((proxies, shard) => {
    const record: ProxyStatusRecord = { replica, instance, shard, shards, proxies };
    let text = JSON.stringify(record);
    const size = Buffer.byteLength(text);
    if (size > MAX_SHARD_BYTES) {
      // Rows are about the same size: cut to the share that fits, then trim the rest one by one.
      const keep = Math.floor((proxies.length * MAX_SHARD_BYTES) / size);
      record.proxies = proxies.slice(0, keep);
      record.omitted = proxies.length - record.proxies.length;
      text = JSON.stringify(record);
      while (record.proxies.length > 0 && Buffer.byteLength(text) > MAX_SHARD_BYTES) {
        record.proxies.pop();
        record.omitted++;
        text = JSON.stringify(record);
      }
    }
    out.set(resourceKey(PROXY_STATUS_KIND, undefined, `${instance}.${shard}`), { record, text });
  });
  return out;
}
