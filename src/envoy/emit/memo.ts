/**
 * Emitted Envoy resources by the content of their IR: a group translated again whose
 * listener, route configuration or cluster comes out with the same IR gets the very
 * object it had (or that another group has), so the encoder's bytes, the output check's
 * verdict and the snapshot's version are all reused, not recomputed (issue 17 item 5).
 *
 * The IR is JSON data only (ir/types.ts), so its JSON is its content (contentKey). A
 * shared IR object (the value of a shared unit, in many groups) already emitted is its
 * Envoy object (emitShared); one built afresh (its unit was dropped by a change) is
 * hashed once, and finds the object of its predecessor when the content is the same.
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
    const key = `${kind}:${contentKey(ir)}`;
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
}

const sha1 = (text: string): string => createHash('sha1').update(text).digest('base64');

/** Hashes of shared IR objects' JSON, computed once per object (they are never mutated). */
const sharedHashes = new WeakMap<object, string>();

/**
 * A hash of the IR's content. Shared parts (a router's route list, a service's virtual
 * host: most of a route configuration) stand in by their own hash, computed once per
 * object, so a group's IR is not serialised whole again in every group and update.
 */
function contentKey(ir: object): string {
  const parts: string[] = [];
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') {
      parts.push(v === undefined ? 'undefined' : JSON.stringify(v));
      return;
    }
    if (isShared(v)) {
      let h = sharedHashes.get(v);
      if (h === undefined) sharedHashes.set(v, (h = sha1(JSON.stringify(v))));
      parts.push('#', h);
      return;
    }
    if (Array.isArray(v)) {
      parts.push('[');
      for (const x of v) {
        walk(x);
        parts.push(',');
      }
      parts.push(']');
      return;
    }
    parts.push('{');
    for (const [k, x] of Object.entries(v)) {
      parts.push(JSON.stringify(k), ':');
      walk(x);
      parts.push(',');
    }
    parts.push('}');
  };
  walk(ir);
  return sha1(parts.join(''));
}
