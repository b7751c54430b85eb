/**
 * `clientToken` records kept in the store, so the contract of idempotency.ts holds across
 * replicas: a retry that reaches another replica finds what the first request did. The
 * record is written in the same store transaction as the resource it describes (as an
 * extra put that must find the token absent or expired), so of two replicas handling
 * the same token at once exactly one writes and the other replays its result. Expired
 * records are overwritten by the next claim and swept by `sweep` (the leader runs it).
 *
 * A replay answers with the resource as it is now, if it is still the one the token
 * made (same uid); the in-process cache in front of this keeps the exact first answer
 * for retries that reach the same replica.
 */
import { createHash } from 'node:crypto';
import {
  resourceKey,
  resourceKeyPrefix,
  ConflictError,
  type ResourceStore,
  type TxnPut,
} from '../store/index.js';

/** Store kind of the records; not an App Mesh kind, so the mesh graph and the catalog skip them. */
export const CLIENT_TOKEN_KIND = 'ClientToken';

export interface TokenRecord {
  operation: string;
  fingerprint: string;
  /** uid of the resource (or route) the request created or updated. */
  uid: string;
  /** Epoch ms after which the token may be used again. */
  expiresAt: number;
}

export interface TokenLookup {
  key: string;
  /** The record, when it exists and has not expired. */
  live?: TokenRecord;
  /** Store version of the record (0: none); a claim must find it unchanged. */
  version: number;
  /** Store revision the lookup read at (a replay waits for the local view to reach it). */
  revision: number;
}

export class TokenLedger {
  constructor(
    private readonly store: ResourceStore,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  static keyOf(operation: string, token: string): string {
    const digest = createHash('sha256').update(`${operation}\u0000${token}`).digest('hex');
    return resourceKey(CLIENT_TOKEN_KIND, undefined, digest);
  }

  static isKey(key: string): boolean {
    return key.startsWith(resourceKeyPrefix(CLIENT_TOKEN_KIND));
  }

  /** Reads the token's record from the store itself (not a local view: another replica may just have written it). */
  async lookup(operation: string, token: string): Promise<TokenLookup> {
    const key = TokenLedger.keyOf(operation, token);
    const [record, revision] = await Promise.all([this.store.get<TokenRecord>(key), this.store.revision()]);
    if (!record) return { key, version: 0, revision };
    const live = record.value.expiresAt > this.now() ? record.value : undefined;
    return {
      key,
      version: record.version,
      revision: Math.max(revision, record.modRevision),
      ...(live ? { live } : {}),
    };
  }

  /** The transaction op that records the token; it fails (ConflictError on `lookup.key`) if another request got there first. */
  claim(lookup: TokenLookup, operation: string, fingerprint: string, uid: string): TxnPut {
    const value: TokenRecord = { operation, fingerprint, uid, expiresAt: this.now() + this.ttlMs };
    return { op: 'put', key: lookup.key, value, expectedVersion: lookup.version };
  }

  /**
   * Deletes expired records, each only if unchanged since read; returns how many went.
   * `remove` deletes one (key, version) and says whether it did: by default a
   * conditional delete, on etcd the leader's fenced one (etcd-election.ts).
   */
  async sweep(
    remove: (key: string, version: number) => Promise<boolean> = (key, version) =>
      this.removeIfUnchanged(key, version),
  ): Promise<number> {
    let removed = 0;
    let token: string | undefined;
    const now = this.now();
    do {
      const page = await this.store.list<TokenRecord>({
        prefix: resourceKeyPrefix(CLIENT_TOKEN_KIND),
        limit: 500,
        ...(token !== undefined ? { continueToken: token } : {}),
      });
      for (const r of page.items) {
        if (!(r.value.expiresAt <= now)) continue;
        if (await remove(r.key, r.version)) removed++;
      }
      token = page.nextToken;
    } while (token !== undefined);
    return removed;
  }

  private async removeIfUnchanged(key: string, version: number): Promise<boolean> {
    try {
      await this.store.delete(key, { expectedVersion: version });
      return true;
    } catch (err) {
      // Claimed again meanwhile: it is live now.
      if (err instanceof ConflictError) return false;
      throw err;
    }
  }
}
