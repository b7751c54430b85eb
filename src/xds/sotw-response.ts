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
 *
 * A response keeps the cache's resources, not its encoded body: the body of a
 * group's clusters is tens of KiB, and kept for every group and type it was most
 * of what a connected proxy cost (issue 18: ~74 KiB per group, 15 KiB per proxy at
 * 10,000 proxies of 2,000 nodes). The body is encoded when a stream sends it and
 * shared by the streams that send it in the same turn of the event loop (a
 * snapshot change flushes all of a group's streams in one turn); gRPC copies it
 * into its own frame anyway, so nothing outlives the turn. Encoding is
 * deterministic, so a body built again later is byte for byte the same.
 */
import { encodeSotwResponseOf } from './frames.js';
import { listVersion } from './hash.js';
import type { CachedResource, TypeSnapshot } from './snapshot-cache.js';
import type { Subscription } from './subscription.js';

export class SotwResponse {
  constructor(
    /** `version_info`: the type's version for a wildcard, else the hash of the named (name, version) pairs. */
    readonly version: string,
    readonly nonce: string,
    readonly typeUrl: string,
    /** What it carries, in order (the cache's own objects, shared with the snapshot). */
    readonly resources: readonly CachedResource[],
  ) {}

  /** The encoded DiscoveryResponse; see the module comment for how long it is kept. */
  get bytes(): Buffer {
    return bodyOf(this);
  }

  get names(): string[] {
    return this.resources.map((r) => r.name);
  }

  get versions(): string[] {
    return this.resources.map((r) => r.wireVersion);
  }
}

/** Bodies encoded in this turn of the event loop; emptied at the next. */
let bodies = new Map<SotwResponse, Buffer>();

function bodyOf(res: SotwResponse): Buffer {
  let body = bodies.get(res);
  if (body) return body;
  if (bodies.size === 0) setImmediate(() => (bodies = new Map()));
  body = encodeSotwResponseOf(res.version, res.resources, res.typeUrl, res.nonce);
  bodies.set(res, body);
  return body;
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
  res = new SotwResponse(version, (++responseSeq).toString(36), type.typeUrl, picked);
  if (bySub.size >= MAX_RESPONSES_PER_TYPE) {
    const oldest = bySub.keys().next().value;
    if (oldest !== undefined) bySub.delete(oldest);
  }
  bySub.set(sub.key, res);
  return res;
}
