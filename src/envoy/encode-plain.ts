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
 * encodeMessage. The bytes go straight into one buffer (proto/wire-writer.ts); a shared
 * sub-message is encoded where it first appears and its bytes kept from there.
 */
import type protobuf from 'protobufjs';
import {
  ByteParts,
  WireWriter,
  encodeMessage,
  requireType,
  typeInfo,
  type EncodedBytes,
  type FieldInfo,
} from '../proto/index.js';

type Rec = Record<string, unknown>;

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

// Value kinds as small integers: a switch on them is a jump, on the kind's name a chain of string compares.
const DOUBLE = 0;
const FLOAT = 1;
const INT32 = 2;
const UINT32 = 3;
const SINT32 = 4;
const FIXED32 = 5;
const INT64 = 6;
const SINT64 = 7;
const FIXED64 = 8;
const BOOL = 9;
const STRING = 10;
const BYTES = 11;
const ENUM = 12;
const MESSAGE = 13;

/** Each kind's code and wire type. */
const KINDS: Readonly<Record<FieldInfo['kind'], readonly [code: number, wire: number]>> = {
  double: [DOUBLE, 1],
  float: [FLOAT, 5],
  int32: [INT32, 0],
  uint32: [UINT32, 0],
  sint32: [SINT32, 0],
  fixed32: [FIXED32, 5],
  sfixed32: [FIXED32, 5],
  int64: [INT64, 0],
  uint64: [INT64, 0],
  sint64: [SINT64, 0],
  fixed64: [FIXED64, 1],
  sfixed64: [FIXED64, 1],
  bool: [BOOL, 0],
  string: [STRING, 2],
  bytes: [BYTES, 2],
  enum: [ENUM, 0],
  message: [MESSAGE, 2],
};

/** A field as the encoder needs it, worked out once per type. */
interface PlainField {
  readonly name: string;
  readonly id: number;
  readonly kind: number;
  /** The key written before each value (before each map entry, before a packed list). */
  readonly tag: number;
  /** A map entry's value key (field 2). */
  readonly valueTag: number;
  readonly map: boolean;
  readonly stringKeys: boolean;
  readonly repeated: boolean;
  /** Repeated scalars written as one length-delimited list. */
  readonly packed: boolean;
  readonly messageType: protobuf.Type | undefined;
  readonly enumValues: Readonly<Record<string, number>> | undefined;
}

function plainField(f: FieldInfo): PlainField {
  const [kind, wire] = KINDS[f.kind];
  const packed = f.repeated && !!f.field.packed && kind !== MESSAGE && kind !== STRING && kind !== BYTES;
  return {
    name: f.name,
    id: f.id,
    kind,
    tag: (f.id << 3) | (f.map || packed ? 2 : wire),
    valueTag: (2 << 3) | wire,
    map: f.map,
    stringKeys: f.keyKind === 'string',
    repeated: f.repeated,
    packed,
    messageType: f.messageType,
    enumValues: f.enumType?.values,
  };
}

/**
 * How a message type is written: its fields by name, and the orders of keys its objects
 * came in lately, each with the fields they name in field-number order. Objects of one
 * type are built by a few emitters, so their keys come in a few orders; matching the
 * order of the last ones saves looking each key up and sorting the fields again.
 * Kept on the protobufjs Type (a property read, not a lookup).
 */
interface Plan {
  readonly byName: ReadonlyMap<string, PlainField>;
  readonly shapes: Shape[];
}
interface Shape {
  readonly keys: readonly string[];
  readonly fields: readonly PlainField[];
}
/** Key orders kept per type; beyond this a new order takes the place of the last one. */
const SHAPES_PER_TYPE = 8;
const PLAN = Symbol('encodePlainPlan');

function planOf(type: protobuf.Type): Plan {
  const held = (type as { [PLAN]?: Plan })[PLAN];
  if (held) return held;
  const byName = new Map<string, PlainField>();
  for (const f of typeInfo(type).fields) byName.set(f.name, plainField(f));
  const plan: Plan = { byName, shapes: [] };
  Object.defineProperty(type, PLAN, { value: plan });
  return plan;
}

/** The fields `obj` has keys for (set or not), in field-number order. */
function fieldsOf(plan: Plan, obj: Rec): readonly PlainField[] {
  const shapes = plan.shapes;
  for (let i = 0; i < shapes.length; i++) {
    const shape = shapes[i]!;
    if (hasKeysInOrder(obj, shape.keys)) return shape.fields;
  }
  const keys: string[] = [];
  const fields: PlainField[] = [];
  for (const k in obj) {
    keys.push(k);
    const f = plan.byName.get(k);
    if (f !== undefined) fields.push(f);
  }
  fields.sort((a, b) => a.id - b.id);
  if (shapes.length === SHAPES_PER_TYPE) shapes.pop();
  shapes.push({ keys, fields });
  return fields;
}

function hasKeysInOrder(obj: Rec, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in obj) if (keys[i++] !== k) return false;
  return i === keys.length;
}

/**
 * Writes the fields `obj` sets (not undefined or null), in field-number order as
 * protobufjs does. Walks the object's own keys, not the type's fields: a message sets a
 * few of its type's many fields (a Cluster 4 of ~50).
 */
function writeMessage(w: WireWriter, plan: Plan, obj: Rec): void {
  const fields = fieldsOf(plan, obj);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const v = obj[f.name];
    if (v !== undefined && v !== null) writeField(w, f, v);
  }
}

