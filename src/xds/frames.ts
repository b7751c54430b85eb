/**
 * Discovery responses, written around resources encoded once.
 *
 * A response is mostly resources the cache already holds as bytes. Re-encoding
 * them through the Envoy message types would parse nothing but copy everything
 * through reflection; instead a SotW response writes each resource's `Any` (its type
 * URL, then its bytes, whole or in parts) straight into the body, and a delta
 * response is written by protobufjs with wire-compatible "frame" types whose resource
 * fields are `bytes` holding the resource's `Any` (made once per cached resource): an
 * embedded message and a `bytes` field are the same on the wire (tag, length, payload),
 * so the output is byte for byte what encoding the real `DiscoveryResponse` /
 * `DeltaDiscoveryResponse` gives (`frames.test.ts` checks it against the Envoy types). */
import protobuf from 'protobufjs';
import { varintLength, writeBytes, writeUint32At, type EncodedBytes } from '../proto/index.js';

// proto3 leaves empty strings out; the frames are given undefined for them.
// Field numbers and order are those of envoy/service/discovery/v3/discovery.proto and google/protobuf/any.proto.
const root = protobuf.Root.fromJSON({
  nested: {
    DiscoveryResponseFrame: {
      fields: {
        version_info: { type: 'string', id: 1 },
        resources: { rule: 'repeated', type: 'bytes', id: 2 },
        type_url: { type: 'string', id: 4 },
        nonce: { type: 'string', id: 5 },
      },
    },
    DeltaResourceFrame: {
      fields: {
        version: { type: 'string', id: 1 },
        resource: { type: 'bytes', id: 2 },
        name: { type: 'string', id: 3 },
      },
    },
    DeltaDiscoveryResponseFrame: {
      fields: {
        system_version_info: { type: 'string', id: 1 },
        resources: { rule: 'repeated', type: 'DeltaResourceFrame', id: 2 },
        type_url: { type: 'string', id: 4 },
        nonce: { type: 'string', id: 5 },
        removed_resources: { rule: 'repeated', type: 'string', id: 6 },
      },
    },
  },
});

const DiscoveryResponseFrame = root.lookupType('DiscoveryResponseFrame');
const DeltaDiscoveryResponseFrame = root.lookupType('DeltaDiscoveryResponseFrame');

/** Buffers without a copy: gRPC writes Buffers. */
function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** A resource as the cache holds it: its type URL and its encoded message, whole or in parts. */
export interface AnyValue {
  readonly typeUrl: string;
  readonly value: EncodedBytes;
}

/** A length-delimited field's length on the wire: tag, length, content. */
const fieldLength = (content: number): number => 1 + varintLength(content) + content;

/** Writes a length-delimited field's tag and length at `at`; returns the position after them. */
function writeDelimitedHead(out: Buffer, at: number, field: number, length: number): number {
  out[at++] = (field << 3) | 2;
  return writeUint32At(out, at, length);
}

/** Writes a string field at `at` (`length`: its UTF-8 bytes); returns the position after it. */
function writeString(out: Buffer, at: number, field: number, value: string, length: number): number {
  at = writeDelimitedHead(out, at, field, length);
  return at + out.write(value, at, length, 'utf8');
}

/** The encoded `google.protobuf.Any` of a resource, in bytes (`type_url` 1 and `value` 2, both always written). */
function anyLength(r: AnyValue): number {
  return fieldLength(Buffer.byteLength(r.typeUrl)) + fieldLength(r.value.length);
}

/** Writes a resource's `google.protobuf.Any` at `at`, its value's parts copied in; returns the position after it. */
function writeAny(out: Buffer, at: number, r: AnyValue): number {
  at = writeString(out, at, 1, r.typeUrl, Buffer.byteLength(r.typeUrl));
  at = writeDelimitedHead(out, at, 2, r.value.length);
  return writeBytes(out, at, r.value);
}

/**
 * A resource wrapped in `google.protobuf.Any`, encoded; the resource's bytes are its last
 * `valueLength` bytes. A value in parts is joined here, in the copy into the Any.
 */
export function encodeAny(typeUrl: string, value: EncodedBytes): Buffer {
  const r = { typeUrl, value };
  const out = Buffer.allocUnsafe(anyLength(r));
  writeAny(out, 0, r);
  return out;
}

/**
 * encodeSotwResponse of `resources`' Anys, each written from its type URL and its value's
 * parts straight into the response: the same bytes, without an Any of each resource
 * copied first (the cache kept one per resource: a second copy of every group's route
 * configurations, and in an every-proxy change 4,000 buffers of ~15 KB made per change).
 */
export function encodeSotwResponseOf(
  version: string,
  resources: readonly AnyValue[],
  typeUrl: string,
  nonce: string,
  /** Where the body goes: a buffer of exactly `size` bytes (default a new one). */
  alloc: (size: number) => Buffer = Buffer.allocUnsafe,
): Buffer {
  const [v, t, n] = [version, typeUrl, nonce].map((x) => Buffer.byteLength(x)) as [number, number, number];
  const anyLengths = resources.map(anyLength);
  let size = (v > 0 ? fieldLength(v) : 0) + (t > 0 ? fieldLength(t) : 0) + (n > 0 ? fieldLength(n) : 0);
  for (const a of anyLengths) size += fieldLength(a);
  const out = alloc(size);
  let at = 0;
  if (v > 0) at = writeString(out, at, 1, version, v);
  resources.forEach((r, i) => {
    at = writeDelimitedHead(out, at, 2, anyLengths[i]!);
    at = writeAny(out, at, r);
  });
  if (t > 0) at = writeString(out, at, 4, typeUrl, t);
  if (n > 0) writeString(out, at, 5, nonce, n);
  return out;
}

/** A state-of-the-world DiscoveryResponse; `anys` are encoded Anys (see {@link encodeAny}). */
export function encodeSotwResponse(
  version: string,
  anys: readonly Uint8Array[],
  typeUrl: string,
  nonce: string,
): Buffer {
  return asBuffer(
    DiscoveryResponseFrame.encode({
      version_info: version || undefined,
      resources: anys,
      type_url: typeUrl || undefined,
      nonce: nonce || undefined,
    }).finish(),
  );
}

/** One resource of a delta response: its version, encoded Any and name. */
export interface DeltaResourceFrame {
  readonly version: string;
  readonly resource: Uint8Array;
  readonly name: string;
}

/** A DeltaDiscoveryResponse. */
export function encodeDeltaResponse(
  systemVersion: string,
  resources: readonly DeltaResourceFrame[],
  typeUrl: string,
  nonce: string,
  removed: readonly string[],
): Buffer {
  return asBuffer(
    DeltaDiscoveryResponseFrame.encode({
      system_version_info: systemVersion || undefined,
      resources,
      type_url: typeUrl || undefined,
      nonce: nonce || undefined,
      removed_resources: removed,
    }).finish(),
  );
}
