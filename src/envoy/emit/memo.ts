/**
 * Emitted Envoy resources by the content of their IR: a group translated again whose
 * listener, route configuration or cluster comes out with the same IR gets the very
 * object it had (or that another group has), so the encoder's bytes, the output check's
 * verdict and the snapshot's version are all reused, not recomputed (issue 17 item 5).
 *
 * A shared IR object (the value of a shared unit, in many groups) is its Envoy object,
 * built once (emit/shared.ts). Shared objects are never compared by content here: a unit
 * built again after a change already took its predecessor's objects where the content
 * is the same (context.ts `keepPredecessor`), so the same content is the same object.
 * A group's own IR (its listeners and route configurations, mostly shared parts under a
 * thin wrapper) is keyed by its JSON with each shared part standing in by an identity
 * number: hashing every shared part's content was about a quarter of `Translator.update`
 * in bench:translate's full translation.
 *
 * Entries live two generations (the Translator starts one per update): what the last
 * update emitted is found by this one; what no update used since is dropped. A group
 * left alone for longer keeps its objects anyway; only its next re-translation misses.
 */
import { hash } from 'node:crypto';
import { isShared } from '../encode-plain.js';
import { emitShared, emittedBefore } from './shared.js';

export class EmitMemo {
  private current = new Map<string, object>();
  private previous = new Map<string, object>();

  /** `build(ir)`, or the object built earlier from an IR of the same kind and content. */
  emit<I extends object, O extends object>(kind: string, ir: I, build: (ir: I) => O): O {
    const done = emittedBefore<O>(ir);
    if (done) return done;
    if (isShared(ir)) return emitShared(ir, build);
    const key = `${kind}:${contentKey(ir)}`;
    const value = (this.current.get(key) ?? this.previous.get(key) ?? build(ir)) as O;
    this.current.set(key, value);
    return value;
  }

  /** Starts a generation: entries not used in this one or the last are dropped. */
  nextGeneration(): void {
    this.previous = this.current;
    this.current = new Map();
  }
}

/** Identity numbers of shared IR objects (immutable, so a number stands for the content). */
const sharedIds = new WeakMap<object, number>();
let nextId = 0;

function sharedId(v: object): number {
  let id = sharedIds.get(v);
  if (id === undefined) sharedIds.set(v, (id = nextId++));
  return id;
}

/**
 * A hash of the IR's JSON, shared parts standing in by their identity numbers. (The text
 * itself as the key saved ~50 ms of a full translation but kept 15 MB more heap: a string
 * built by appending holds its pieces.) One-shot `crypto.hash` and a walk at module level
 * (no closure per call): each cost a few µs on each of the ~40,000 keys of bench:translate.
 */
function contentKey(ir: object): string {
  text = '';
  walk(ir);
  const key = hash('sha1', text, 'base64');
  text = '';
  return key;
}

/** The key text being built (contentKey is synchronous and never re-entered). */
let text = '';

function walk(v: unknown): void {
  if (v === null || typeof v !== 'object') {
    text += v === undefined ? 'u' : typeof v === 'string' ? JSON.stringify(v) : String(v);
    return;
  }
  if (isShared(v)) {
    text += `#${sharedId(v)}`;
    return;
  }
  if (Array.isArray(v)) {
    text += '[';
    for (const x of v) {
      walk(x);
      text += ',';
    }
    text += ']';
    return;
  }
  text += '{';
  for (const k in v) {
    text += `${JSON.stringify(k)}:`;
    walk((v as Record<string, unknown>)[k]);
    text += ',';
  }
  text += '}';
}
