/**
 * RFC 6902 JSON Patch and RFC 7386 JSON Merge Patch, for the API-server test double
 * (PATCH requests and mutating-webhook responses). Written here rather than taken
 * from fast-json-patch so that the tests, which apply webhook patches with
 * fast-json-patch, check our patches with an independent implementation.
 */

export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

export class PatchError extends Error {}

type Container = Record<string, unknown> | unknown[];

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function isContainer(v: unknown): v is Container {
  return v !== null && typeof v === 'object';
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function parentOf(doc: unknown, tokens: string[], pointer: string): { parent: Container; key: string } {
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(cur, t, false, pointer)];
    else if (isContainer(cur) && Object.hasOwn(cur, t)) cur = (cur as Record<string, unknown>)[t];
    else throw new PatchError(`path ${pointer} does not exist`);
  }
  if (!isContainer(cur)) throw new PatchError(`path ${pointer} does not exist`);
  return { parent: cur, key: tokens[tokens.length - 1] ?? '' };
}

function arrayIndex(arr: unknown[], token: string, forAdd: boolean, pointer: string): number {
  if (forAdd && token === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError(`invalid array index in ${pointer}`);
  const i = Number(token);
  if (i > arr.length || (!forAdd && i === arr.length))
    throw new PatchError(`array index out of range in ${pointer}`);
  return i;
}

function getAt(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) return parent[arrayIndex(parent, key, false, pointer)];
  if (!Object.hasOwn(parent, key)) throw new PatchError(`path ${pointer} does not exist`);
  return parent[key];
}

function addAt(doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true, pointer), 0, value);
  else parent[key] = value;
  return doc;
}

function removeAt(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new PatchError('cannot remove the whole document');
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, false, pointer), 1);
  else {
    if (!Object.hasOwn(parent, key)) throw new PatchError(`path ${pointer} does not exist`);
    delete parent[key];
  }
  return doc;
}

/** Applies `ops` to a copy of `doc`; throws PatchError on the first failing op. */
export function applyJsonPatch<T>(doc: T, ops: ReadonlyArray<JsonPatchOp>): T {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be an array of operations');
  let out: unknown = clone(doc);
  for (const op of ops) {
    if (!op || typeof op.path !== 'string') throw new PatchError('each operation needs a string "path"');
    switch (op.op) {
      case 'add':
        out = addAt(out, op.path, clone(op.value));
        break;
      case 'remove':
        out = removeAt(out, op.path);
        break;
      case 'replace':
        getAt(out, op.path);
        out = op.path === '' ? clone(op.value) : addAt(removeAt(out, op.path), op.path, clone(op.value));
        break;
      case 'move': {
        const v = getAt(out, op.from ?? '');
        out = addAt(removeAt(out, op.from ?? ''), op.path, v);
        break;
      }
      case 'copy':
        out = addAt(out, op.path, clone(getAt(out, op.from ?? '')));
        break;
      case 'test':
        if (JSON.stringify(getAt(out, op.path)) !== JSON.stringify(op.value))
          throw new PatchError(`test failed at ${op.path}`);
        break;
      default:
        throw new PatchError(`unknown op ${JSON.stringify((op as { op?: unknown }).op)}`);
    }
  }
  return out as T;
}

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
export function applyMergePatch<T>(doc: T, patch: unknown): T {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch) as T;
  const base: Record<string, unknown> =
    doc !== null && typeof doc === 'object' && !Array.isArray(doc)
      ? clone(doc as Record<string, unknown>)
      : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete base[k];
    else base[k] = applyMergePatch(base[k], v);
  }
  return base as T;
}
