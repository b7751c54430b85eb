/**
 * Encoding and decoding of Envoy messages given as plain objects in protobufjs'
 * keepCase form (snake_case field names, as in Envoy's YAML).
 *
 * The Any convention: a `google.protobuf.Any` inside a plain object is always
 * `{ type_url: 'type.googleapis.com/<full name>', value: <encoded bytes> }`, made by
 * `typedConfig(typeName, obj)` (nested: filter `typed_config`, access loggers,
 * transport sockets, extension protocol options) or `anyOf(typeName, obj)` (the
 * top-level resources of a DiscoveryResponse). The `{ '@type': ... }` form exists only
 * in the human JSON view (json.ts); the checker rejects it in resources, so there is
 * one way to write an Any and it encodes the same everywhere.
 *
 * Output is deterministic: the same object gives the same bytes, and map entries
 * (`filter_metadata`, Struct fields, ...) are written in sorted key order, so two
 * objects that differ only in map insertion order also give the same bytes.
 */
import type protobuf from 'protobufjs';
import {
  bareTypeName,
  findType,
  isPlainObject,
  reaches,
  requireType,
  typeInfo,
  type TypeInfo,
} from './reflect.js';
import { typeUrlOf } from './types.js';

/** A message as a plain object: field name → value, keepCase. */
export type ProtoObject = Record<string, unknown>;

/** `google.protobuf.Any` as a plain object. */
export interface PlainAny {
  type_url: string;
  value: Uint8Array;
}

/** What an Any made by typedConfig/anyOf was made from; read by the checker to see misspelled fields. */
export interface AnySource {
  readonly typeName: string;
  readonly object: object;
}

/**
 * Non-enumerable key under which typedConfig/anyOf keep the source object. It does not
 * take part in encoding, JSON or deep equality; it lets `checkResources` walk the
 * fields the translator wrote, which protobufjs would otherwise drop without a word.
 */
export const ANY_SOURCE: unique symbol = Symbol('amime.anySource');

/** The options decodeMessage uses: enums and 64-bit integers as strings, no defaults, oneof names. */
export const DECODE_OPTIONS: protobuf.IConversionOptions = Object.freeze({
  enums: String,
  longs: String,
  defaults: false,
  oneofs: true,
});

const mapMemo = new Map<protobuf.Type, boolean>();
const hasMapField = (info: TypeInfo): boolean => info.fields.some((f) => f.map);

/** Rewrites every map object under `msg` with sorted keys (encode writes maps in key order). */
function sortMaps(info: TypeInfo, msg: Record<string, unknown>): void {
  for (const f of info.fields) {
    const v = msg[f.name];
    if (v === undefined || v === null) continue;
    const sub = f.messageType;
    const subHasMaps = sub !== undefined && reaches(sub, hasMapField, mapMemo);
    if (f.map) {
      const m = v as Record<string, unknown>;
      const keys = Object.keys(m);
      let sorted = true;
      for (let i = 1; i < keys.length; i++) if ((keys[i - 1] as string) > (keys[i] as string)) sorted = false;
      if (!sorted) {
        const out: Record<string, unknown> = {};
        for (const k of keys.sort()) out[k] = m[k];
        msg[f.name] = out;
      }
      if (subHasMaps) {
        const entries = msg[f.name] as Record<string, Record<string, unknown>>;
        for (const k of Object.keys(entries)) sortMaps(typeInfo(sub), entries[k] as Record<string, unknown>);
      }
    } else if (subHasMaps) {
      if (f.repeated) for (const el of v as Record<string, unknown>[]) sortMaps(typeInfo(sub), el);
      else sortMaps(typeInfo(sub), v as Record<string, unknown>);
    }
  }
}

/**
 * Encodes a plain object as the message `typeName` (full name, e.g.
 * `envoy.config.cluster.v3.Cluster`). Throws on a value protobufjs cannot convert
 * (e.g. a string where a message is expected). Unknown keys are dropped by protobufjs:
 * run `checkResources` in tests to catch them.
 */
export function encodeMessage(typeName: string, obj: object): Uint8Array {
  const type = requireType(typeName);
  const msg = type.fromObject(obj as Record<string, unknown>);
  const info = typeInfo(type);
  if (reaches(type, hasMapField, mapMemo)) sortMaps(info, msg as unknown as Record<string, unknown>);
  return type.encode(msg).finish();
}

/**
 * Decodes bytes of the message `typeName` into a plain object: enums as names
 * (numbers if undefined), 64-bit integers as decimal strings, bytes as Uint8Array,
 * unset fields absent, and for each set oneof a virtual key naming its member
 * (`cluster_specifier: 'cluster'`). Nested Anys stay `{ type_url, value }`.
 */
export function decodeMessage(typeName: string, bytes: Uint8Array): ProtoObject {
  const type = requireType(typeName);
  return type.toObject(type.decode(bytes), DECODE_OPTIONS);
}

function makeAny(typeName: string, obj: object): PlainAny {
  const any: PlainAny = { type_url: typeUrlOf(typeName), value: encodeMessage(typeName, obj) };
  const source: AnySource = { typeName: bareTypeName(typeName), object: obj };
  Object.defineProperty(any, ANY_SOURCE, { value: source, enumerable: false });
  return any;
}

/**
 * A `google.protobuf.Any` for a nested extension config, e.g.
 * `typed_config: typedConfig(EXT.router, {})`. Encodes `obj` now.
 */
export function typedConfig(typeName: string, obj: object): PlainAny {
  return makeAny(typeName, obj);
}

/**
 * A `google.protobuf.Any` for a top-level resource (DiscoveryResponse.resources).
 * Same shape and encoding as typedConfig; the two names only say where it is used.
 */
export function anyOf(typeName: string, obj: object): PlainAny {
  return makeAny(typeName, obj);
}

/** A `google.protobuf.Any` around bytes encoded earlier (e.g. cached resource bytes). */
export function anyFromBytes(typeName: string, bytes: Uint8Array): PlainAny {
  return { type_url: typeUrlOf(typeName), value: bytes };
}

/** The object an Any was made from by typedConfig/anyOf, if it still carries it. */
export function anySourceOf(any: object): AnySource | undefined {
  return (any as { [ANY_SOURCE]?: AnySource })[ANY_SOURCE];
}

/** `{ type_url: string, value: Uint8Array }` (what decodeMessage gives for an Any, too). */
export function isPlainAny(v: unknown): v is PlainAny {
  return isPlainObject(v) && typeof v['type_url'] === 'string' && v['value'] instanceof Uint8Array;
}

/** A decoded Any payload. */
export interface UnpackedAny {
  readonly typeName: string;
  readonly message: ProtoObject;
}

/** Decoded Any payloads keyed by their bytes object, so one check pass decodes each once. */
export type AnyCache = WeakMap<Uint8Array, UnpackedAny>;

/**
 * Decodes an Any's payload with decodeMessage's options. Undefined if its type is not
 * in the loaded Root; throws if the bytes are not a valid encoding of that type.
 */
export function unpackAny(any: PlainAny, cache?: AnyCache): UnpackedAny | undefined {
  const hit = cache?.get(any.value);
  if (hit && hit.typeName === bareTypeName(any.type_url)) return hit;
  const type = findType(any.type_url);
  if (!type) return undefined;
  const out: UnpackedAny = {
    typeName: bareTypeName(any.type_url),
    message: type.toObject(type.decode(any.value), DECODE_OPTIONS),
  };
  cache?.set(any.value, out);
  return out;
}
