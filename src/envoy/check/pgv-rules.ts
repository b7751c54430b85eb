/**
 * Compiles one protoc-gen-validate rule set (the value of `(validate.rules)` below its
 * container, e.g. `{ string: { min_len: 1 } }`) into a function that checks one value.
 * Compiled once per field, so checking is a few comparisons per value.
 *
 * Semantics follow PGV's generated C++ as Envoy runs it: an unset scalar is its zero
 * value (so `uint32: { gt: 0 }` rejects an absent field), wrapper rules apply to the
 * wrapped value only when the wrapper is set, and message rules (duration, timestamp,
 * any) only when the message is set (`required` is the field walker's job).
 */
import type protobuf from 'protobufjs';
import { formatDuration, isPlainObject, LONG_KINDS, type ValueKind } from '../../proto/index.js';
import { matchesFormat, STRING_FORMATS, wellKnownRegex, type StringFormat } from './well-known.js';

export interface PgvViolation {
  /** Field path in the checked message, e.g. `virtual_hosts[0].routes[2].route.cluster`. */
  path: string;
  /** The rule, e.g. `string.min_len`, `message.required`, `oneof.required`. */
  rule: string;
  message: string;
}

export type Rules = Record<string, unknown>;
export type ValueCheck = (v: unknown, path: string, out: PgvViolation[]) => void;

/** What a rule set is applied to: the field's value kind (of each element, of map keys/values). */
export interface ValueTarget {
  kind: ValueKind;
  enumType?: protobuf.Enum;
  /** For message kinds: the well-known type name (`UInt32Value`, `Duration`, `Any`, ...). */
  wellKnown?: string;
}

const NUMERIC = new Set([
  'double',
  'float',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'sint32',
  'sint64',
  'fixed32',
  'fixed64',
  'sfixed32',
  'sfixed64',
]);
const WRAPPER_KIND: Record<string, string> = {
  DoubleValue: 'double',
  FloatValue: 'float',
  Int64Value: 'int64',
  UInt64Value: 'uint64',
  Int32Value: 'int32',
  UInt32Value: 'uint32',
  BoolValue: 'bool',
  StringValue: 'string',
  BytesValue: 'bytes',
};

export function asArray(x: unknown): unknown[] {
  return x === undefined || x === null ? [] : Array.isArray(x) ? x : [x];
}

export function toNum(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string') return Number(x);
  if (typeof x === 'bigint') return Number(x);
  if (isPlainObject(x) && typeof x['low'] === 'number') return Number(toBig(x));
  return 0;
}

export function toBig(x: unknown): bigint {
  try {
    if (typeof x === 'bigint') return x;
    if (typeof x === 'number') return BigInt(Math.trunc(x));
    if (typeof x === 'string') return BigInt(x.trim() === '' ? '0' : x);
    if (isPlainObject(x) && typeof x['low'] === 'number' && typeof x['high'] === 'number') {
      const lo = BigInt((x['low'] as number) >>> 0);
      const hi = BigInt(x['high'] as number);
      const v = (hi << 32n) | lo;
      return x['unsigned'] === true ? BigInt.asUintN(64, v) : BigInt.asIntN(64, v);
    }
  } catch {
    return 0n;
  }
  return 0n;
}

/** `{ seconds, nanos }` (numbers or strings) → total nanoseconds. */
export function durationNanos(x: unknown): bigint {
  if (!isPlainObject(x)) return 0n;
  return toBig(x['seconds'] ?? 0) * 1_000_000_000n + toBig(x['nanos'] ?? 0);
}

function fmtNanosDuration(n: bigint): string {
  const s = n / 1_000_000_000n;
  const ns = Number(n % 1_000_000_000n);
  return formatDuration(String(s), ns);
}

function fmtNanosTimestamp(n: bigint): string {
  const ms = Number(n / 1_000_000n);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(n);
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  return String(v);
}

