/**
 * State-of-the-world responses, shared by every stream that subscribes to the
 * same names of the same type snapshot.
 *
 * The nonce belongs to the response, not to the stream: each response gets a
 * process-unique nonce when it is built. A stream never receives two different
 * responses with the same nonce, and it receives the same response twice only
 * after the client has moved on to a later nonce, by which point every request
 * echoing the earlier use has already been read (requests arrive in order). So
 * nonces still identify responses per stream, and a push to N proxies writes one
 * shared buffer N times instead of encoding N responses.
 */
import { encodeSotwResponse } from './frames.js';
import { listVersion } from './hash.js';
import type { CachedResource, TypeSnapshot } from './snapshot-cache.js';
import type { Subscription } from './subscription.js';

export interface SotwResponse {
  /** `version_info`: the type's version for a wildcard, else the hash of the named (name, version) pairs. */
  readonly version: string;
  readonly nonce: string;
  /** The encoded DiscoveryResponse. */
  readonly bytes: Buffer;
  /** What it carries, in order. */
  readonly names: readonly string[];
  readonly versions: readonly string[];
}

let responseSeq = 0;

/** Responses per subscription, per type snapshot; a new snapshot starts empty. */
const built = new WeakMap<TypeSnapshot, Map<string, SotwResponse>>();
const MAX_RESPONSES_PER_TYPE = 256;
let lastType: TypeSnapshot | undefined;
let lastBySub: Map<string, SotwResponse> | undefined;

/** The response `sub` gets from `type`, built once and shared. */
export function sotwResponse(type: TypeSnapshot, sub: Subscription): SotwResponse {
  // Streams of one group flush one after another: the last type asked about is the usual one.
  let bySub = type === lastType ? lastBySub : built.get(type);
  if (!bySub) built.set(type, (bySub = new Map()));
  lastType = type;
  lastBySub = bySub;
  let res = bySub.get(sub.key);
  if (res) return res;
  const picked: CachedResource[] = [];
  for (const n of sub.wildcard ? type.sortedNames : sub.names) {
    const r = type.resources.get(n);
    if (r) picked.push(r);
  }
  const version = sub.wildcard
    ? type.version
    : listVersion(picked.map((r) => [r.name, r.wireVersion] as const));
  const nonce = (++responseSeq).toString(36);
  res = {
    version,
    nonce,
    bytes: encodeSotwResponse(
      version,
      picked.map((r) => r.any),
      type.typeUrl,
      nonce,
    ),
    names: picked.map((r) => r.name),
    versions: picked.map((r) => r.wireVersion),
  };
  if (bySub.size >= MAX_RESPONSES_PER_TYPE) {
    const oldest = bySub.keys().next().value;
    if (oldest !== undefined) bySub.delete(oldest);
  }
  bySub.set(sub.key, res);
  return res;
}
