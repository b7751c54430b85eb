/**
 * `clientToken` idempotency for the Create and Update calls (appmesh.md §6.1). AWS's
 * contract: a retry with the same token and the same input has no further effect and
 * returns the result of the first, successful request; the same token with different
 * input is a ConflictException. One more rule here: the first result is returned only
 * while it is still true that the resource it describes exists (the same one, by uid).
 * A retry after that resource was deleted is a ConflictException too, never a 200 for
 * something that is gone, and never a silent re-creation (that would be a further
 * effect). Only successful responses are kept (a failed request may be retried for
 * real). This cache, in memory and bounded by count and age, answers retries that reach
 * the same process with the exact first response; token-ledger.ts keeps the tokens in
 * the store for the other replicas and restarts.
 */
import { createHash } from 'node:crypto';
import { conflict } from './errors.js';

export interface IdempotencyOptions {
  /** Tokens remembered at most (oldest forgotten first). Default 10,000. */
  maxEntries?: number;
  /** How long a token is remembered. Default 8 hours. */
  ttlMs?: number;
  now?: () => number;
}

interface RememberedRequest {
  fingerprint: string;
  result: Promise<unknown>;
  expires: number;
}

export class ClientTokenCache {
  private readonly entries = new Map<string, RememberedRequest>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: IdempotencyOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.ttlMs = options.ttlMs ?? 8 * 3600_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Runs `execute` once per (operation, token); `input` is everything the caller sent
   * except the token. Concurrent duplicates wait for the first.
   */
  async run<T>(
    operation: string,
    token: string | undefined,
    input: unknown,
    execute: () => Promise<T>,
    /** Whether the first result still describes an existing resource. */
    stillStands: (result: T) => boolean = () => true,
  ): Promise<T> {
    if (token === undefined || token === '') return execute();
    const key = `${operation}\u0000${token}`;
    const fingerprint = fingerprintOf(input);
    const now = this.now();
    const existing = this.entries.get(key);
    if (existing && existing.expires > now) {
      if (existing.fingerprint !== fingerprint) {
        throw tokenReusedConflict();
      }
      const result = (await existing.result) as T;
      if (!stillStands(result)) throw tokenDeletedConflict();
      return result;
    }
    const result = execute();
    this.entries.delete(key);
    this.entries.set(key, { fingerprint, result, expires: now + this.ttlMs });
    this.evict(now);
    result.catch(() => {
      if (this.entries.get(key)?.result === result) this.entries.delete(key);
    });
    return result;
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(now: number): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && entry.expires > now) break;
      this.entries.delete(key);
    }
  }
}

export function tokenReusedConflict(): Error {
  return conflict(
    'The request contains a client token that was used for a previous update resource call with different specifications. Try the request again with a new client token.',
  );
}

export function tokenDeletedConflict(): Error {
  return conflict(
    'The resource that the request with this client token created or updated has since been deleted. To create it again, use a new client token.',
  );
}

/** Order-insensitive for object keys, so a client re-serialising the same input still matches. */
export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
