import {
  isAlias,
  isCollection,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  visit,
  type Document,
  type LineCounter,
  type Node,
  type YAMLError,
} from 'yaml';
import { formatPath, type Diagnostic, type SourcePosition } from '../model/diagnostic.js';
import { keyString } from './source-map.js';

/** Turns the YAML library's errors and warnings into our diagnostics. */
export function yamlDiagnostic(
  error: YAMLError,
  severity: 'error' | 'warning',
  doc: Document.Parsed | undefined,
  lineCounter: LineCounter,
  file: string,
): Diagnostic {
  const source = positionAt(lineCounter, file, error.pos[0]);
  if (error.code === 'DUPLICATE_KEY' && doc)
    return duplicateKey(doc, error.pos[0], source, lineCounter, file);
  if (error.code === 'RESOURCE_EXHAUSTION') {
    return {
      severity: 'error',
      code: 'load.too-deep',
      path: '',
      message: `document is nested too deeply (${error.message})`,
      source,
    };
  }
  const code = severity === 'error' ? 'load.syntax' : 'load.yaml-warning';
  return { severity, code, path: '', message: `${error.message} (${error.code})`, source };
}

export function positionAt(lineCounter: LineCounter, file: string, offset: number): SourcePosition {
  const { line, col } = lineCounter.linePos(offset);
  return { file, line, col };
}

function duplicateKey(
  doc: Document.Parsed,
  offset: number,
  source: SourcePosition,
  lineCounter: LineCounter,
  file: string,
): Diagnostic {
  let key: string | undefined;
  let first: number | undefined;
  let path: Array<string | number> = [];
  visit(doc, {
    Map(_, map, ancestors) {
      const index = map.items.findIndex((p) => isScalar(p.key) && p.key.range?.[0] === offset);
      if (index < 0) return undefined;
      key = keyString(map.items[index]!.key);
      const earlier = map.items.slice(0, index).find((p) => keyString(p.key) === key);
      first = (earlier?.key as Node | undefined)?.range?.[0];
      path = fieldPath([...ancestors, map]);
      if (key !== undefined) path.push(key);
      return visit.BREAK;
    },
  });
  const named = key === undefined ? 'duplicate key' : `duplicate key ${JSON.stringify(key)}`;
  const diagnostic: Diagnostic = {
    severity: 'error',
    code: 'load.duplicate-key',
    path: formatPath(path),
    message: `${named}: keys of a mapping must be unique`,
    source,
  };
  if (first !== undefined) {
    diagnostic.related = [{ source: positionAt(lineCounter, file, first), message: 'first defined here' }];
  }
  return diagnostic;
}

/** The field path of the last node in a chain of ancestors handed out by `visit`. */
function fieldPath(chain: ReadonlyArray<unknown>): Array<string | number> {
  const out: Array<string | number> = [];
  chain.forEach((node, i) => {
    if (isPair(node)) out.push(keyString(node.key) ?? '?');
    else if (isSeq(node)) out.push(node.items.indexOf(chain[i + 1]));
  });
  return out;
}

/** An exception from toJS (alias limit, unresolved alias, stack), as a diagnostic. */
export function conversionError(
  error: unknown,
  source: Diagnostic['source'],
  maxAliasCount: number,
): Diagnostic {
  if (error instanceof ReferenceError && /excessive alias/i.test(error.message)) {
    const message = `aliases expand too much (maxAliasCount ${maxAliasCount}); this looks like a "billion laughs" document`;
    return { severity: 'error', code: 'load.alias-limit', path: '', message, source };
  }
  if (error instanceof ReferenceError) {
    return { severity: 'error', code: 'load.syntax', path: '', message: error.message, source };
  }
  if (error instanceof RangeError) {
    return {
      severity: 'error',
      code: 'load.too-deep',
      path: '',
      message: `document is too deep or too large: ${error.message}`,
      source,
    };
  }
  if (error instanceof Error && /merge/i.test(error.message)) {
    return {
      severity: 'error',
      code: 'load.syntax',
      path: '',
      message: `invalid << merge: ${error.message}`,
      source,
    };
  }
  return internalError(error, source);
}

export function internalError(error: unknown, source: Diagnostic['source']): Diagnostic {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const code = error instanceof RangeError ? 'load.too-deep' : 'load.internal';
  return { severity: 'error', code, path: '', message: `could not parse: ${message}`, source };
}

/** Where the cause of a toJS exception is, when we can tell. */
export function conversionErrorAt(error: unknown, doc: Document.Parsed): number | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error instanceof ReferenceError && /unresolved alias/i.test(error.message))
    return unresolvedAliasAt(doc);
  if (/merge/i.test(error.message)) return badMergeAt(doc);
  return undefined;
}

/** Offset of the first `<<` whose value is not a mapping (or a list of mappings). */
function badMergeAt(doc: Document.Parsed): number | undefined {
  const isMapLike = (n: unknown): boolean => isMap(isAlias(n) ? n.resolve(doc) : n);
  let found: number | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || typeof pair.key.value !== 'symbol') return undefined;
      const ok = isSeq(pair.value) ? pair.value.items.every(isMapLike) : isMapLike(pair.value);
      if (ok) return undefined;
      found = pair.key.range?.[0];
      return visit.BREAK;
    },
  });
  return found;
}

/** Offset of the first alias used before (or without) its anchor, in one pass. */
function unresolvedAliasAt(doc: Document.Parsed): number | undefined {
  const anchors = new Set<string>();
  let found: number | undefined;
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      if (anchors.has(node.source)) return undefined;
      found = node.range?.[0];
      return visit.BREAK;
    }
    if (isNode(node) && node.anchor) anchors.add(node.anchor);
    return undefined;
  });
  return found;
}

/** Offset of the first mapping key that is a collection (`? [a, b]`, `{a: 1}: x`), or undefined. */
export function collectionKeyAt(doc: Document.Parsed): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (!isCollection(pair.key)) return undefined;
      found = (pair.key as Node).range?.[0];
      return visit.BREAK;
    },
  });
  return found;
}

/**
 * The first alias used inside the node its anchor names (`&m {a: *m}`): decoded, the value
 * would contain itself. An alias that is a `<<` merge source is left to the merge
 * handling, which copies entries and does not make a cycle.
 */
export function selfAliasAt(
  doc: Document.Parsed,
): { offset: number; path: Array<string | number>; alias: string } | undefined {
  let found: { offset: number; path: Array<string | number>; alias: string } | undefined;
  visit(doc, {
    Alias(_, node, ancestors) {
      const target = node.resolve(doc);
      if (!target || !ancestors.includes(target)) return undefined;
      if (isMergeSource(ancestors)) return undefined;
      found = {
        offset: node.range?.[0] ?? 0,
        path: fieldPath([...ancestors, node]),
        alias: `*${node.source}`,
      };
      return visit.BREAK;
    },
  });
  return found;
}

/** Whether the node under these ancestors is the value of a `<<` key or an item of its list. */
function isMergeSource(ancestors: ReadonlyArray<unknown>): boolean {
  const parent = ancestors[ancestors.length - 1];
  const pair = isSeq(parent) ? ancestors[ancestors.length - 2] : parent;
  return isPair(pair) && isScalar(pair.key) && typeof pair.key.value === 'symbol';
}
