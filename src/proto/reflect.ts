/**
 * A flat, cached view of the protobufjs reflection that the codec, the JSON view and
 * the checkers walk. protobufjs answers the same questions (is this field an enum? a
 * map? which oneof?) through several properties; this file answers them once per type.
 */
import protobuf from 'protobufjs';
import { envoyRoot } from './root.js';

export type ScalarKind =
  | 'double'
  | 'float'
  | 'int32'
  | 'uint32'
  | 'sint32'
  | 'fixed32'
  | 'sfixed32'
  | 'int64'
  | 'uint64'
  | 'sint64'
  | 'fixed64'
  | 'sfixed64'
  | 'bool'
  | 'string'
  | 'bytes';

export type ValueKind = ScalarKind | 'enum' | 'message';

export interface FieldInfo {
  readonly field: protobuf.Field;
  readonly name: string;
  readonly id: number;
  /** Kind of the value (of each element, of each map value). */
  readonly kind: ValueKind;
  readonly repeated: boolean;
  readonly map: boolean;
  /** Map key kind (maps only). */
  readonly keyKind?: ScalarKind;
  readonly enumType?: protobuf.Enum;
  readonly messageType?: protobuf.Type;
  /** Name of the real (not proto3-optional) oneof this field belongs to. */
  readonly oneof?: string;
  /** Set only through explicit presence: a member of a oneof, or proto3 `optional`. */
  readonly explicitPresence: boolean;
  readonly deprecated: boolean;
  /** `(envoy.annotations.disallowed_by_default)`: Envoy rejects it unless a runtime flag allows it. */
  readonly disallowed: boolean;
}

export interface OneofInfo {
  readonly name: string;
  readonly fields: readonly string[];
  /** `(validate.required) = true`. */
  readonly required: boolean;
}

/** Well-known types that have a special JSON form or special rules. */
export type WellKnown =
  | 'Any'
  | 'Duration'
  | 'Timestamp'
  | 'Struct'
  | 'Value'
  | 'ListValue'
  | 'FieldMask'
  | 'Empty'
  | 'DoubleValue'
  | 'FloatValue'
  | 'Int64Value'
  | 'UInt64Value'
  | 'Int32Value'
  | 'UInt32Value'
  | 'BoolValue'
  | 'StringValue'
  | 'BytesValue';

export interface TypeInfo {
  readonly type: protobuf.Type;
  /** Full name without the leading dot, e.g. `envoy.config.cluster.v3.Cluster`. */
  readonly fullName: string;
  readonly fields: readonly FieldInfo[];
  readonly byName: ReadonlyMap<string, FieldInfo>;
  /** Real oneofs only (proto3 `optional` synthetic oneofs are left out). */
  readonly oneofs: readonly OneofInfo[];
  /** Names that protobufjs' toObject({ oneofs: true }) adds as virtual keys, with their members. */
  readonly virtualKeys: ReadonlyMap<string, readonly string[]>;
  readonly wellKnown?: WellKnown;
}

const WELL_KNOWN = new Set<string>([
  'Any',
  'Duration',
  'Timestamp',
  'Struct',
  'Value',
  'ListValue',
  'FieldMask',
  'Empty',
  'DoubleValue',
  'FloatValue',
  'Int64Value',
  'UInt64Value',
  'Int32Value',
  'UInt32Value',
  'BoolValue',
  'StringValue',
  'BytesValue',
]);

const SCALARS = new Set<string>([
  'double',
  'float',
  'int32',
  'uint32',
  'sint32',
  'fixed32',
  'sfixed32',
  'int64',
  'uint64',
  'sint64',
  'fixed64',
  'sfixed64',
  'bool',
  'string',
  'bytes',
]);

export const LONG_KINDS: ReadonlySet<string> = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

const typeByName = new Map<string, protobuf.Type | null>();
const infoByType = new WeakMap<protobuf.Type, TypeInfo>();

/** Strips a leading dot and any `type.googleapis.com/`-style prefix. */
export function bareTypeName(nameOrUrl: string): string {
  const slash = nameOrUrl.lastIndexOf('/');
  const name = slash >= 0 ? nameOrUrl.slice(slash + 1) : nameOrUrl;
  return name.startsWith('.') ? name.slice(1) : name;
}

