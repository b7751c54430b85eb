/**
 * A fast encoder for the translation's plain objects: writes the wire format straight
 * from the object (no protobufjs `fromObject` message instances in between), and
 * splices in the cached bytes of sub-messages shared between proxy groups (a virtual
 * host every caller of a service gets, a filter chain every sidecar on a port gets).
 *
 * It produces exactly encodeMessage's bytes (proto/codec.ts; the test compares them on
 * every golden resource): fields in field-number order, set fields written even when
 * they hold a default, repeated scalars packed as proto3 packs them, map entries in
 * sorted key order. Anything it does not handle (non-string map keys) goes through
 * encodeMessage.
 */
import protobuf from 'protobufjs';
import {
  ByteParts,
  encodeMessage,
  requireType,
  typeInfo,
  type EncodedBytes,
  type FieldInfo,
} from '../proto/index.js';

const WIRE: Readonly<Record<string, number>> = {
  double: 1,
  float: 5,
  int32: 0,
  uint32: 0,
  sint32: 0,
  fixed32: 5,
  sfixed32: 5,
  int64: 0,
  uint64: 0,
  sint64: 0,
  fixed64: 1,
  sfixed64: 1,
  bool: 0,
  string: 2,
  bytes: 2,
  enum: 0,
  message: 2,
};

type Rec = Record<string, unknown>;
type Writable = number | string | boolean | Uint8Array;

const shareable = new WeakSet<object>();
const cache = new WeakMap<object, Uint8Array>();

/** Marks an object (used in several groups) so its bytes are kept and spliced in wherever it appears. */
export function markShared(value: unknown): void {
  if (Array.isArray(value)) for (const v of value) markShared(v);
  else if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) shareable.add(value);
}

/** Whether `markShared` marked the object (the emitters carry the mark from an IR object to its Envoy object). */
export function isShared(value: object): boolean {
  return shareable.has(value);
}

class Unsupported extends Error {}

function writeScalar(w: protobuf.Writer, kind: string, v: Writable): void {
  switch (kind) {
    case 'double':
      w.double(v as number);
      break;
    case 'float':
      w.float(v as number);
      break;
    case 'int32':
      w.int32(v as number);
      break;
    case 'uint32':
      w.uint32(v as number);
      break;
    case 'sint32':
      w.sint32(v as number);
      break;
    case 'fixed32':
      w.fixed32(v as number);
      break;
    case 'sfixed32':
      w.sfixed32(v as number);
      break;
    case 'int64':
      w.int64(v as number);
      break;
    case 'uint64':
      w.uint64(v as number);
      break;
    case 'sint64':
      w.sint64(v as number);
      break;
    case 'fixed64':
      w.fixed64(v as number);
      break;
    case 'sfixed64':
      w.sfixed64(v as number);
      break;
    case 'bool':
      w.bool(Boolean(v));
      break;
    case 'string':
      w.string(String(v));
      break;
    case 'bytes':
      w.bytes(v as Uint8Array);
      break;
    default:
      throw new Unsupported(kind);
  }
}

function enumNumber(f: FieldInfo, v: unknown): number {
  if (typeof v === 'number') return v;
  const n = f.enumType?.values[String(v)];
  if (n === undefined) throw new Unsupported(`enum ${String(v)}`);
  return n;
}

function writeValue(w: protobuf.Writer, f: FieldInfo, id: number, v: unknown): void {
  if (f.kind === 'message') {
    if (v === null || typeof v !== 'object' || !f.messageType) throw new Unsupported(`message ${f.name}`);
    writeSub(w, id, f.messageType, v as Rec);
  } else if (f.kind === 'enum') {
    w.uint32((id << 3) | 0).int32(enumNumber(f, v));
  } else {
    w.uint32((id << 3) | (WIRE[f.kind] as number));
    writeScalar(w, f.kind, v as Writable);
  }
}

/** The kept bytes of a marked object (encoded now if they were not yet); undefined for an unmarked one. */
function sharedBytes(type: protobuf.Type, v: Rec): Uint8Array | undefined {
  let bytes = cache.get(v);
  if (!bytes && shareable.has(v)) {
    bytes = encodeWith(type, v);
    cache.set(v, bytes);
  }
  return bytes;
}

function writeSub(w: protobuf.Writer, id: number, type: protobuf.Type, v: Rec): void {
  const tag = (id << 3) | 2;
  const bytes = sharedBytes(type, v);
  if (bytes) {
    w.uint32(tag).bytes(bytes);
    return;
  }
  w.uint32(tag).fork();
  writeMessage(w, planOf(type), v);
  w.ldelim();
}

/** How a message type is written: its fields by name. Kept on the protobufjs Type (a property read, not a lookup). */
interface Plan {
  readonly byName: ReadonlyMap<string, FieldInfo>;
}
const PLAN = Symbol('encodePlainPlan');

function planOf(type: protobuf.Type): Plan {
  const held = (type as { [PLAN]?: Plan })[PLAN];
  if (held) return held;
  const plan: Plan = { byName: typeInfo(type).byName };
  Object.defineProperty(type, PLAN, { value: plan });
  return plan;
}

