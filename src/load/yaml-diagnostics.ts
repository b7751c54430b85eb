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
import { formatPath, type Diagnostic, type SourcePosition } from '../model/index.js';
import { aliasTargets } from './alias-targets.js';
import { keyString } from './source-map.js';

/** Turns the YAML library's errors and warnings into our diagnostics. */
export function yamlDiagnostic(
  error: YAMLError,
  severity: 'error' | 'warning',
  lineCounter: LineCounter,
  file: string,
): Diagnostic {
  const source = positionAt(lineCounter, file, error.pos[0]);
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

/** Beyond this many in one document, the rest of its duplicate keys are not listed. */
const MAX_DUPLICATE_KEYS = 50;

/**
 * Duplicate mapping keys, found with one set per mapping. The YAML library's own check
 * (`uniqueKeys`) compares each key with every earlier one, which is quadratic in the
 * size of a mapping (a 640 kB ConfigMap took 44 s), so the composer runs without it and
 * this applies the same rule: scalar keys with equal values are duplicates.
 */
export function duplicateKeysIn(doc: Document.Parsed, lineCounter: LineCounter, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  visit(doc, {
    Map(_, map, ancestors) {
      const first = new Map<unknown, Node>();
      for (const pair of map.items) {
        // NaN is the one value a Map finds equal to itself that `===` (the library's test) does not.
        if (!isScalar(pair.key) || Number.isNaN(pair.key.value)) continue;
        const earlier = first.get(pair.key.value);
        if (!earlier) {
          first.set(pair.key.value, pair.key);
          continue;
        }
        const key = keyString(pair.key);
        const path = fieldPath([...ancestors, map]);
        if (key !== undefined) path.push(key);
        const named = key === undefined ? 'duplicate key' : `duplicate key ${JSON.stringify(key)}`;
        const diagnostic: Diagnostic = {
          severity: 'error',
          code: 'load.duplicate-key',
          path: formatPath(path),
          message: `${named}: keys of a mapping must be unique`,
          source: positionAt(lineCounter, file, pair.key.range?.[0] ?? 0),
        };
        const at = earlier.range?.[0];
        if (at !== undefined)
          diagnostic.related = [{ source: positionAt(lineCounter, file, at), message: 'first defined here' }];
        out.push(diagnostic);
        if (out.length >= MAX_DUPLICATE_KEYS) return visit.BREAK;
      }
      return undefined;
    },
  });
  return out;
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
  const targets = aliasTargets(doc);
  const isMapLike = (n: unknown): boolean => isMap(isAlias(n) ? targets.get(n) : n);
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
  const targets = aliasTargets(doc);
  visit(doc, {
    Alias(_, node, ancestors) {
      const target = targets.get(node);
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
