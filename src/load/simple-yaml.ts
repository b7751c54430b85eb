/*
 * Which YAML texts the fast path (js-yaml) may read. js-yaml and the `yaml` library agree
 * on well-formed block YAML with plain, quoted and block scalars and one-line flow
 * collections; they part ways on aliases and merge keys (shared vs copied values, `<<`),
 * tags, directives, collections as keys, tabs, multi-line flow collections (`yaml` checks
 * their indentation and warns, js-yaml does not) and very long implicit keys; and js-yaml
 * has quirks of its own (below). A text with any of those goes to the slow path. The
 * checks are conservative: a false alarm only costs speed, a miss would load what the
 * slow path refuses or load it differently. fast-path.test.ts compares both paths on
 * generated and mutated texts; several checks below were added for cases it found.
 */

const REFUSED: ReadonlyArray<[RegExp, string]> = [
  // Tabs (indentation rules differ), a BOM past the start, NEL/LS/PS, a CR that is not CRLF.
  [/[\t\ufeff\u0085\u2028\u2029]|\r(?!\n)/, 'tab, BOM or unusual line break'],
  [/^%/m, 'directive'],
  [/<</, 'merge key'],
  // `[a]: b` / `{a: 1}: b`: keys that are collections.
  [/[\]}]\s*:/, 'collection as a key'],
  // `...` ends a document; anything but a comment after it is not simple.
  [/^\.\.\.[ \r]*[^ \r\n#]/m, 'content after a document end marker'],
  // `"a"#x`: `yaml` wants a space before a comment, js-yaml does not.
  [/["']#/, 'comment right after a quote'],
  // Block scalar indentation indicators (`|2`): js-yaml counts them from another column at the top level.
  [/[|>][-+]?[0-9]/, 'block scalar indentation indicator'],
  // js-yaml takes `----` and `---x` as a document start; `yaml` as text.
  [/^(?:---|\.\.\.)[^ \r\n]/m, 'line starting with --- or ... and more'],
  // Content on the `---` line (`--- |`, `--- a: 1`): rare, and not worth the doubt.
  [/^---[ \r]+[^ \r\n#]/m, 'content on a document start line'],
];

/** Why a text is not for the fast path, or undefined when it is. */
export function simpleYamlProblem(text: string): string | undefined {
  for (const [pattern, reason] of REFUSED) if (pattern.test(text)) return reason;
  // An anchor, alias or tag where a node may start (a false alarm in `a &b` is harmless).
  if (someMatch(text, /[&*!]/g, (i) => i === 0 || NODE_START_BEFORE.test(text[i - 1]!)))
    return 'anchor, alias or tag';
  // An explicit key `? x`: the key may be a collection.
  if (
    someMatch(
      text,
      /\?/g,
      (i) =>
        (i === 0 || KEY_START_BEFORE.test(text[i - 1]!)) &&
        (i + 1 === text.length || /\s/.test(text[i + 1]!)),
    )
  ) {
    return 'explicit key';
  }
  // A last line of spaces with no line break: js-yaml adds the break and keeps it in `|+`.
  if (/^[ \r]+$/.test(text.slice(text.lastIndexOf('\n') + 1))) return 'last line blank without a line break';
  return flowLineProblem(text) ?? emptyItemProblem(text) ?? longKeyLine(text);
}

const NODE_START_BEFORE = /[\s[{,:]/;
const KEY_START_BEFORE = /[\s[{,]/;

/**
 * Whether `ok` holds at any match of `pattern` (global). Looking for one character first
 * and at its context second is several times faster than one regex with a lookbehind.
 */
function someMatch(text: string, pattern: RegExp, ok: (index: number) => boolean): boolean {
  pattern.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = pattern.exec(text)) !== null) if (ok(m.index)) return true;
  return false;
}

/** A `-` with nothing after it but a comment; an empty block sequence entry if only `- ` entries precede it. */
const DASH_AT_END = /-[ \r]*(?:#.*)?$/gm;
const ENTRY_PREFIX = /^ *(?:- +)*$/;

/**
 * After an empty entry (`-` alone), js-yaml takes the next `- ` line as a sibling even
 * when it is indented less (`- - a\n  -\n- b` gives [[a, null, b]]; `yaml` and the spec
 * say [[a, null], b]). So an empty entry followed by a line indented less than its `-` is
 * refused.
 */
function emptyItemProblem(text: string): string | undefined {
  DASH_AT_END.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = DASH_AT_END.exec(text)) !== null) {
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    if (!ENTRY_PREFIX.test(text.slice(lineStart, m.index))) continue;
    const column = m.index - lineStart;
    let at = m.index + m[0].length + 1;
    while (at < text.length) {
      let indent = 0;
      while (text.charCodeAt(at + indent) === 0x20) indent++;
      const c = text.charCodeAt(at + indent);
      if (c !== 0x0a && c !== 0x0d && c !== 0x23) {
        if (indent < column) return 'empty sequence entry before a line indented less';
        break;
      }
      const nl = text.indexOf('\n', at);
      if (nl < 0) break;
      at = nl + 1;
    }
  }
  return undefined;
}

/** The first content line of a document's text, after its marker line and comments. */
const FIRST_CONTENT = /^(?:(?:---|\.\.\.)[ \r]*(?:#.*)?\n)?(?:[ \r]*(?:#.*)?\n)*( *)[^ \r\n#]/;

/** Whether a document's first line is indented: js-yaml then accepts later lines indented less. */
export function startsIndented(documentText: string): boolean {
  const m = FIRST_CONTENT.exec(documentText);
  return m !== null && m[1]!.length > 0;
}

/**
 * Every line with `[` or `{` must open its flow collections where a node starts (after
 * the indentation, `- ` entries and a `key: `) and close them on the same line, with
 * nothing but a comment after. The scan follows js-yaml's flow tokens (quotes only where
 * a node starts, no comments inside) and gives up on anything else, so a line it passes
 * leaves no flow collection open.
 */
function flowLineProblem(text: string): string | undefined {
  const opener = /[[{]/g;
  let m: RegExpExecArray | null;
  while ((m = opener.exec(text)) !== null) {
    const start = text.lastIndexOf('\n', m.index) + 1;
    let end = text.indexOf('\n', m.index);
    if (end < 0) end = text.length;
    if (!flowLineOk(text, start, m.index, end)) return 'flow collection that is not on one line';
    opener.lastIndex = end;
  }
  return undefined;
}

/** Indentation, `- ` entries, and one plain key without quotes, brackets or `#`, then `: `. */
const FLOW_PREFIX = /^ *(?:- +)*(?:[^\s"'#[\]{}:-][^"'#[\]{}]*: +)?$/;
/** A line whose first non-space character is `#`. */
const COMMENT_LINE = /^ *#/;

function flowLineOk(text: string, start: number, first: number, end: number): boolean {
  const prefix = text.slice(start, first);
  if (COMMENT_LINE.test(prefix)) return true;
  if (!FLOW_PREFIX.test(prefix)) return false;
  const open: number[] = []; // the opener of each enclosing collection
  let closed = false; // back outside after the collection
  let prev = 0; // last significant character
  let spaceSincePrev = false;
  for (let i = first; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0d) {
      spaceSincePrev = true;
      continue;
    }
    if (closed) return c === 0x23 && spaceSincePrev; // only ` # comment` after the collection
    if (c === 0x5b || c === 0x7b) {
      // [ {: a collection as an entry of a flow mapping is a collection as a key (`{[a]}`).
      if (open[open.length - 1] === 0x7b && (prev === 0x7b || prev === 0x2c)) return false;
      open.push(c);
    } else if (c === 0x5d || c === 0x7d) {
      // ] }
      if (open.pop() !== c - 2) return false; // `[` + 2 is `]`, `{` + 2 is `}`
      if (open.length === 0) closed = true;
    } else if (c === 0x23)
      return false; // # inside a flow collection
    else if (c === 0x22 || c === 0x27) {
      // A quote starts a scalar only right after `[`, `{`, `,` or `: `; elsewhere give up.
      const atNodeStart =
        prev === 0x5b || prev === 0x7b || prev === 0x2c || (prev === 0x3a && spaceSincePrev);
      if (!atNodeStart) return false;
      const close = quoteEnd(text, i, end, c);
      if (close < 0) return false;
      i = close;
    }
    prev = c;
    spaceSincePrev = false;
  }
  return closed;
}

/**
 * Offset of the quote that closes the scalar opened at `open`, or -1 when it is not on
 * this line or the scalar holds a bracket (text, but not worth telling apart here).
 */
function quoteEnd(text: string, open: number, end: number, quote: number): number {
  for (let j = open + 1; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5b || c === 0x7b || c === 0x5d || c === 0x7d) return -1;
    if (quote === 0x22 && c === 0x5c)
      j++; // backslash escape in "..."
    else if (c === quote) {
      if (quote === 0x27 && text.charCodeAt(j + 1) === 0x27)
        j++; // '' in '...'
      else return j;
    }
  }
  return -1;
}

/**
 * `yaml` refuses an implicit key whose `:` is more than 1024 characters after its start;
 * js-yaml has no such limit. A `:` past column 1000 is taken as that case.
 */
function longKeyLine(text: string): string | undefined {
  let start = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    if (end - start > 1000 && text.slice(start + 1000, end).includes(':')) return 'very long line with a key';
    start = end + 1;
  }
  return undefined;
}
