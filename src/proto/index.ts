/**
 * The proto stage: the Envoy v3 protos (one protobufjs Root), their type names and
 * URLs, the codec, reflection over message types, and the JSON view. It imports no
 * other stage; envoy and xds build on it (docs/ARCHITECTURE.md, "Boundaries").
 */
export {
  envoyRoot,
  messageType,
  typeNameOf,
  TYPE_URL_PREFIX,
  ENVOY_PROTO_FILES,
  PROTO_INCLUDE_DIRS,
} from './root.js';
export * from './types.js';
export { ByteParts, NamedBytes, joinBytes, writeBytes, partsOf, type EncodedBytes } from './bytes.js';
export { WireWriter, varintLength, writeUint32At } from './wire-writer.js';
export {
  encodeMessage,
  decodeMessage,
  typedConfig,
  anyOf,
  anyFromBytes,
  anySourceOf,
  unpackAny,
  isPlainAny,
  ANY_SOURCE,
  DECODE_OPTIONS,
  type ProtoObject,
  type PlainAny,
  type AnySource,
  type UnpackedAny,
  type AnyCache,
} from './codec.js';
export { toJsonView, decodedToJson, formatDuration, type JsonValue, type JsonObject } from './json.js';
export {
  findType,
  requireType,
  typeInfo,
  reaches,
  bareTypeName,
  isPlainObject,
  LONG_KINDS,
  type ScalarKind,
  type ValueKind,
  type FieldInfo,
  type OneofInfo,
  type WellKnown,
  type TypeInfo,
} from './reflect.js';