/** Number of Unicode code points (PGV's `len`/`min_len` count runes, not UTF-16 units). */
function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) n--;
  }
  return n;
}

function toBytes(x: unknown): Uint8Array {
  if (x instanceof Uint8Array) return x;
  if (typeof x === 'string') return Buffer.from(x, 'base64');
  return new Uint8Array();
}

/** A literal from the options (a string with escapes already applied) as bytes. */
function literalBytes(x: unknown): Uint8Array {
  return x instanceof Uint8Array ? x : Buffer.from(String(x ?? ''), 'latin1');
}

function bytesIndexOf(hay: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(
    Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength),
  );
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** PGV accepts RE2 syntax; the patterns in Envoy's protos are all valid JS regexes too. */
export function compilePattern(p: string): RegExp | undefined {
  try {
    return new RegExp(p, 'u');
  } catch {
    try {
      return new RegExp(p);
    } catch {
      return undefined;
    }
  }
}

type Cmp<T> = (a: T, b: T) => number;
const cmpNum: Cmp<number> = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const cmpBig: Cmp<bigint> = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * PGV's lt/lte/gt/gte. With both bounds and lower < upper the value must lie inside;
 * with lower >= upper the range is exclusive and the value must lie outside.
 */
function compileRange<T>(
  prefix: string,
  r: Rules,
  conv: (x: unknown) => T,
  cmp: Cmp<T>,
  fmt: (x: T) => string,
): ((v: T, path: string, out: PgvViolation[]) => void) | undefined {
  const hasLt = r['lt'] !== undefined;
  const hasLte = r['lte'] !== undefined;
  const hasGt = r['gt'] !== undefined;
  const hasGte = r['gte'] !== undefined;
  if (!hasLt && !hasLte && !hasGt && !hasGte) return undefined;
  const upper = hasLt ? conv(r['lt']) : hasLte ? conv(r['lte']) : undefined;
  const upperKey = hasLt ? 'lt' : 'lte';
  const upperIncl = !hasLt && hasLte;
  const lower = hasGt ? conv(r['gt']) : hasGte ? conv(r['gte']) : undefined;
  const lowerKey = hasGt ? 'gt' : 'gte';
  const lowerIncl = !hasGt && hasGte;
  const belowUpper = (v: T): boolean =>
    upper === undefined || (upperIncl ? cmp(v, upper) <= 0 : cmp(v, upper) < 0);
  const aboveLower = (v: T): boolean =>
    lower === undefined || (lowerIncl ? cmp(v, lower) >= 0 : cmp(v, lower) > 0);
  if (upper !== undefined && lower !== undefined) {
    const lo = `${lowerIncl ? '[' : '('}${fmt(lower)}`;
    const hi = `${fmt(upper)}${upperIncl ? ']' : ')'}`;
    if (cmp(lower, upper) < 0) {
      return (v, path, out) => {
        if (!aboveLower(v))
          out.push({
            path,
            rule: `${prefix}.${lowerKey}`,
            message: `must be inside range ${lo}, ${hi} (is ${fmt(v)})`,
          });
        else if (!belowUpper(v))
          out.push({
            path,
            rule: `${prefix}.${upperKey}`,
            message: `must be inside range ${lo}, ${hi} (is ${fmt(v)})`,
          });
      };
    }
    return (v, path, out) => {
      if (!aboveLower(v) && !belowUpper(v)) {
        out.push({
          path,
          rule: `${prefix}.${upperKey}`,
          message: `must be outside range ${upperIncl ? '(' : '['}${fmt(upper)}, ${fmt(lower)}${lowerIncl ? ')' : ']'} (is ${fmt(v)})`,
        });
      }
    };
  }
  if (upper !== undefined) {
    const text = `must be less than ${upperIncl ? 'or equal to ' : ''}${fmt(upper)}`;
    return (v, path, out) => {
      if (!belowUpper(v))
        out.push({ path, rule: `${prefix}.${upperKey}`, message: `${text} (is ${fmt(v)})` });
    };
  }
  const text = `must be greater than ${lowerIncl ? 'or equal to ' : ''}${fmt(lower as T)}`;
  return (v, path, out) => {
    if (!aboveLower(v)) out.push({ path, rule: `${prefix}.${lowerKey}`, message: `${text} (is ${fmt(v)})` });
  };
}

