/** One YAML document's share of a text. */
export interface DocumentText {
  /** From its `---` line (or the previous document's end) to the next document. */
  text: string;
  /** 0-based line of the first character of `text` in the whole text. */
  line: number;
}

/*
 * A line that starts with `---` or `...` followed by a blank is a document marker: YAML
 * forbids such a line at column 0 inside content, so for a text both parsers accept the
 * split is exact. `---` starts a document (its line goes with it); `...` ends one (its
 * line goes with the one it ends).
 */
const MARKER = /^(?:---|\.\.\.)(?=[ \r\n]|$)/gm;
/** A line with something on it other than a comment. */
const CONTENT = /^ *[^ #\r\n]/m;

/**
 * The documents of a text, counted as the `yaml` library counts them: a part that starts
 * with `---` or ends with `...` is a document even when empty; a part between markers
 * with nothing but comments and blank lines is not (`# header\n---\na: 1` is one document).
 */
export function splitDocuments(text: string): DocumentText[] {
  const out: DocumentText[] = [];
  let start = 0;
  let startsWithMarker = false;
  let line = 0;
  let counted = 0; // newlines are counted up to here
  const lineAt = (offset: number): number => {
    for (let nl = text.indexOf('\n', counted); nl >= 0 && nl < offset; nl = text.indexOf('\n', nl + 1))
      line++;
    counted = offset;
    return line;
  };
  let partLine = 0;
  const close = (end: number, endsWithMarker: boolean): void => {
    const part = text.slice(start, end);
    if (startsWithMarker || endsWithMarker || CONTENT.test(part)) out.push({ text: part, line: partLine });
  };

  MARKER.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = MARKER.exec(text)) !== null) {
    if (m[0] === '---') {
      close(m.index, false);
      start = m.index;
      startsWithMarker = true;
      partLine = lineAt(start);
    } else {
      const nl = text.indexOf('\n', m.index);
      const end = nl < 0 ? text.length : nl + 1;
      close(end, true);
      start = end;
      startsWithMarker = false;
      partLine = lineAt(start);
      MARKER.lastIndex = end;
    }
  }
  close(text.length, false);
  return out;
}
