import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { SourcePosition } from '../model/index.js';
import { aliasTargets } from './alias-targets.js';
import type { FieldPath, SourceMap } from './types.js';

/** One YAML text: positions are computed from offsets only when asked for. */
export interface TextContext {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  file: string;
  /** Lines before the parsed text in the file, when only a part of the file was parsed. */
  lineOffset?: number;
}

/** A source map that can be re-rooted at a sub-tree (a list item) for objects expanded from it. */
export interface DocumentSourceMap extends SourceMap {
  /** The map rooted at the node under `path`, or this map when there is none. */
  within(path: FieldPath): DocumentSourceMap;
}

const MAX_MERGE_DEPTH = 16;

interface Step {
  node: Node | null;
  /** Offset a human would look at for the last segment that resolved. */
  offset: number;
}

/** Source map rooted at one node of a parsed YAML document (the document, or one list item). */
export class YamlSourceMap implements DocumentSourceMap {
  constructor(
    private readonly ctx: TextContext,
    private readonly root: Node | null,
    private readonly rootOffset: number,
  ) {}

  static forDocument(ctx: TextContext): YamlSourceMap {
    const contents = ctx.doc.contents;
    const offset = contents?.range?.[0] ?? ctx.doc.range[0];
    return new YamlSourceMap(ctx, contents, offset);
  }

  positionOf(path: FieldPath): SourcePosition {
    return this.toPosition(this.walk(path).offset);
  }

  documentPosition(): SourcePosition {
    return this.toPosition(this.rootOffset);
  }

  within(path: FieldPath): YamlSourceMap {
    return this.sub(path) ?? this;
  }

  /** Source map rooted at the node under `path`, or undefined when it does not exist. */
  sub(path: FieldPath): YamlSourceMap | undefined {
    const step = this.walk(path, true);
    if (!step.node) return undefined;
    const node = this.deref(step.node);
    return new YamlSourceMap(this.ctx, node, node?.range?.[0] ?? step.offset);
  }

  private walk(path: FieldPath, exact = false): Step {
    let node = this.root;
    let offset = this.rootOffset;
    for (const seg of path) {
      const here = this.deref(node);
      const next = isMap(here)
        ? this.entry(here.items, String(seg))
        : isSeq(here)
          ? this.item(here.items, seg)
          : undefined;
      if (!next) return exact ? { node: null, offset } : { node, offset };
      node = next.node;
      offset = next.offset;
    }
    return { node, offset };
  }

  private entry(items: ReadonlyArray<Pair<unknown, unknown>>, key: string, mergeDepth = 0): Step | undefined {
    for (const pair of items) {
      if (keyString(pair.key) === key) {
        const keyNode = pair.key as Node | null;
        const valueNode = (pair.value as Node | null) ?? null;
        const offset = keyNode?.range?.[0] ?? valueNode?.range?.[0];
        return offset === undefined ? undefined : { node: valueNode, offset };
      }
    }
    // `<<` merge keys: explicit keys win (checked above), then the merged maps in order.
    // The depth cap stops self-referencing anchors from looping.
    if (mergeDepth >= MAX_MERGE_DEPTH) return undefined;
    for (const pair of items) {
      if (!isScalar(pair.key) || typeof pair.key.value !== 'symbol') continue;
      const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
      for (const source of sources) {
        const merged = this.deref(source as Node | null);
        if (!isMap(merged)) continue;
        const found = this.entry(merged.items, key, mergeDepth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  private item(items: ReadonlyArray<unknown>, seg: string | number): Step | undefined {
    const index = typeof seg === 'number' ? seg : /^(0|[1-9][0-9]*)$/.test(seg) ? Number(seg) : -1;
    if (!Number.isInteger(index) || index < 0 || index >= items.length) return undefined;
    const node = (items[index] as Node | null) ?? null;
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : { node, offset };
  }

  private deref(node: Node | null | undefined): Node | null {
    if (isAlias(node)) return aliasTargets(this.ctx.doc).get(node) ?? null;
    return node ?? null;
  }

  private toPosition(offset: number): SourcePosition {
    const { line, col } = this.ctx.lineCounter.linePos(offset);
    return { file: this.ctx.file, line: line + (this.ctx.lineOffset ?? 0), col };
  }
}

/** The string the YAML library's toJS uses as the object key; undefined for keys a path cannot name. */
export function keyString(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  const v = key.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}
