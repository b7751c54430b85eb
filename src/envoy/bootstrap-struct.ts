/**
 * Plain JSON as a `google.protobuf.Struct` in protobufjs' form (`{ fields: { k:
 * { stringValue } } }`, camelCase members), for the bootstrap's free-form parts: the
 * runtime layer, node metadata and the X-Ray segment's `aws` fields.
 */

export type JsonLike =
  null | boolean | number | string | readonly JsonLike[] | { readonly [k: string]: JsonLike };

export interface ProtoStruct {
  fields: Record<string, ProtoValue>;
}

export type ProtoValue =
  | { nullValue: 0 }
  | { boolValue: boolean }
  | { numberValue: number }
  | { stringValue: string }
  | { structValue: ProtoStruct }
  | { listValue: { values: ProtoValue[] } };

export function toProtoValue(v: JsonLike): ProtoValue {
  if (v === null) return { nullValue: 0 };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (Array.isArray(v)) return { listValue: { values: (v as readonly JsonLike[]).map(toProtoValue) } };
  return { structValue: toProtoStruct(v as { readonly [k: string]: JsonLike }) };
}

export function toProtoStruct(obj: { readonly [k: string]: JsonLike }): ProtoStruct {
  const fields: Record<string, ProtoValue> = {};
  for (const [k, v] of Object.entries(obj)) fields[k] = toProtoValue(v);
  return { fields };
}
