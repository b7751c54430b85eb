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
 *
 * A stream whose write gRPC copies at once (nothing queued on it) is lent the body
 * in one buffer reused for every such send ({@link SotwResponse.lentBytes}): a proxy
 * connecting is sent its group's responses alone, each in a turn of its own, and a
 * body of its own per response was a second buffer of up to tens of KiB next to
 * gRPC's copy, four per connecting proxy; without them amime serve holds ~3 KiB less
 * native memory per proxy at 10,000 (issue 18, bench/README 2026-12-06 session 13).
 * The last response lent stays referenced until the next is.
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

  /**
   * The encoded DiscoveryResponse, possibly in a buffer that the next call for another
   * response overwrites: only for a writer that has copied it before it returns.
   */
  lentBytes(): Buffer {
    return lentBodyOf(this);
  }

  get names(): string[] {
    return this.resources.map((r) => r.name);
  }

  get versions(): string[] {
    return this.resources.map((r) => r.wireVersion);
  }
}

/**
 * Bodies encoded in this turn of the event loop; emptied at the next. `null`: lent
 * once in this turn (encoded into the scratch buffer), not allocated.
 */
let bodies = new Map<SotwResponse, Buffer | null>();

/** Keeps what was made of `res` in this turn. */
function remember(res: SotwResponse, body: Buffer | null): void {
  if (bodies.size === 0) setImmediate(() => (bodies = new Map()));
  bodies.set(res, body);
}

function bodyOf(res: SotwResponse): Buffer {
  let body = bodies.get(res);
  if (body) return body;
  body = encodeSotwResponseOf(res.version, res.resources, res.typeUrl, res.nonce);
  remember(res, body);
  return body;
}

/** Bodies up to this size are lent in the scratch buffer; a larger one is allocated as by {@link bodyOf}. */
const SCRATCH_MAX = 1 << 20;
let scratch: Buffer | undefined;
/** The response whose body `lent` (a view of `scratch`) holds. */
let lentFor: SotwResponse | undefined;
let lent: Buffer | undefined;

function scratchOf(size: number): Buffer {
  if (!scratch || scratch.length < size)
    scratch = Buffer.allocUnsafeSlow(
      Math.min(SCRATCH_MAX, Math.max(size, 2 * (scratch?.length ?? 16 * 1024))),
    );
  return scratch.subarray(0, size);
}

function lentBodyOf(res: SotwResponse): Buffer {
  if (lentFor === res) return lent!;
  const body = bodies.get(res);
  if (body) return body;
  // Sent a second time in this turn: the group's other streams are likely to follow, and share one allocated body.
  if (body === null) return bodyOf(res);
  const out = encodeSotwResponseOf(res.version, res.resources, res.typeUrl, res.nonce, (n) =>
    n > SCRATCH_MAX ? Buffer.allocUnsafe(n) : scratchOf(n),
  );
  if (out.length > SCRATCH_MAX) {
    remember(res, out);
    return out;
  }
  remember(res, null);
  lentFor = res;
  lent = out;
  return out;
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
