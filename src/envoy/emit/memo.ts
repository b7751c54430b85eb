/**
 * Emitted Envoy resources by the content of their IR: a group translated again whose
 * listener, route configuration or cluster comes out with the same IR gets the very
 * object it had (or that another group has), so the encoder's bytes, the output check's
 * verdict and the snapshot's version are all reused, not recomputed (issue 17 item 5).
 *
 * The IR is JSON data only (ir/types.ts), so its JSON is its content. A shared IR object
 * (the value of a shared unit, in many groups) already emitted is its Envoy object
 * (emitShared); one built afresh (its unit was dropped by a change) is hashed once, and
 * finds the object of its predecessor when the content is the same.
 *
 * Entries live two generations (the Translator starts one per update): what the last
 * update emitted is found by this one; what no update used since is dropped. A group
 * left alone for longer keeps its objects anyway; only its next re-translation misses.
 */
import { createHash } from 'node:crypto';
import { isShared } from '../encode-plain.js';
import { emittedBefore, keepEmitted } from './shared.js';

export class EmitMemo {
  private current = new Map<string, object>();
  private previous = new Map<string, object>();

  /** `build(ir)`, or the object built earlier from an IR of the same kind and content. */
  emit<I extends object, O extends object>(kind: string, ir: I, build: (ir: I) => O): O {
    const shared = isShared(ir);
    if (shared) {
      const done = emittedBefore<O>(ir);
      if (done) return done;
    }
    const key = createHash('sha1').update(kind).update('\0').update(JSON.stringify(ir)).digest('base64');
    let value = (this.current.get(key) ?? this.previous.get(key)) as O | undefined;
    if (value === undefined) value = build(ir);
    else if (shared) keepEmitted(ir, value);
    this.current.set(key, value);
    return value;
  }

  /** Starts a generation: entries not used in this one or the last are dropped. */
  nextGeneration(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  clear(): void {
    this.current.clear();
    this.previous.clear();
  }
}