function compileMembership<T>(
  prefix: string,
  r: Rules,
  conv: (x: unknown) => T,
  eq: (a: T, b: T) => boolean,
  fmt: (x: T) => string,
): ((v: T, path: string, out: PgvViolation[]) => void) | undefined {
  const c = r['const'] !== undefined ? conv(r['const']) : undefined;
  const inList = asArray(r['in']).map(conv);
  const notIn = asArray(r['not_in']).map(conv);
  if (c === undefined && inList.length === 0 && notIn.length === 0) return undefined;
  return (v, path, out) => {
    if (c !== undefined && !eq(v, c))
      out.push({ path, rule: `${prefix}.const`, message: `must equal ${fmt(c)} (is ${fmt(v)})` });
    if (inList.length > 0 && !inList.some((x) => eq(v, x)))
      out.push({
        path,
        rule: `${prefix}.in`,
        message: `must be one of [${inList.map(fmt).join(', ')}] (is ${fmt(v)})`,
      });
    if (notIn.some((x) => eq(v, x)))
      out.push({
        path,
        rule: `${prefix}.not_in`,
        message: `must not be one of [${notIn.map(fmt).join(', ')}] (is ${fmt(v)})`,
      });
  };
}

type Track = (rule: string) => void;

function known(r: Rules, prefix: string, keys: readonly string[], track: Track): void {
  for (const k of Object.keys(r)) if (!keys.includes(k)) track(`${prefix}.${k}`);
}