/** The message type with this full name (or type URL), or undefined if the Root has none. */
export function findType(nameOrUrl: string): protobuf.Type | undefined {
  const cached = typeByName.get(nameOrUrl);
  if (cached !== undefined) return cached ?? undefined;
  let found: protobuf.Type | null = null;
  try {
    const obj = envoyRoot().lookup(`.${bareTypeName(nameOrUrl)}`);
    if (obj instanceof protobuf.Type) found = obj;
  } catch {
    found = null;
  }
  typeByName.set(nameOrUrl, found);
  return found ?? undefined;
}

/** Like findType, but a missing type is a programming error. */
export function requireType(nameOrUrl: string): protobuf.Type {
  const t = findType(nameOrUrl);
  if (!t)
    throw new Error(
      `unknown protobuf message type ${JSON.stringify(nameOrUrl)} (not in the loaded Envoy Root)`,
    );
  return t;
}

function fieldInfo(f: protobuf.Field): FieldInfo {
  f.resolve();
  const rt = f.resolvedType;
  const kind: ValueKind =
    rt instanceof protobuf.Enum ? 'enum' : rt instanceof protobuf.Type ? 'message' : (f.type as ScalarKind);
  if (!rt && !SCALARS.has(f.type)) throw new Error(`unresolved field type ${f.type} of ${f.fullName}`);
  const oneof = f.partOf;
  const synthetic = !!oneof && oneof.oneof.length === 1 && oneof.name === `_${f.name}`;
  const opts = f.options ?? {};
  const isMap = f instanceof protobuf.MapField;
  const info: FieldInfo = {
    field: f,
    name: f.name,
    id: f.id,
    kind,
    repeated: f.repeated && !isMap,
    map: isMap,
    explicitPresence: !!oneof,
    deprecated: opts['deprecated'] === true,
    disallowed: opts['(envoy.annotations.disallowed_by_default)'] === true,
    ...(isMap ? { keyKind: (f as protobuf.MapField).keyType as ScalarKind } : {}),
    ...(rt instanceof protobuf.Enum ? { enumType: rt } : {}),
    ...(rt instanceof protobuf.Type ? { messageType: rt } : {}),
    ...(oneof && !synthetic ? { oneof: oneof.name } : {}),
  };
  return info;
}

/** The cached flat view of a message type. */
export function typeInfo(type: protobuf.Type): TypeInfo {
  const cached = infoByType.get(type);
  if (cached) return cached;
  const fields = type.fieldsArray.map(fieldInfo);
  const byName = new Map(fields.map((f) => [f.name, f] as const));
  const oneofs: OneofInfo[] = [];
  const virtualKeys = new Map<string, readonly string[]>();
  for (const o of type.oneofsArray) {
    virtualKeys.set(o.name, [...o.oneof]);
    const synthetic = o.oneof.length === 1 && o.name === `_${o.oneof[0]}`;
    if (synthetic) continue;
    oneofs.push({
      name: o.name,
      fields: [...o.oneof],
      required: o.options?.['(validate.required)'] === true,
    });
  }
  const fullName = bareTypeName(type.fullName);
  const short = fullName.startsWith('google.protobuf.') ? fullName.slice('google.protobuf.'.length) : '';
  const info: TypeInfo = {
    type,
    fullName,
    fields,
    byName,
    oneofs,
    virtualKeys,
    ...(WELL_KNOWN.has(short) ? { wellKnown: short as WellKnown } : {}),
  };
  infoByType.set(type, info);
  return info;
}

/**
 * Does any type reachable from `root` through message fields satisfy `pred`? Cycles in
 * the proto graph (matchers, Struct) are cut by the visited set of this one query.
 */
export function reaches(
  root: protobuf.Type,
  pred: (info: TypeInfo) => boolean,
  memo: Map<protobuf.Type, boolean>,
): boolean {
  const cached = memo.get(root);
  if (cached !== undefined) return cached;
  const seen = new Set<protobuf.Type>();
  const stack: protobuf.Type[] = [root];
  let found = false;
  while (stack.length > 0 && !found) {
    const t = stack.pop() as protobuf.Type;
    if (seen.has(t)) continue;
    seen.add(t);
    const known = memo.get(t);
    if (known === false) continue; // nothing below it qualifies either
    const info = typeInfo(t);
    if (known === true || pred(info)) found = true;
    else
      for (const f of info.fields) if (f.messageType && !seen.has(f.messageType)) stack.push(f.messageType);
  }
  // Nothing reachable from root qualifies, so nothing reachable from the types seen does either.
  if (!found) for (const t of seen) memo.set(t, false);
  memo.set(root, found);
  return found;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}
