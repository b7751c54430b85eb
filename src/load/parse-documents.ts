import { Composer, isScalar, LineCounter, Parser, type CST, type Document } from 'yaml';
import { formatPath, type Diagnostic } from '../model/index.js';
import { overIndentedAt, tooDeepAt } from './depth-guard.js';
import { parseFast } from './fast-path.js';
import { YamlSourceMap, type DocumentSourceMap } from './source-map.js';
import { DEFAULT_LOAD_OPTIONS, type LoadOptions } from './types.js';
import {
  collectionKeyAt,
  conversionError,
  conversionErrorAt,
  duplicateKeysIn,
  internalError,
  positionAt,
  selfAliasAt,
  yamlDiagnostic,
} from './yaml-diagnostics.js';

/** One non-empty YAML document of a text, as a plain JSON value. */
export interface ParsedDocument {
  value: unknown;
  docIndex: number;
  map: DocumentSourceMap;
}

export interface ParsedText {
  documents: ParsedDocument[];
  diagnostics: Diagnostic[];
}

/**
 * Parses every YAML document of a text (JSON is YAML too, so one parser gives
 * positions for both). Problems become diagnostics; a document with errors is left
 * out so later stages do not report the echo of a syntax error.
 *
 * Large valid texts take the fast path (fast-path.ts), which gives the same documents
 * with positions computed lazily; `useFastPath: false` is for tests that compare them.
 */
export function parseDocuments(
  text: string,
  file: string,
  options: LoadOptions = {},
  useFastPath = true,
): ParsedText {
  const opts = { ...DEFAULT_LOAD_OPTIONS, ...options };
  const start = { file, line: 1, col: 1 };
  // A BOM would shift every column of line 1 by one compared with what editors show.
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (src.length > opts.maxBytes) {
    const message = `input is larger than ${opts.maxBytes} bytes`;
    return {
      documents: [],
      diagnostics: [{ severity: 'error', code: 'load.too-large', path: '', message, source: start }],
    };
  }
  // The parser recurses on block depth; the width of the indentation bounds it.
  const maxColumns = opts.maxDepth * 4;
  const overIndented = overIndentedAt(src, maxColumns);
  if (overIndented !== undefined) {
    const lineCounter = new LineCounter();
    for (let i = 0; i <= overIndented; i++) if (src.charCodeAt(i) === 0x0a) lineCounter.addNewLine(i + 1);
    const message = `indented more than ${maxColumns} columns; nesting this deep is refused`;
    return {
      documents: [],
      diagnostics: [
        {
          severity: 'error',
          code: 'load.too-deep',
          path: '',
          message,
          source: positionAt(lineCounter, file, overIndented),
        },
      ],
    };
  }
  if (useFastPath) {
    const fast = parseFast(src, file, opts.maxDepth);
    if (fast) return fast;
  }
  return parseWithYaml(src, file, opts);
}

/** The slow path: the `yaml` library's node tree, kept for positions, and its diagnostics. */
function parseWithYaml(src: string, file: string, opts: Required<LoadOptions>): ParsedText {
  const diagnostics: Diagnostic[] = [];
  const start = { file, line: 1, col: 1 };
  const lineCounter = new LineCounter();
  let docs: Document.Parsed[];
  const tooDeep = new Map<number, number>();
  try {
    const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(src));
    let docIndex = 0;
    for (const token of tokens) {
      if (token.type !== 'document') continue;
      const at = tooDeepAt(token, opts.maxDepth);
      if (at !== undefined) {
        tooDeep.set(docIndex, at);
        delete (token as CST.Document).value;
      }
      docIndex++;
    }
    // schema 'core' even under `%YAML 1.1`: the 1.1 schema turns scalars into Date,
    // Buffer, Set and Map, and objects here must stay plain JSON.
    // logLevel 'error': the library's own console warnings would bypass our diagnostics.
    const composer = new Composer({
      schema: 'core',
      merge: true,
      // Checked by duplicateKeysIn instead: the library's check is quadratic per mapping.
      uniqueKeys: false,
      prettyErrors: false,
      logLevel: 'error',
    });
    docs = Array.from(composer.compose(tokens));
    if (docs.length === 0) {
      for (const e of composer.streamInfo().errors)
        diagnostics.push(yamlDiagnostic(e, 'error', lineCounter, file));
    }
  } catch (error) {
    diagnostics.push(internalError(error, start));
    return { documents: [], diagnostics };
  }

  const documents: ParsedDocument[] = [];
  const mayHaveAliases = src.includes('*');
  docs.forEach((doc, docIndex) => {
    const deepAt = tooDeep.get(docIndex);
    if (deepAt !== undefined) {
      const message = `document is nested more than ${opts.maxDepth} levels deep`;
      diagnostics.push({
        severity: 'error',
        code: 'load.too-deep',
        path: '',
        message,
        source: positionAt(lineCounter, file, deepAt),
      });
      return;
    }
    for (const e of doc.errors) diagnostics.push(yamlDiagnostic(e, 'error', lineCounter, file));
    const duplicates = duplicateKeysIn(doc, lineCounter, file);
    for (const d of duplicates) diagnostics.push(d);
    for (const w of doc.warnings) diagnostics.push(yamlDiagnostic(w, 'warning', lineCounter, file));
    if (doc.errors.length > 0 || duplicates.length > 0) return;
    const contents = doc.contents;
    // Empty and comment-only documents (and a bare `null`) are how people separate things.
    if (contents === null || (isScalar(contents) && contents.value === null)) return;
    const keyAt = collectionKeyAt(doc);
    if (keyAt !== undefined) {
      const message = 'a mapping key is itself a mapping or a sequence; Kubernetes objects need string keys';
      diagnostics.push({
        severity: 'error',
        code: 'load.complex-key',
        path: '',
        message,
        source: positionAt(lineCounter, file, keyAt),
      });
      return;
    }
    const selfAlias = mayHaveAliases ? selfAliasAt(doc) : undefined;
    if (selfAlias) {
      // `&m {a: *m}` would decode to a value that contains itself; later stages walk it.
      const message = `${selfAlias.alias} is used inside the value its anchor names, so the value would contain itself; a Kubernetes object cannot`;
      diagnostics.push({
        severity: 'error',
        code: 'load.cyclic-alias',
        path: formatPath(selfAlias.path),
        message,
        source: positionAt(lineCounter, file, selfAlias.offset),
      });
      return;
    }
    const ctx = { doc, lineCounter, file };
    const map = YamlSourceMap.forDocument(ctx);
    try {
      const value: unknown = doc.toJS({ maxAliasCount: opts.maxAliasCount });
      documents.push({ value, docIndex, map });
    } catch (error) {
      const at = conversionErrorAt(error, doc);
      const source = at === undefined ? map.documentPosition() : positionAt(lineCounter, file, at);
      diagnostics.push(conversionError(error, source, opts.maxAliasCount));
    }
  });
  return { documents, diagnostics };
}