/**
 * Writes the fields `obj` sets, in field-number order as protobufjs does. Walks the
 * object's own keys, not the type's fields: a message sets a few of its type's many
 * fields (a Cluster 4 of ~50), and reading every absent one was most of the encoder's time.
 */
function writeMessage(w: protobuf.Writer, plan: Plan, obj: Rec): void {
  const set = setFields(plan, obj);
  for (let i = 0; i < set.length; i++) {
    const f = set[i]!;
    writeField(w, f, obj[f.name]);
  }
}

/** The fields `obj` sets (not undefined or null), by field number. */
function setFields(plan: Plan, obj: Rec): FieldInfo[] {
  const out: FieldInfo[] = [];
  let sorted = true;
  for (const k in obj) {
    const f = plan.byName.get(k);
    if (f === undefined) continue;
    const v = obj[k];
    if (v === undefined || v === null) continue;
    if (out.length > 0 && out[out.length - 1]!.id > f.id) sorted = false;
    out.push(f);
  }
  if (!sorted) out.sort((a, b) => a.id - b.id);
  return out;
}

function writeField(w: protobuf.Writer, f: FieldInfo, v: unknown): void {
  if (f.map) {
    if (f.keyKind !== 'string') throw new Unsupported('map key');
    const m = v as Rec;
    for (const k of Object.keys(m).sort()) {
      w.uint32((f.id << 3) | 2).fork();
      w.uint32((1 << 3) | 2).string(k);
      const x = m[k];
      if (x !== undefined && x !== null) writeValue(w, f, 2, x);
      w.ldelim();
    }
  } else if (f.repeated) {
    const arr = v as unknown[];
    if (arr.length === 0) return;
    if (f.field.packed && f.kind !== 'message' && f.kind !== 'string' && f.kind !== 'bytes') {
      w.uint32((f.id << 3) | 2).fork();
      for (const e of arr) {
        if (f.kind === 'enum') w.int32(enumNumber(f, e));
        else writeScalar(w, f.kind, e as Writable);
      }
      w.ldelim();
    } else for (const e of arr) writeValue(w, f, f.id, e);
  } else writeValue(w, f, f.id, v);
}

function encodeWith(type: protobuf.Type, obj: Rec): Uint8Array {
  const w = protobuf.Writer.create();
  writeMessage(w, planOf(type), obj);
  return w.finish();
}

/** Encodes `obj` as `typeName`; same bytes as encodeMessage, faster, with shared sub-messages spliced in. */
export function encodePlain(typeName: string, obj: object): Uint8Array {
  return orProtobufjs(typeName, obj, encodeWith);
}

/** `encode`, or protobufjs' encoder where `encode` meets what it does not handle (`Unsupported`). */
function orProtobufjs<R>(
  typeName: string,
  obj: object,
  encode: (type: protobuf.Type, obj: Rec) => R,
): R | Uint8Array {
  try {
    return encode(requireType(typeName), obj as Rec);
  } catch (e) {
    if (e instanceof Unsupported) return encodeMessage(typeName, obj);
    throw e;
  }
}

/**
 * Marked sub-messages shorter than this are copied: a part costs whoever reads the parts
 * more than copying a few bytes (a virtual host of the bench mesh is ~2 KB).
 */
const MIN_PART_LENGTH = 256;

/**
 * `encodePlain`, except that the marked sub-messages held directly by `obj` (a route
 * configuration's shared virtual hosts) are not copied: the result is the message's own
 * bytes and theirs as parts, in order (one array when none was spliced). Joined, the same
 * bytes as `encodePlain`.
 */
export function encodePlainParts(typeName: string, obj: object): EncodedBytes {
  return orProtobufjs(typeName, obj, encodeParts);
}

function encodeParts(type: protobuf.Type, obj: Rec): EncodedBytes {
  const w = protobuf.Writer.create();
  // Each spliced sub-message follows the first `at` bytes the writer wrote itself (its tag and length included).
  const spliced: Array<{ at: number; bytes: Uint8Array }> = [];
  const splice = (f: FieldInfo, v: unknown): void => {
    const bytes = f.messageType && isObject(v) ? sharedBytes(f.messageType, v) : undefined;
    if (bytes && bytes.length >= MIN_PART_LENGTH) {
      w.uint32((f.id << 3) | 2).uint32(bytes.length);
      // At the top level no length is pending, so `len` is where the next byte goes.
      spliced.push({ at: w.len, bytes });
    } else writeValue(w, f, f.id, v);
  };
  for (const f of setFields(planOf(type), obj)) {
    const v = obj[f.name];
    if (f.kind !== 'message' || f.map) writeField(w, f, v);
    else if (f.repeated) for (const e of v as unknown[]) splice(f, e);
    else splice(f, v);
  }
  const own = w.finish();
  if (spliced.length === 0) return own;
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const { at, bytes } of spliced) {
    parts.push(own.subarray(from, at), bytes);
    from = at;
  }
  if (from < own.length) parts.push(own.subarray(from));
  return new ByteParts(parts);
}

function isObject(v: unknown): v is Rec {
  return v !== null && typeof v === 'object';
}