function writeField(w: WireWriter, f: PlainField, v: unknown): void {
  if (f.map) writeMap(w, f, v as Rec);
  else if (f.repeated) {
    const list = v as unknown[];
    if (list.length === 0) return;
    if (f.packed) {
      w.uint32(f.tag);
      const start = w.beginDelimited();
      for (const e of list) writeScalar(w, f, e);
      w.endDelimited(start);
    } else for (const e of list) writeValue(w, f, f.tag, e);
  } else writeValue(w, f, f.tag, v);
}

function writeMap(w: WireWriter, f: PlainField, m: Rec): void {
  if (!f.stringKeys) throw new Unsupported('map key');
  for (const k of Object.keys(m).sort()) {
    w.uint32(f.tag);
    const start = w.beginDelimited();
    w.uint32((1 << 3) | 2);
    w.string(k);
    const x = m[k];
    if (x !== undefined && x !== null) writeValue(w, f, f.valueTag, x);
    w.endDelimited(start);
  }
}

function writeValue(w: WireWriter, f: PlainField, tag: number, v: unknown): void {
  if (f.kind === MESSAGE) {
    if (v === null || typeof v !== 'object' || !f.messageType) throw new Unsupported(`message ${f.name}`);
    writeSub(w, tag, f.messageType, v as Rec);
  } else {
    w.uint32(tag);
    writeScalar(w, f, v);
  }
}

/** A scalar or enum value, as protobufjs' Writer writes it for the field's type. */
function writeScalar(w: WireWriter, f: PlainField, v: unknown): void {
  switch (f.kind) {
    case DOUBLE:
      return w.double(v as number);
    case FLOAT:
      return w.float(v as number);
    case INT32:
      return w.int32(v as number);
    case UINT32:
      return w.uint32(v as number);
    case SINT32:
      return w.sint32(v as number);
    case FIXED32:
      return w.fixed32(v as number);
    case INT64:
      return w.int64(v);
    case SINT64:
      return w.sint64(v);
    case FIXED64:
      return w.fixed64(v);
    case BOOL:
      return w.bool(Boolean(v));
    case STRING:
      return w.string(String(v));
    case BYTES:
      return w.bytes(v as Uint8Array | string);
    case ENUM:
      return w.int32(enumNumber(f, v));
    default:
      throw new Unsupported(`kind ${f.kind}`);
  }
}

function enumNumber(f: PlainField, v: unknown): number {
  if (typeof v === 'number') return v;
  const n = f.enumValues?.[String(v)];
  if (n === undefined) throw new Unsupported(`enum ${String(v)}`);
  return n;
}

/** A sub-message: its kept bytes if it has them; else written here, and kept if it is marked. */
function writeSub(w: WireWriter, tag: number, type: protobuf.Type, v: Rec): void {
  w.uint32(tag);
  const bytes = cache.get(v);
  if (bytes !== undefined) {
    w.bytes(bytes);
    return;
  }
  const start = w.beginDelimited();
  writeMessage(w, planOf(type), v);
  if (shareable.has(v)) cache.set(v, w.copy(start));
  w.endDelimited(start);
}

/**
 * The kept bytes of a marked object (encoded now, at the writer's end and taken back
 * out, if they were not yet); undefined for an unmarked one.
 */
function sharedBytes(w: WireWriter, type: protobuf.Type, v: Rec): Uint8Array | undefined {
  let bytes = cache.get(v);
  if (bytes === undefined && shareable.has(v)) {
    const start = w.pos;
    writeMessage(w, planOf(type), v);
    cache.set(v, (bytes = w.copy(start)));
    w.pos = start;
  }
  return bytes;
}

/** The writer of the encoding under way; another (nested) one gets a writer of its own. */
let writer = new WireWriter();
let writerBusy = false;
/** A writer grown past this by one large message is not kept for the next ones. */
const KEPT_WRITER_BYTES = 4 * 1024 * 1024;

function withWriter<R>(encode: (w: WireWriter) => R): R {
  if (writerBusy) return encode(new WireWriter(4096));
  writerBusy = true;
  writer.pos = 0;
  try {
    return encode(writer);
  } finally {
    writerBusy = false;
    if (writer.capacity > KEPT_WRITER_BYTES) writer = new WireWriter();
  }
}

function encodeWith(type: protobuf.Type, obj: Rec): Uint8Array {
  return withWriter((w) => {
    writeMessage(w, planOf(type), obj);
    return w.copy(0);
  });
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
  return withWriter((w) => {
    // Each spliced sub-message follows the first `at` bytes the writer wrote itself (its tag and length included).
    const spliced: Array<{ at: number; bytes: Uint8Array }> = [];
    const splice = (f: PlainField, v: unknown): void => {
      const bytes = f.messageType && isObject(v) ? sharedBytes(w, f.messageType, v) : undefined;
      if (bytes && bytes.length >= MIN_PART_LENGTH) {
        w.uint32(f.tag);
        w.uint32(bytes.length);
        // At the top level no length is pending, so `pos` is where the next byte goes in the result.
        spliced.push({ at: w.pos, bytes });
      } else writeValue(w, f, f.tag, v);
    };
    for (const f of fieldsOf(planOf(type), obj)) {
      const v = obj[f.name];
      if (v === undefined || v === null) continue;
      if (f.kind !== MESSAGE || f.map) writeField(w, f, v);
      else if (f.repeated) for (const e of v as unknown[]) splice(f, e);
      else splice(f, v);
    }
    const own = w.copy(0);
    if (spliced.length === 0) return own;
    const parts: Uint8Array[] = [];
    let from = 0;
    for (const { at, bytes } of spliced) {
      parts.push(own.subarray(from, at), bytes);
      from = at;
    }
    if (from < own.length) parts.push(own.subarray(from));
    return new ByteParts(parts);
  });
}

function isObject(v: unknown): v is Rec {
  return v !== null && typeof v === 'object';
}
