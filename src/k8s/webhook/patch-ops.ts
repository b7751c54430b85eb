/** RFC 6902 operations turning one object into another, field by field at the paths a webhook changes. */
import { canonicalJson } from '../canonical-json.js';

export interface PatchOp {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

function escapeToken(t: string): string {
  return t.replace(/~/g, '~0').replace(/\//g, '~1');
}

function at(obj: unknown, path: ReadonlyArray<string>): unknown {
  let cur = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/**
 * Ops for each of `paths` whose value differs between `before` and `after`. Parents
 * missing in `before` are added whole, so every op applies to `before` in order.
 */
export function diffAtPaths(
  before: unknown,
  after: unknown,
  paths: ReadonlyArray<ReadonlyArray<string>>,
): PatchOp[] {
  const ops: PatchOp[] = [];
  const working = structuredClone(before) as Record<string, unknown>;
  for (const path of paths) {
    const a = at(working, path);
    const b = at(after, path);
    if (canonicalJson(a) === canonicalJson(b)) continue;
    // Find the first missing parent: add the whole subtree there.
    let depth = path.length;
    for (let i = 1; i < path.length; i++) {
      if (at(working, path.slice(0, i)) === undefined) {
        depth = i;
        break;
      }
    }
    const target = path.slice(0, depth);
    const pointer = '/' + target.map(escapeToken).join('/');
    const value = at(after, target);
    if (value === undefined) ops.push({ op: 'remove', path: pointer });
    else
      ops.push({
        op: at(working, target) === undefined ? 'add' : 'replace',
        path: pointer,
        value: structuredClone(value),
      });
    // Keep `working` in step so later paths see the parents just added.
    let parent: Record<string, unknown> = working;
    for (const p of target.slice(0, -1)) parent = parent[p] as Record<string, unknown>;
    const last = target[target.length - 1]!;
    if (value === undefined) delete parent[last];
    else parent[last] = structuredClone(value);
  }
  return ops;
}
