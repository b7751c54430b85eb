/**
 * IR objects built once and shared between groups (the values of shared units, see
 * context.ts `shared`) give one Envoy object, built once and marked for the encoder,
 * which then keeps its bytes. Other IR objects belong to one group and are emitted
 * afresh: remembering them would only cost memory and collector time.
 *
 * The Envoy object is kept on the IR object under a symbol (left out of JSON and YAML):
 * a group reads it for every shared unit it uses (about a hundred clusters per sidecar
 * of the bench mesh), and a property read costs a fraction of a WeakMap lookup.
 */
import { isShared, markShared } from '../encode-plain.js';

const EMITTED = Symbol('emitted');

export function emitShared<I extends object, O extends object>(ir: I, build: (ir: I) => O): O {
  const hit = (ir as { [EMITTED]?: O })[EMITTED];
  if (hit !== undefined) return hit;
  if (!isShared(ir)) return build(ir);
  const out = build(ir);
  // `build` may be an emitter that keeps its object itself (the memo's callers pass those).
  if ((ir as { [EMITTED]?: O })[EMITTED] !== undefined) return out;
  markShared(out);
  Object.defineProperty(ir, EMITTED, { value: out });
  return out;
}

/** The Envoy object emitted from a shared IR object, if it was. */
export function emittedBefore<O extends object>(ir: object): O | undefined {
  return (ir as { [EMITTED]?: O })[EMITTED];
}

/** The Envoy object of a shared IR object (built now if it was not yet); undefined for an object of one group's own. */
export function emitIfShared<I extends object, O extends object>(ir: I, build: (ir: I) => O): O | undefined {
  return emittedBefore<O>(ir) ?? (isShared(ir) ? emitShared(ir, build) : undefined);
}
