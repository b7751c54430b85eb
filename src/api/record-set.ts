/**
 * The records of one mesh as the write path's validation sees them, with a fingerprint
 * that names the set: the number of records and the sum (mod 2^64) of a 64-bit hash of
 * each record's (key, modRevision). A sum does not depend on order and follows a
 * change in O(1) — a record in, a record out — so the catalog keeps it current as the
 * store changes and `ChangeValidator` recognises a mesh state without walking its
 * thousands of records per write (they were listed, compared and copied per write).
 */
import { createHash } from 'node:crypto';
import type { AnyResource } from '../model/index.js';
import type { StoredRecord } from '../store/index.js';

export interface RecordSetFingerprint {
  readonly count: number;
  readonly sum: bigint;
}

export const EMPTY_FINGERPRINT: RecordSetFingerprint = { count: 0, sum: 0n };

const MOD = 1n << 64n;

/** 64 bits of SHA-256 over the key and revision: a chance match is 2^-64 per comparison. */
function recordHash(key: string, modRevision: number): bigint {
  const id = `${key}\0${modRevision}`;
  let h = recentHashes.get(id);
  if (h === undefined) {
    h = createHash('sha256').update(id).digest().readBigUInt64BE(0);
    if (recentHashes.size >= RECENT_HASHES) recentHashes.delete(recentHashes.keys().next().value as string);
    recentHashes.set(id, h);
  }
  return h;
}

/**
 * A write hashes the same two records twice: the catalog follows it (the record out,
 * the record in) and `ChangeValidator.landed` names the state it produced. The most
 * recent hashes are kept so the second time is a lookup, not two SHA-256s.
 */
const RECENT_HASHES = 256;
const recentHashes = new Map<string, bigint>();

export function withRecord(fp: RecordSetFingerprint, key: string, modRevision: number): RecordSetFingerprint {
  return { count: fp.count + 1, sum: (fp.sum + recordHash(key, modRevision)) % MOD };
}

export function withoutRecord(
  fp: RecordSetFingerprint,
  key: string,
  modRevision: number,
): RecordSetFingerprint {
  return { count: fp.count - 1, sum: (fp.sum - recordHash(key, modRevision) + MOD) % MOD };
}

export function sameFingerprint(a: RecordSetFingerprint, b: RecordSetFingerprint): boolean {
  return a.count === b.count && a.sum === b.sum;
}

export function fingerprintOf(
  records: Iterable<Pick<StoredRecord, 'key' | 'modRevision'>>,
): RecordSetFingerprint {
  let fp = EMPTY_FINGERPRINT;
  for (const r of records) fp = withRecord(fp, r.key, r.modRevision);
  return fp;
}

/** A mesh's records: named by their fingerprint, read one by key, or listed when the whole mesh is needed. */
export interface MeshRecordSet {
  readonly fingerprint: RecordSetFingerprint;
  get(key: string): StoredRecord<AnyResource> | undefined;
  all(): ReadonlyArray<StoredRecord<AnyResource>>;
}

/** A record set over a list (tests, and callers that hold the list anyway). */
export function recordSetOf(records: ReadonlyArray<StoredRecord<AnyResource>>): MeshRecordSet {
  const byKey = new Map(records.map((r) => [r.key, r]));
  return { fingerprint: fingerprintOf(records), get: (key) => byKey.get(key), all: () => records };
}