function compileNumber(kind: string, r: Rules, track: Track): ValueCheck {
  known(r, kind, ['const', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in', 'ignore_empty'], track);
  const ignoreEmpty = r['ignore_empty'] === true;
  if (LONG_KINDS.has(kind)) {
    const range = compileRange(kind, r, toBig, cmpBig, String);
    const member = compileMembership(kind, r, toBig, (a, b) => a === b, String);
    return (raw, path, out) => {
      const v = toBig(raw ?? 0);
      if (ignoreEmpty && v === 0n) return;
      range?.(v, path, out);
      member?.(v, path, out);
    };
  }
  const fmt = (x: number): string => String(x);
  const range = compileRange(kind, r, toNum, cmpNum, fmt);
  const member = compileMembership(kind, r, toNum, (a, b) => a === b, fmt);
  return (raw, path, out) => {
    const v = toNum(raw ?? 0);
    if (ignoreEmpty && v === 0) return;
    range?.(v, path, out);
    member?.(v, path, out);
  };
}

function compileString(r: Rules, track: Track): ValueCheck {
  known(
    r,
    'string',
    [
      'const',
      'len',
      'min_len',
      'max_len',
      'len_bytes',
      'min_bytes',
      'max_bytes',
      'pattern',
      'prefix',
      'suffix',
      'contains',
      'not_contains',
      'in',
      'not_in',
      'well_known_regex',
      'strict',
      'ignore_empty',
      ...STRING_FORMATS,
    ],
    track,
  );
  const steps: ((s: string, path: string, out: PgvViolation[]) => void)[] = [];
  const num = (k: string): number | undefined => (r[k] === undefined ? undefined : toNum(r[k]));
  const len = num('len');
  const minLen = num('min_len');
  const maxLen = num('max_len');
  if (len !== undefined || minLen !== undefined || maxLen !== undefined) {
    steps.push((s, path, out) => {
      const n = runeCount(s);
      if (len !== undefined && n !== len)
        out.push({ path, rule: 'string.len', message: `must be exactly ${len} characters long (is ${n})` });
      if (minLen !== undefined && n < minLen)
        out.push({
          path,
          rule: 'string.min_len',
          message:
            minLen === 1 ? 'must not be empty' : `must be at least ${minLen} characters long (is ${n})`,
        });
      if (maxLen !== undefined && n > maxLen)
        out.push({
          path,
          rule: 'string.max_len',
          message: `must be at most ${maxLen} characters long (is ${n})`,
        });
    });
  }
  const lenBytes = num('len_bytes');
  const minBytes = num('min_bytes');
  const maxBytes = num('max_bytes');
  if (lenBytes !== undefined || minBytes !== undefined || maxBytes !== undefined) {
    steps.push((s, path, out) => {
      const n = Buffer.byteLength(s, 'utf8');
      if (lenBytes !== undefined && n !== lenBytes)
        out.push({
          path,
          rule: 'string.len_bytes',
          message: `must be exactly ${lenBytes} bytes long (is ${n})`,
        });
      if (minBytes !== undefined && n < minBytes)
        out.push({
          path,
          rule: 'string.min_bytes',
          message: `must be at least ${minBytes} bytes long (is ${n})`,
        });
      if (maxBytes !== undefined && n > maxBytes)
        out.push({
          path,
          rule: 'string.max_bytes',
          message: `must be at most ${maxBytes} bytes long (is ${n})`,
        });
    });
  }
  if (r['pattern'] !== undefined) {
    const source = String(r['pattern']);
    const re = compilePattern(source);
    if (!re) track(`string.pattern(${source})`);
    else
      steps.push((s, path, out) => {
        if (!re.test(s))
          out.push({
            path,
            rule: 'string.pattern',
            message: `must match the pattern ${source} (is ${show(s)})`,
          });
      });
  }
  for (const [key, test, verb] of [
    ['prefix', (s: string, x: string) => s.startsWith(x), 'start with'],
    ['suffix', (s: string, x: string) => s.endsWith(x), 'end with'],
    ['contains', (s: string, x: string) => s.includes(x), 'contain'],
    ['not_contains', (s: string, x: string) => !s.includes(x), 'not contain'],
  ] as const) {
    if (r[key] === undefined) continue;
    const x = String(r[key]);
    steps.push((s, path, out) => {
      if (!test(s, x))
        out.push({ path, rule: `string.${key}`, message: `must ${verb} ${show(x)} (is ${show(s)})` });
    });
  }
  const member = compileMembership(
    'string',
    r,
    (x) => String(x),
    (a, b) => a === b,
    show,
  );
  if (member) steps.push(member);
  for (const format of STRING_FORMATS) {
    if (r[format] !== true) continue;
    steps.push((s, path, out) => {
      if (!matchesFormat(format as StringFormat, s))
        out.push({
          path,
          rule: `string.${format}`,
          message: `must be a valid ${format.replace('_', ' ')} (is ${show(s)})`,
        });
    });
  }
  if (r['well_known_regex'] !== undefined) {
    const raw = r['well_known_regex'];
    const name = raw === 1 ? 'HTTP_HEADER_NAME' : raw === 2 ? 'HTTP_HEADER_VALUE' : String(raw);
    const re = wellKnownRegex(name, r['strict'] !== false);
    if (!re) track(`string.well_known_regex(${name})`);
    else {
      const what = name === 'HTTP_HEADER_NAME' ? 'an HTTP header name' : 'an HTTP header value';
      steps.push((s, path, out) => {
        if (!re.test(s))
          out.push({
            path,
            rule: `string.well_known_regex`,
            message: `must be ${what}${r['strict'] === false ? ' (no NUL, CR or LF)' : ''} (is ${show(s)})`,
          });
      });
    }
  }
  const ignoreEmpty = r['ignore_empty'] === true;
  return (raw, path, out) => {
    const s = typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : String(raw);
    if (ignoreEmpty && s === '') return;
    for (const step of steps) step(s, path, out);
  };
}

function compileBytes(r: Rules, track: Track): ValueCheck {
  known(
    r,
    'bytes',
    [
      'const',
      'len',
      'min_len',
      'max_len',
      'prefix',
      'suffix',
      'contains',
      'in',
      'not_in',
      'ip',
      'ipv4',
      'ipv6',
      'ignore_empty',
    ],
    track,
  );
  const num = (k: string): number | undefined => (r[k] === undefined ? undefined : toNum(r[k]));
  const len = num('len');
  const minLen = num('min_len');
  const maxLen = num('max_len');
  const prefix = r['prefix'] !== undefined ? literalBytes(r['prefix']) : undefined;
  const suffix = r['suffix'] !== undefined ? literalBytes(r['suffix']) : undefined;
  const contains = r['contains'] !== undefined ? literalBytes(r['contains']) : undefined;
  const member = compileMembership('bytes', r, literalBytes, bytesEqual, (b) =>
    Buffer.from(b).toString('hex'),
  );
  const ignoreEmpty = r['ignore_empty'] === true;
  const ipLens =
    r['ip'] === true ? [4, 16] : r['ipv4'] === true ? [4] : r['ipv6'] === true ? [16] : undefined;
  return (raw, path, out) => {
    const b = toBytes(raw);
    if (ignoreEmpty && b.length === 0) return;
    if (len !== undefined && b.length !== len)
      out.push({ path, rule: 'bytes.len', message: `must be exactly ${len} bytes long (is ${b.length})` });
    if (minLen !== undefined && b.length < minLen)
      out.push({
        path,
        rule: 'bytes.min_len',
        message: `must be at least ${minLen} bytes long (is ${b.length})`,
      });
    if (maxLen !== undefined && b.length > maxLen)
      out.push({
        path,
        rule: 'bytes.max_len',
        message: `must be at most ${maxLen} bytes long (is ${b.length})`,
      });
    if (prefix && !bytesEqual(b.subarray(0, prefix.length), prefix))
      out.push({ path, rule: 'bytes.prefix', message: 'must start with the given prefix' });
    if (suffix && (b.length < suffix.length || !bytesEqual(b.subarray(b.length - suffix.length), suffix)))
      out.push({ path, rule: 'bytes.suffix', message: 'must end with the given suffix' });
    if (contains && bytesIndexOf(b, contains) < 0)
      out.push({ path, rule: 'bytes.contains', message: 'must contain the given bytes' });
    member?.(b, path, out);
    if (ipLens && !ipLens.includes(b.length))
      out.push({
        path,
        rule: `bytes.${r['ip'] === true ? 'ip' : r['ipv4'] === true ? 'ipv4' : 'ipv6'}`,
        message: `must be an IP address in network byte order (is ${b.length} bytes)`,
      });
  };
}

function enumNumber(e: protobuf.Enum | undefined, x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string') {
    const n = e?.values[x];
    return n === undefined ? Number.NaN : n;
  }
  return 0;
}

function compileEnum(r: Rules, e: protobuf.Enum | undefined, track: Track): ValueCheck {
  known(r, 'enum', ['const', 'defined_only', 'in', 'not_in'], track);
  const definedOnly = r['defined_only'] === true;
  const name = e ? e.fullName.replace(/^\./, '') : 'enum';
  const fmt = (n: number): string => (e?.valuesById[n] !== undefined ? `${e.valuesById[n]}` : String(n));
  const member = compileMembership(
    'enum',
    r,
    (x) => enumNumber(e, x),
    (a, b) => a === b,
    fmt,
  );
  return (raw, path, out) => {
    const n = enumNumber(e, raw ?? 0);
    if (definedOnly && (Number.isNaN(n) || e?.valuesById[n] === undefined)) {
      out.push({ path, rule: 'enum.defined_only', message: `${show(raw)} is not a value of ${name}` });
    }
    member?.(n, path, out);
  };
}

function compileBool(r: Rules, track: Track): ValueCheck {
  known(r, 'bool', ['const'], track);
  const c = r['const'];
  return (raw, path, out) => {
    const v = raw === true;
    if (typeof c === 'boolean' && v !== c) out.push({ path, rule: 'bool.const', message: `must be ${c}` });
  };
}

function compileDuration(r: Rules, track: Track): ValueCheck {
  known(r, 'duration', ['required', 'const', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in'], track);
  const range = compileRange('duration', r, durationNanos, cmpBig, fmtNanosDuration);
  const member = compileMembership('duration', r, durationNanos, (a, b) => a === b, fmtNanosDuration);
  return (raw, path, out) => {
    if (raw === undefined || raw === null) return;
    const v = durationNanos(raw);
    range?.(v, path, out);
    member?.(v, path, out);
  };
}

function compileTimestamp(r: Rules, track: Track): ValueCheck {
  // lt_now/gt_now/within depend on the clock; the core has none, so they stay unsupported.
  known(r, 'timestamp', ['required', 'const', 'lt', 'lte', 'gt', 'gte'], track);
  const range = compileRange('timestamp', r, durationNanos, cmpBig, fmtNanosTimestamp);
  const member = compileMembership('timestamp', r, durationNanos, (a, b) => a === b, fmtNanosTimestamp);
  return (raw, path, out) => {
    if (raw === undefined || raw === null) return;
    const v = durationNanos(raw);
    range?.(v, path, out);
    member?.(v, path, out);
  };
}

function compileAny(r: Rules, track: Track): ValueCheck {
  known(r, 'any', ['required', 'in', 'not_in'], track);
  const inList = asArray(r['in']).map(String);
  const notIn = asArray(r['not_in']).map(String);
  return (raw, path, out) => {
    if (!isPlainObject(raw)) return;
    const url = String(raw['type_url'] ?? '');
    if (inList.length > 0 && !inList.includes(url))
      out.push({ path, rule: 'any.in', message: `type must be one of [${inList.join(', ')}] (is ${url})` });
    if (notIn.includes(url)) out.push({ path, rule: 'any.not_in', message: `type must not be ${url}` });
  };
}

/**
 * Compiles the rule set for one value. `track` receives every rule key the checker
 * does not evaluate, so they can be listed instead of silently passing.
 */
export function compileValueRules(rules: Rules, target: ValueTarget, track: Track): ValueCheck | undefined {
  const checks: ValueCheck[] = [];
  const wrapped = target.kind === 'message' && target.wellKnown ? WRAPPER_KIND[target.wellKnown] : undefined;
  for (const [key, value] of Object.entries(rules)) {
    if (key === 'message' || key === 'repeated' || key === 'map') continue; // the field walker's
    if (!isPlainObject(value)) {
      track(`${key}`);
      continue;
    }
    let check: ValueCheck | undefined;
    if (NUMERIC.has(key)) check = compileNumber(key, value, track);
    else if (key === 'string') check = compileString(value, track);
    else if (key === 'bytes') check = compileBytes(value, track);
    else if (key === 'bool') check = compileBool(value, track);
    else if (key === 'enum') check = compileEnum(value, target.enumType, track);
    else if (key === 'duration') check = compileDuration(value, track);
    else if (key === 'timestamp') check = compileTimestamp(value, track);
    else if (key === 'any') check = compileAny(value, track);
    else track(key);
    if (!check) continue;
    if (wrapped && key === wrapped) {
      // A wrapper's rules apply to the wrapped value, and only when the wrapper is set.
      const inner = check;
      check = (raw, path, out) => {
        if (isPlainObject(raw)) inner(raw['value'], path, out);
      };
    }
    checks.push(check);
  }
  if (checks.length === 0) return undefined;
  if (checks.length === 1) return checks[0];
  return (raw, path, out) => {
    for (const c of checks) c(raw, path, out);
  };
}
