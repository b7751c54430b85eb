/** Argument checks and encodings shared by the back ends (not exported from the package). */
import { InvalidArgumentError } from './errors.js';
import type { TxnOp } from './types.js';

const MAX_KEY_LENGTH = 4096;
/**
 * Limits every back end enforces alike, set by etcd's defaults (`--max-txn-ops` 128,
 * 1.5 MiB per request) so code tested on memory/SQLite does not fail first on etcd.
 */
export const MAX_TXN_OPS = 128;
export const MAX_VALUE_BYTES = 1024 * 1024;
const LONE_SURROGATE = /\p{Cs}/u;

export function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key === '') throw new InvalidArgumentError('key must be a non-empty string');
  assertKeyText(key, 'key');
}

export function assertPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') throw new InvalidArgumentError('prefix must be a string');
  assertKeyText(prefix, 'prefix');
}

function assertKeyText(text: string, what: string): void {
  if (text.length > MAX_KEY_LENGTH) throw new InvalidArgumentError(`${what} longer than ${MAX_KEY_LENGTH}`);
  // NUL is reserved as the "next key" successor used by continue tokens; lone
  // surrogates have no UTF-8 form, so etcd/SQLite would not store them faithfully.
  if (text.includes('\0')) throw new InvalidArgumentError(`${what} must not contain NUL`);
  if (LONE_SURROGATE.test(text)) throw new InvalidArgumentError(`${what} must be well-formed Unicode`);
}

export function assertVersion(version: unknown, what = 'expectedVersion'): asserts version is number {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    throw new InvalidArgumentError(`${what} must be a non-negative integer`);
  }
}

export function assertRevision(revision: unknown, what: string): asserts revision is number {
  assertVersion(revision, what);
}

/** JSON text of a value; rejects what JSON cannot represent (undefined, functions, BigInt, cycles). */
export function serialize(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new InvalidArgumentError(`value is not JSON-serialisable: ${(err as Error).message}`);
  }
  if (text === undefined) throw new InvalidArgumentError('value is not JSON-serialisable');
  if (overValueLimit(text)) {
    throw new InvalidArgumentError(`value is larger than ${MAX_VALUE_BYTES} bytes of JSON`);
  }
  return text;
}

/** Whether JSON text is over the store's value limit (MAX_VALUE_BYTES of UTF-8). */
export function overValueLimit(text: string): boolean {
  // length * 3 bounds the UTF-8 size, so the exact count is needed only for big values.
  return text.length * 3 > MAX_VALUE_BYTES && Buffer.byteLength(text, 'utf8') > MAX_VALUE_BYTES;
}

export function normalizeLimit(limit: unknown): number | undefined {
  if (limit === undefined) return undefined;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) {
    throw new InvalidArgumentError('limit must be a positive integer');
  }
  return limit;
}

/** Checks a txn's ops up front so no back end starts a write it must then undo. */
export function validateTxnOps(ops: readonly TxnOp[]): string[] {
  if (!Array.isArray(ops)) throw new InvalidArgumentError('txn ops must be an array');
  if (ops.length > MAX_TXN_OPS) throw new InvalidArgumentError(`a txn holds at most ${MAX_TXN_OPS} ops`);
  const seen = new Set<string>();
  const texts: string[] = [];
  for (const op of ops) {
    assertKey(op.key);
    if (seen.has(op.key)) throw new InvalidArgumentError(`key ${op.key} appears twice in one txn`);
    seen.add(op.key);
    if (op.op === 'check') {
      assertVersion(op.expectedVersion);
    } else if (op.op === 'put' || op.op === 'delete') {
      if (op.expectedVersion !== undefined) assertVersion(op.expectedVersion);
    } else {
      throw new InvalidArgumentError(`unknown txn op ${JSON.stringify((op as { op: unknown }).op)}`);
    }
    texts.push(op.op === 'put' ? serialize(op.value) : '');
  }
  return texts;
}

interface TokenBody {
  v: 1;
  p: string;
  a: string;
}

/** Continue token: the last key returned plus the prefix it belongs to. Opaque to callers. */
export function encodeContinueToken(prefix: string, lastKey: string): string {
  const body: TokenBody = { v: 1, p: prefix, a: lastKey };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** The first key the next page may contain. */
export function decodeContinueToken(token: unknown, prefix: string): string {
  if (typeof token !== 'string' || token === '')
    throw new InvalidArgumentError('continueToken must be a non-empty string');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidArgumentError('malformed continueToken');
  }
  const b = body as Partial<TokenBody> | null;
  if (
    b === null ||
    typeof b !== 'object' ||
    b.v !== 1 ||
    typeof b.p !== 'string' ||
    typeof b.a !== 'string'
  ) {
    throw new InvalidArgumentError('malformed continueToken');
  }
  if (b.p !== prefix) throw new InvalidArgumentError('continueToken belongs to a different prefix');
  if (!b.a.startsWith(prefix)) throw new InvalidArgumentError('malformed continueToken');
  // The smallest string greater than the last key.
  return `${b.a}\0`;
}

/**
 * Smallest string greater than every string starting with `prefix`, in code point
 * order; undefined when there is none (empty prefix). Used as an exclusive upper bound.
 */
export function prefixEnd(prefix: string): string | undefined {
  const cps = Array.from(prefix, (c) => c.codePointAt(0) as number);
  while (cps.length > 0) {
    const last = cps.pop() as number;
    if (last < 0x10ffff) {
      const next = last === 0xd7ff ? 0xe000 : last + 1;
      return String.fromCodePoint(...cps, next);
    }
  }
  return undefined;
}

/** Code point (= UTF-8 byte) order, which is how SQLite and etcd order keys. */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (D800–DFFF) encode code points above FFFF, so they sort after E000–FFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** `p`, or a rejection naming `what` once `ms` have passed. */
export function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
