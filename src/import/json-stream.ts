/**
 * The top-level values of a text holding several JSON documents one after another
 * (`aws appmesh describe-... >> dump.json` in a loop writes such files). A text that
 * does not start with `{` or `[` is returned whole (YAML, e.g. `--output yaml`).
 */
export interface Slice {
  start: number;
  end: number;
}

export function splitJsonValues(text: string): Slice[] {
  const out: Slice[] = [];
  let i = skipSpace(text, 0);
  while (i < text.length) {
    const c = text[i];
    if (c !== '{' && c !== '[') {
      out.push({ start: i, end: text.length });
      break;
    }
    const end = endOfValue(text, i);
    out.push({ start: i, end });
    i = skipSpace(text, end);
  }
  return out;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i] as string)) i++;
  return i;
}

/** Index after the bracket closing the one at `start` (or the text's end if it never closes: the parser reports that). */
function endOfValue(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}
