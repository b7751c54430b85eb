/**
 * Discovery responses, encoded by protobufjs around resources encoded once.
 *
 * A response is mostly resources the cache already holds as bytes. Re-encoding
 * them through the Envoy message types would parse nothing but copy everything
 * through reflection; instead each resource's `Any` is encoded once (when it
 * enters the cache) and the responses are written with wire-compatible "frame"
 * types whose resource fields are `bytes`: an embedded message and a `bytes` field
 * are the same on the wire (tag, length, payload), so the output is byte for byte
 * what encoding the real `DiscoveryResponse` / `DeltaDiscoveryResponse` gives
 * (`frames.test.ts` checks it against the Envoy types).
 */
import protobuf from 'protobufjs';
import { writeBytes, type EncodedBytes } from '../proto/index.js';

// proto3 leaves empty strings out; the frames are given undefined for them.
// Field numbers and order are those of envoy/service/discovery/v3/discovery.proto and google/protobuf/any.proto.
const root = protobuf.Root.fromJSON({
  nested: {
    AnyFrame: {
      fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } },
    },
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

const AnyFrame = root.lookupType('AnyFrame');
const DiscoveryResponseFrame = root.lookupType('DiscoveryResponseFrame');
const DeltaDiscoveryResponseFrame = root.lookupType('DeltaDiscoveryResponseFrame');

/** Buffers without a copy: gRPC writes Buffers. */
function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/**
 * A resource wrapped in `google.protobuf.Any`, encoded; the resource's bytes are its last
 * `valueLength` bytes. A value in parts is joined here, in the copy into the Any.
 */
export function encodeAny(typeUrl: string, value: EncodedBytes): Buffer {
  if (value instanceof Uint8Array) return asBuffer(AnyFrame.encode({ type_url: typeUrl, value }).finish());
  // AnyFrame's encoding with the value's length only; the value follows it.
  const head = AnyFrame.encode({ type_url: typeUrl })
    .uint32((2 << 3) | 2)
    .uint32(value.length)
    .finish();
  const out = Buffer.allocUnsafe(head.length + value.length);
  out.set(head, 0);
  writeBytes(out, head.length, value);
  return out;
}

/** A resource as the cache holds it: its type URL and its encoded message, whole or in parts. */
export interface AnyValue {
  readonly typeUrl: string;
  readonly value: EncodedBytes;
}

const varintLength = (n: number): number =>
  n < 1 << 7 ? 1 : n < 1 << 14 ? 2 : n < 1 << 21 ? 3 : n < 1 << 28 ? 4 : 5;

function writeVarint(out: Buffer, at: number, n: number): number {
  while (n > 127) {
    out[at++] = (n & 127) | 128;
    n >>>= 7;
  }
  out[at++] = n;
  return at;
}

/** A length-delimited field's length on the wire: tag, length, content. */
const fieldLength = (content: number): number => 1 + varintLength(content) + content;

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
): Buffer {
  const strings = [version, typeUrl, nonce].map((t) => Buffer.byteLength(t));
  const [v, t, n] = strings as [number, number, number];
  const anyLengths = resources.map(
    (r) => fieldLength(Buffer.byteLength(r.typeUrl)) + fieldLength(r.value.length),
  );
  let size = (v > 0 ? fieldLength(v) : 0) + (t > 0 ? fieldLength(t) : 0) + (n > 0 ? fieldLength(n) : 0);
  for (const a of anyLengths) size += fieldLength(a);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  const text = (tag: number, value: string, length: number): void => {
    out[at++] = tag;
    at = writeVarint(out, at, length);
    at += out.write(value, at, length, 'utf8');
  };
  if (v > 0) text((1 << 3) | 2, version, v);
  resources.forEach((r, i) => {
    out[at++] = (2 << 3) | 2;
    at = writeVarint(out, at, anyLengths[i]!);
    text((1 << 3) | 2, r.typeUrl, Buffer.byteLength(r.typeUrl));
    out[at++] = (2 << 3) | 2;
    at = writeVarint(out, at, r.value.length);
    at = writeBytes(out, at, r.value);
  });
  if (t > 0) text((4 << 3) | 2, typeUrl, t);
  if (n > 0) text((5 << 3) | 2, nonce, n);
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
