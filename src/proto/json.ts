/**
 * The human view of an encoded Envoy message, in the JSON style of Envoy's admin
 * config_dump: snake_case field names in declaration order, `@type` on every Any with
 * its payload expanded, durations as `"15s"`, enums as names, 64-bit integers as
 * strings, bytes as base64, wrappers as bare values, Struct as plain JSON, and
 * default scalar values left out. `amime render` prints this.
 */
import {
  findType,
  isPlainObject,
  LONG_KINDS,
  requireType,
  typeInfo,
  type FieldInfo,
  type TypeInfo,
} from './reflect.js';
import { decodeMessage, DECODE_OPTIONS } from './codec.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Decodes `bytes` as `typeName` and returns its JSON view. */
export function toJsonView(typeName: string, bytes: Uint8Array): JsonObject {
  const info = typeInfo(requireType(typeName));
  const decoded = decodeMessage(typeName, bytes);
  const out = messageJson(info, decoded);
  return isPlainObject(out) ? (out as JsonObject) : { value: out };
}

/** The JSON view of an already decoded message (decodeMessage's output). */
export function decodedToJson(typeName: string, decoded: object): JsonValue {
  return messageJson(typeInfo(requireType(typeName)), decoded as Record<string, unknown>);
}

function fraction(nanos: number): string {
  if (nanos === 0) return '';
  if (nanos % 1_000_000 === 0) return `.${String(nanos / 1_000_000).padStart(3, '0')}`;
  if (nanos % 1_000 === 0) return `.${String(nanos / 1_000).padStart(6, '0')}`;
  return `.${String(nanos).padStart(9, '0')}`;
}

/** `{ seconds: '15' }` → `"15s"`, `{ nanos: 500000000 }` → `"0.500s"`. */
export function formatDuration(seconds: unknown, nanos: unknown): string {
  const s = BigInt(typeof seconds === 'string' || typeof seconds === 'number' ? seconds : 0);
  const n = typeof nanos === 'number' ? nanos : 0;
  const negative = s < 0n || n < 0;
  const abs = s < 0n ? -s : s;
  return `${negative ? '-' : ''}${abs}${fraction(Math.abs(n))}s`;
}

function formatTimestamp(seconds: unknown, nanos: unknown): string {
  const s = Number(typeof seconds === 'string' || typeof seconds === 'number' ? seconds : 0);
  const n = typeof nanos === 'number' ? nanos : 0;
  const iso = new Date(s * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 19)}${fraction(n)}Z`;
}

function base64(v: unknown): string {
  return v instanceof Uint8Array
    ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')
    : String(v ?? '');
}

function isDefault(f: FieldInfo, v: unknown): boolean {
  switch (f.kind) {
    case 'message':
      return false;
    case 'enum':
      return v === 0 || (typeof v === 'string' && f.enumType?.values[v] === 0);
    case 'bytes':
      return v instanceof Uint8Array && v.length === 0;
    case 'string':
      return v === '';
    case 'bool':
      return v === false;
    default:
      return v === 0 || v === '0';
  }
}

function scalarJson(f: FieldInfo, v: unknown): JsonValue {
  switch (f.kind) {
    case 'bytes':
      return base64(v);
    case 'double':
    case 'float':
      return typeof v === 'number' && !Number.isFinite(v) ? String(v) : (v as number);
    case 'enum':
      return typeof v === 'number' || typeof v === 'string' ? v : String(v);
    default:
      if (LONG_KINDS.has(f.kind)) return String(v);
      return v as JsonValue;
  }
}

function valueJson(f: FieldInfo, v: unknown): JsonValue {
  if (f.kind === 'message' && f.messageType)
    return messageJson(typeInfo(f.messageType), v as Record<string, unknown>);
  return scalarJson(f, v);
}

function anyJson(any: Record<string, unknown>): JsonValue {
  const url = typeof any['type_url'] === 'string' ? any['type_url'] : '';
  const value = any['value'] instanceof Uint8Array ? any['value'] : new Uint8Array();
  const type = findType(url);
  if (!type) return { '@type': url, '@bytes': base64(value) };
  const inner = typeInfo(type);
  const decoded = type.toObject(type.decode(value), DECODE_OPTIONS);
  const body = messageJson(inner, decoded);
  if (inner.wellKnown || !isPlainObject(body)) return { '@type': url, value: body };
  return { '@type': url, ...(body as JsonObject) };
}

function structValueJson(v: Record<string, unknown>): JsonValue {
  // google.protobuf.Value, by field number: protobufjs' built-in names it in camelCase.
  const info = typeInfo(requireType('google.protobuf.Value'));
  for (const f of info.fields) {
    const x = v[f.name];
    if (x === undefined || x === null) continue;
    switch (f.id) {
      case 1:
        return null;
      case 5:
        return structJson(x as Record<string, unknown>);
      case 6:
        return listJson(x as Record<string, unknown>);
      default:
        return x as JsonValue;
    }
  }
  return null;
}

function structJson(v: Record<string, unknown>): JsonObject {
  const fields = (v['fields'] ?? {}) as Record<string, Record<string, unknown>>;
  const out: JsonObject = {};
  for (const k of Object.keys(fields).sort()) out[k] = structValueJson(fields[k] as Record<string, unknown>);
  return out;
}

function listJson(v: Record<string, unknown>): JsonValue[] {
  const values = (v['values'] ?? []) as Record<string, unknown>[];
  return values.map(structValueJson);
}

function wellKnownJson(info: TypeInfo, v: Record<string, unknown>): JsonValue {
  switch (info.wellKnown) {
    case 'Any':
      return anyJson(v);
    case 'Duration':
      return formatDuration(v['seconds'], v['nanos']);
    case 'Timestamp':
      return formatTimestamp(v['seconds'], v['nanos']);
    case 'Struct':
      return structJson(v);
    case 'Value':
      return structValueJson(v);
    case 'ListValue':
      return listJson(v);
    case 'FieldMask':
      return Array.isArray(v['paths']) ? (v['paths'] as string[]).join(',') : '';
    case 'Empty':
      return {};
    default: {
      // Wrappers: the bare value, or its zero value when the wrapper is set but empty.
      const f = info.byName.get('value') as FieldInfo;
      const x = v['value'];
      if (x === undefined || x === null) {
        if (f.kind === 'bytes' || f.kind === 'string') return '';
        if (f.kind === 'bool') return false;
        return LONG_KINDS.has(f.kind) ? '0' : 0;
      }
      return scalarJson(f, x);
    }
  }
}

function messageJson(info: TypeInfo, v: Record<string, unknown>): JsonValue {
  if (info.wellKnown) return wellKnownJson(info, v);
  const out: JsonObject = {};
  for (const f of info.fields) {
    const x = v[f.name];
    if (x === undefined || x === null) continue;
    if (f.map) {
      const m = x as Record<string, unknown>;
      const keys = Object.keys(m).sort();
      if (keys.length === 0) continue;
      const o: JsonObject = {};
      for (const k of keys) o[k] = valueJson(f, m[k]);
      out[f.name] = o;
    } else if (f.repeated) {
      const arr = x as unknown[];
      if (arr.length === 0) continue;
      out[f.name] = arr.map((el) => valueJson(f, el));
    } else {
      if (!f.explicitPresence && isDefault(f, x)) continue;
      out[f.name] = valueJson(f, x);
    }
  }
  return out;
}
