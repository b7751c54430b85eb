import { CST } from 'yaml';

/*
 * The YAML library recurses once per nesting level: its parser when it closes many
 * block levels at once, its composer and toJS for every level. It catches the stack
 * overflow itself, but an overflow that lands inside V8's regexp compiler aborts the
 * whole process (seen with 100 000 nested `[`). So depth is bounded before each of
 * those steps, with loops only.
 */

/**
 * Offset of the first line whose block indentation is wider than `maxColumns`, or
 * undefined. Every open block collection of the parser sits at a distinct indentation
 * column (a sequence may share its parent mapping's column, but then its items start
 * two columns further), so block depth is at most this width + 2. Whitespace-only and
 * comment lines open nothing and are not counted; lines inside block scalars are, which
 * only errs on the safe side.
 */
export function overIndentedAt(text: string, maxColumns: number): number | undefined {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const lineStart = i;
    let j = i;
    for (;;) {
      const c = text.charCodeAt(j);
      if (c === 0x20 || c === 0x09) j++;
      else if ((c === 0x2d || c === 0x3f || c === 0x3a) && isBlank(text.charCodeAt(j + 1)))
        j++; // `- `, `? `, `: `
      else break;
    }
    const next = text.charCodeAt(j);
    const hasContent = j < n && next !== 0x0a && next !== 0x0d && next !== 0x23; // not blank, not `#`
    if (hasContent && j - lineStart > maxColumns) return j;
    const nl = text.indexOf('\n', j);
    if (nl < 0) break;
    i = nl + 1;
  }
  return undefined;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || Number.isNaN(c);
}

/** Offset of a collection nested deeper than `maxDepth` in a parsed CST token, or undefined. */
export function tooDeepAt(token: CST.Token | undefined, maxDepth: number): number | undefined {
  const stack: Array<{ token: CST.Token; depth: number }> = [];
  if (token) stack.push({ token, depth: 0 });
  while (stack.length > 0) {
    const { token: t, depth } = stack.pop()!;
    if (t.type === 'document') {
      if (t.value) stack.push({ token: t.value, depth });
      continue;
    }
    if (!CST.isCollection(t)) continue;
    if (depth + 1 > maxDepth) return t.offset;
    for (const item of t.items) {
      if (item.key) stack.push({ token: item.key, depth: depth + 1 });
      if (item.value) stack.push({ token: item.value, depth: depth + 1 });
    }
  }
  return undefined;
}
