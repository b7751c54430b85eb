/**
 * Emitted Envoy resources reused instead of built again (issue 17 item 5), so the
 * encoder's bytes, the output check's verdict and the snapshot's version are reused too:
 *
 * - **Listeners by content, across groups.** Every sidecar of a mesh tends to get
 *   listeners of the same content (bench:translate: 3,998 of 4,000 found), so one object
 *   serves them all and is encoded once.
 * - **A group's own route configurations and clusters against its last emission.** They
 *   are rarely equal to another group's (bench:translate: none of 8,000), so keying them
 *   by content only cost the hashing; a re-translated group compares each with the one
 *   of the same name it had (`sameContent`) and keeps that object where equal.
 *
 * A shared IR object (the value of a shared unit, in many groups) is its Envoy object,
 * built once (emit/shared.ts). Shared objects are never compared by content here: a unit
 * built again after a change already took its predecessor's objects where the content
 * is the same (context.ts `keepPredecessor`), so the same content is the same object.
 * A listener (mostly shared parts under a thin wrapper) is keyed by its JSON with each
 * shared part standing in by an identity number: hashing every shared part's content was
 * about a quarter of `Translator.update` in bench:translate's full translation.
 *
 * Listener entries live two generations (the Translator starts one per update): what
 * the last update emitted is found by this one; what no update used since is dropped.
 * A group's own objects are kept until the group is next emitted or is removed.
 */
import { hash } from 'node:crypto';
import { isShared } from '../encode-plain.js';
import { sameContent } from '../same-content.js';
import { emitIfShared } from './shared.js';

/** A group's own (not shared) IR objects as last emitted, by kind and name. */
type OwnEmitted = Map<string, { ir: object; out: object }>;

export class EmitMemo {
  private current = new Map<string, object>();
  private previous = new Map<string, object>();
  private own = new Map<string, OwnEmitted>();

  /** `build(ir)`, or the object built earlier from an IR of the same kind and content. */
  emit<I extends object, O extends object>(kind: string, ir: I, build: (ir: I) => O): O {
    const done = emitIfShared(ir, build);
    if (done) return done;
    const key = `${kind}:${contentKey(ir)}`;
    const value = (this.current.get(key) ?? this.previous.get(key) ?? build(ir)) as O;
    this.current.set(key, value);
    return value;
  }

  /**
   * Emits one group's own objects: `emit(ownOf)` gets a function that builds an IR
   * object named `name`, or gives the object the group's last emission built from an IR
   * of the same content under that name.
   */
  emitOwn<T>(group: string, emit: (ownOf: OwnEmitter) => T): T {
    const before = this.own.get(group);
    const after: OwnEmitted = new Map();
    const result = emit((kind, name, ir, build) => {
      const done = emitIfShared(ir, build);
      if (done) return done;
      const key = `${kind}:${name}`;
      const last = before?.get(key);
      const out = last && sameContent(last.ir, ir) ? last.out : build(ir);
      after.set(key, { ir, out });
      return out as ReturnType<typeof build>;
    });
    this.own.set(group, after);
    return result;
  }

  /** Forgets a group that is no longer translated. */
  forgetGroup(group: string): void {
    this.own.delete(group);
  }

  /** Starts a generation: listener entries not used in this one or the last are dropped. */
  nextGeneration(): void {
    this.previous = this.current;
    this.current = new Map();
  }
}

/** Builds `ir` (named `name` among the group's objects of `kind`), or gives the equal one emitted last time. */
export type OwnEmitter = <I extends object, O extends object>(
  kind: string,
  name: string,
  ir: I,
  build: (ir: I) => O,
) => O;

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
 * (no closure per call): each cost a few µs on each of the keys of bench:translate.
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
