import jsyaml from 'js-yaml';
import { CORE_SCALARS_SCHEMA } from './core-scalars.js';
import { LazyDocument, LazySourceMap } from './lazy-source-map.js';
import type { ParsedDocument, ParsedText } from './parse-documents.js';
import { simpleYamlProblem, startsIndented } from './simple-yaml.js';
import { splitDocuments } from './split-documents.js';
import { countKeys } from './value-shape.js';

/*
 * The `yaml` library parses about 2 MB/s here, most of it building the node tree that
 * positions come from. Most large inputs are valid, so they are first read with
 * `JSON.parse` or js-yaml (an order of magnitude faster) and each document keeps only its
 * text; it is parsed with `yaml` for positions when a diagnostic first asks. Whenever the
 * fast reader fails or the text has anything the two readers might read differently,
 * the caller falls back to the slow path, which gives the diagnostics. So a text either
 * loads here exactly as the slow path would load it, or not at all.
 */

/** The documents of `src` (BOM already removed), or undefined when the slow path must read it. */
export function parseFast(src: string, file: string, maxDepth: number): ParsedText | undefined {
  if (looksLikeJson(src)) {
    let value: unknown;
    try {
      value = JSON.parse(src);
    } catch {
      return parseSimpleYaml(src, file, maxDepth); // `{a: 1}` is YAML, not JSON
    }
    return jsonDocument(value, src, file, maxDepth);
  }
  return parseSimpleYaml(src, file, maxDepth);
}

function looksLikeJson(src: string): boolean {
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    return c === 0x7b || c === 0x5b; // { [
  }
  return false;
}

/** Line breaks YAML and JSON count differently, and a BOM past the start. */
const UNUSUAL_BREAKS = /[\ufeff\u0085\u2028\u2029]|\r(?!\n)/;
/** Every JSON string, and the `:` after it when it is a key. */
const JSON_STRING = /"(?:[^"\\]|\\.)*"(\s*:)?/g;

function jsonDocument(value: unknown, src: string, file: string, maxDepth: number): ParsedText | undefined {
  if (UNUSUAL_BREAKS.test(src)) return undefined;
  const keys = countKeys(value, { maxDepth, refuseNullKey: false });
  if (keys === undefined) return undefined;
  // JSON.parse keeps the last of duplicate keys silently; the slow path reports them.
  // Fewer keys decoded than written means a duplicate.
  let written = 0;
  JSON_STRING.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = JSON_STRING.exec(src)) !== null) {
    const colon = m[1];
    if (colon === undefined) continue;
    // `yaml` wants an implicit key on one line and at most 1024 characters long.
    if (colon.includes('\n') || colon.includes('\r') || m[0].length > 1000) return undefined;
    written++;
  }
  if (written !== keys) return undefined;
  const map = new LazySourceMap(new LazyDocument(src, file, 0));
  return { documents: [{ value, docIndex: 0, map }], diagnostics: [] };
}

function parseSimpleYaml(src: string, file: string, maxDepth: number): ParsedText | undefined {
  if (simpleYamlProblem(src) !== undefined) return undefined;
  const documents: ParsedDocument[] = [];
  const parts = splitDocuments(src);
  const options = {
    schema: CORE_SCALARS_SCHEMA,
    // js-yaml recurses once per level; its own bound stops it well before the stack ends.
    // Scalars count as a level there, hence the margin; countKeys applies the exact limit.
    maxDepth: maxDepth + 2,
    onWarning: (warning: Error): void => {
      throw warning;
    },
  };
  for (let docIndex = 0; docIndex < parts.length; docIndex++) {
    const part = parts[docIndex]!;
    if (startsIndented(part.text)) return undefined;
    let value: unknown;
    try {
      // One document per part: js-yaml throws if the split was wrong.
      value = jsyaml.load(part.text, options);
    } catch {
      return undefined;
    }
    // Empty and null documents are skipped, as the slow path skips them.
    if (value === undefined || value === null) continue;
    if (countKeys(value, { maxDepth, refuseNullKey: true }) === undefined) return undefined;
    documents.push({ value, docIndex, map: new LazySourceMap(new LazyDocument(part.text, file, part.line)) });
  }
  return { documents, diagnostics: [] };
}
