/** Envoy proto encoding: the Root, type names, codec and JSON view in one import. */
export {
  envoyRoot,
  messageType,
  typeNameOf,
  TYPE_URL_PREFIX,
  ENVOY_PROTO_FILES,
  PROTO_INCLUDE_DIRS,
} from './root.js';
export * from './types.js';
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
export { findType, requireType } from './reflect.js';
