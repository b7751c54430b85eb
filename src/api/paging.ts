/**
 * List paging as App Mesh does it: `limit` 1..100 (tags 1..50), and an opaque
 * `nextToken`. The token carries the last name returned plus a tag of the list it
 * belongs to, so a token from another list or a forged one is a BadRequest.
 */
import { createHash } from 'node:crypto';
import { badRequest } from './errors.js';

export interface PageRequest {
  limit?: number;
  nextToken?: string;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export function parseLimit(raw: unknown, max = 100): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const text = String(raw);
  const n = Number(text);
  if (!/^-?\d+$/.test(text) || n < 1 || n > max) {
    throw badRequest(
      `1 validation error detected: Value '${text}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${max}`,
    );
  }
  return n;
}

/**
 * One page of `items` (sorted by `keyOf`), after the position in `nextToken`.
 * Without a limit App Mesh still pages; 100 is its largest page.
 */
export function pageOf<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  scope: string,
  req: PageRequest,
  defaultLimit = 100,
): Page<T> {
  const limit = req.limit ?? defaultLimit;
  let start = 0;
  if (req.nextToken !== undefined && req.nextToken !== '') {
    const after = decodeToken(req.nextToken, scope);
    start = lowerBoundAfter(items, keyOf, after);
  }
  const slice = items.slice(start, start + limit);
  const page: Page<T> = { items: slice };
  if (start + limit < items.length && slice.length > 0)
    page.nextToken = encodeToken(keyOf(slice[slice.length - 1] as T), scope);
  return page;
}

function lowerBoundAfter<T>(items: readonly T[], keyOf: (item: T) => string, after: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyOf(items[mid] as T) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function tag(scope: string): string {
  return createHash('sha256').update(scope).digest('base64url').slice(0, 10);
}

export function encodeToken(after: string, scope: string): string {
  return Buffer.from(JSON.stringify({ v: 1, s: tag(scope), a: after })).toString('base64url');
}

export function decodeToken(token: string, scope: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const p = parsed as { v?: unknown; s?: unknown; a?: unknown } | undefined;
  if (!p || p.v !== 1 || p.s !== tag(scope) || typeof p.a !== 'string')
    throw badRequest('The nextToken is invalid for this request.');
  return p.a;
}

/** Code point order, the order App Mesh names sort in and the store's key order. */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
