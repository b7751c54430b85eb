/**
 * What the built-in CA keeps in the store: its roots, each with its private key sealed
 * (seal.ts), when it started signing and until when it stays trusted. Pure functions
 * decide, for a given instant, which root signs and which roots the trust bundle holds.
 *
 * A rotation adds a root that starts signing `activateAfter` later (time for every
 * proxy to receive the bundle with both roots first), and keeps the old roots trusted
 * for `overlap` after that, so certificates they issued verify until they expire.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { CaError } from './errors.js';

const SealedKeySchema = Type.Object({
  alg: Type.Literal('A256GCM'),
  kid: Type.String(),
  iv: Type.String(),
  tag: Type.String(),
  data: Type.String(),
});

/** ISO 8601, checked with Date.parse. */
const Instant = Type.String();

const StoredRootSchema = Type.Object({
  /** PEM. */
  certificate: Type.String(),
  key: SealedKeySchema,
  addedAt: Instant,
  /** From when this root signs new certificates. */
  signsFrom: Instant,
  /** Absent: trusted while it is valid. Set when a newer root replaces it. */
  trustedUntil: Type.Optional(Instant),
});

export const AuthorityStateSchema = Type.Object({
  format: Type.Literal(1),
  roots: Type.Array(StoredRootSchema, { minItems: 1 }),
});

export type StoredRoot = Static<typeof StoredRootSchema>;
export type AuthorityState = Static<typeof AuthorityStateSchema>;

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();

/** Checks a stored document; `where` names the record in the error. */
export function parseAuthorityState(value: unknown, where: string): AuthorityState {
  const errors = [...Value.Errors(AuthorityStateSchema, value)];
  const bad =
    errors[0] ??
    (value as AuthorityState).roots
      .flatMap((r) => [r.addedAt, r.signsFrom, ...(r.trustedUntil ? [r.trustedUntil] : [])])
      .filter((s) => Number.isNaN(at(s)))
      .map((s) => ({ path: 'roots', message: `"${s}" is not a date` }))[0];
  if (bad)
    throw new CaError(
      `the CA record ${where} is corrupted (${bad.path || '/'}: ${bad.message}); it was left as it is — restore it from a backup, or delete it to create a new root (every workload certificate then changes)`,
    );
  return value as AuthorityState;
}

/** The root that signs at `now`: the latest whose `signsFrom` has come. */
export function signingRoot(state: AuthorityState, now: number): StoredRoot {
  let best: StoredRoot | undefined;
  for (const r of state.roots) {
    if (at(r.signsFrom) <= now && (!best || at(r.signsFrom) > at(best.signsFrom))) best = r;
  }
  // Only a clock set back could leave none: the oldest root is the safe choice.
  return best ?? [...state.roots].sort((a, b) => at(a.signsFrom) - at(b.signsFrom))[0]!;
}

/** Roots in the trust bundle at `now`, oldest first. */
export function trustedRoots(state: AuthorityState, now: number): StoredRoot[] {
  return state.roots.filter((r) => r.trustedUntil === undefined || at(r.trustedUntil) > now);
}

export interface RotationTiming {
  /** Between adding the new root to the bundle and signing with it. */
  activateAfterMs: number;
  /** How long the replaced roots stay trusted after the new one starts signing. */
  overlapMs: number;
}

/** The state after adding `root` as the next signer; roots no longer trusted are dropped. */
export function withRotation(
  state: AuthorityState,
  root: Pick<StoredRoot, 'certificate' | 'key'>,
  now: number,
  timing: RotationTiming,
): AuthorityState {
  const pending = state.roots.find((r) => at(r.signsFrom) > now);
  if (pending)
    throw new CaError(
      `a rotation is already under way: the root added at ${pending.addedAt} starts signing at ${pending.signsFrom}`,
    );
  const signsFrom = now + timing.activateAfterMs;
  const until = iso(signsFrom + timing.overlapMs);
  const kept = trustedRoots(state, now).map((r) =>
    r.trustedUntil !== undefined && at(r.trustedUntil) < at(until) ? r : { ...r, trustedUntil: until },
  );
  return {
    format: 1,
    roots: [...kept, { ...root, addedAt: iso(now), signsFrom: iso(signsFrom) }],
  };
}

/** The next instant after `now` at which the signer or the bundle changes. */
export function nextTransition(state: AuthorityState, now: number): number | undefined {
  let next: number | undefined;
  for (const r of state.roots) {
    for (const t of [at(r.signsFrom), r.trustedUntil ? at(r.trustedUntil) : Infinity]) {
      if (t > now && t !== Infinity && (next === undefined || t < next)) next = t;
    }
  }
  return next;
}
