/**
 * The input of every importer as one small tree that remembers where each node is in
 * its file: CloudFormation templates (YAML or JSON, with short-form tags), Terraform
 * JSON and App Mesh API dumps are all read with the `yaml` library (JSON is YAML), so
 * every diagnostic can say `file:line:col`.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Tags } from 'yaml';
import type { SourcePosition } from '../model/index.js';

export type Scalar = string | number | boolean | null;

interface At {
  /** Offset of the node in its file's text. */
  offset: number;
}
export interface SMap extends At {
  type: 'map';
  entries: Map<string, SEntry>;
}
export interface SEntry {
  key: string;
  keyOffset: number;
  value: SNode;
}
export interface SSeq extends At {
  type: 'seq';
  items: SNode[];
}
export interface SScalar extends At {
  type: 'scalar';
  value: Scalar;
}
/** A node with a local tag (`!Ref x`): CloudFormation's short forms. */
export interface STagged extends At {
  type: 'tagged';
  tag: string;
  value: SNode;
}
export type SNode = SMap | SSeq | SScalar | STagged;

/** One input file: its name as the user gave it, and positions for offsets. */
export class SourceFile {
  private readonly lines = new LineCounter();
  private counted = false;

  constructor(
    readonly path: string,
    readonly text: string,
  ) {}

  /** Lines are counted on the first question, so inputs without problems never pay for it. */
  position(offset: number): SourcePosition {
    if (!this.counted) {
      this.lines.addNewLine(0);
      for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1))
        this.lines.addNewLine(i + 1);
      this.counted = true;
    }
    const { line, col } = this.lines.linePos(offset);
    return { file: this.path, line, col };
  }
}

export interface ParsedSource {
  root: SNode | undefined;
  /** Syntax errors with their offsets; the root is undefined when there are any. */
  errors: Array<{ offset: number; message: string }>;
}

/**
 * Parses one YAML or JSON document. `localTags` are accepted on scalars, sequences and
 * mappings alike and kept as `tagged` nodes; any other local tag is a syntax error.
 * Duplicate keys are errors, found with one set per mapping (the library's own check
 * compares each key with every earlier one, quadratic in a 2,000-resource template).
 */
export function parseSource(text: string, localTags: readonly string[] = [], base = 0): ParsedSource {
  const customTags: Tags = localTags.flatMap((tag) => [
    { tag, resolve: (s: string) => s },
    { tag, collection: 'seq' as const, resolve: (v: unknown) => v },
    { tag, collection: 'map' as const, resolve: (v: unknown) => v },
  ]);
  let doc;
  try {
    doc = parseDocument(text, { uniqueKeys: false, customTags, version: '1.2', prettyErrors: false });
  } catch (err) {
    return { root: undefined, errors: [{ offset: 0, message: (err as Error).message }] };
  }
  const errors = [...doc.errors, ...doc.warnings].map((e) => ({
    offset: base + e.pos[0],
    message: e.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, ''),
  }));
  if (errors.length > 0) return { root: undefined, errors };
  const known = new Set(localTags);
  try {
    const root =
      doc.contents === null ? undefined : toTree(doc.contents, { tags: known, errors, base, text }, 0);
    return errors.length > 0 ? { root: undefined, errors } : { root, errors };
  } catch (err) {
    return { root: undefined, errors: [{ offset: base, message: (err as Error).message }] };
  }
}

const MAX_DEPTH = 200;

interface TreeContext {
  tags: ReadonlySet<string>;
  errors: ParsedSource['errors'];
  /** Offset of `text` in its file. */
  base: number;
  text: string;
}

function toTree(node: Node | null, ctx: TreeContext, depth: number): SNode {
  const { tags, errors, base } = ctx;
  if (depth > MAX_DEPTH) throw new Error(`nested more than ${MAX_DEPTH} levels deep`);
  if (node === null) return { type: 'scalar', value: null, offset: base };
  const offset = base + (node.range?.[0] ?? 0);
  let out: SNode;
  if (isMap(node)) {
    const entries = new Map<string, SEntry>();
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const keyOffset = keyNode?.range ? base + keyNode.range[0] : offset;
      const key = isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') {
        errors.push({ offset: keyOffset, message: 'a mapping key must be a plain value' });
        continue;
      }
      const name = String(key);
      if (entries.has(name)) {
        errors.push({ offset: keyOffset, message: `duplicate key ${JSON.stringify(name)}` });
        continue;
      }
      const value =
        pair.value === null
          ? { type: 'scalar' as const, value: null, offset: keyOffset }
          : toTree(pair.value as Node, ctx, depth + 1);
      entries.set(name, { key: name, keyOffset, value });
    }
    out = { type: 'map', entries, offset };
  } else if (isSeq(node)) {
    out = {
      type: 'seq',
      items: node.items.map((item) => toTree(item as Node | null, ctx, depth + 1)),
      offset,
    };
  } else if (isScalar(node)) {
    const v = node.value;
    out = {
      type: 'scalar',
      value:
        typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null
          ? v
          : String(v),
      offset,
    };
  } else if (isAlias(node)) {
    errors.push({ offset, message: 'aliases (*name) are not supported here; write the value out' });
    return { type: 'scalar', value: null, offset };
  } else {
    return { type: 'scalar', value: null, offset };
  }
  const tag = node.tag;
  if (tag !== undefined && tag.startsWith('!') && !tag.startsWith('!!')) {
    if (!tags.has(tag)) errors.push({ offset, message: `unknown tag ${tag}` });
    // The node's range starts after its tag; diagnostics point at the tag, where the function is.
    const at = ctx.text.lastIndexOf(tag, offset - base);
    const tagOffset = at >= 0 && !ctx.text.slice(at, offset - base).includes('\n') ? base + at : offset;
    return { type: 'tagged', tag, value: out, offset: tagOffset };
  }
  return out;
}

/** The node as plain data (tags dropped), for values copied as they are. */
export function plain(node: SNode): unknown {
  switch (node.type) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(plain);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, e] of node.entries) out[k] = plain(e.value);
      return out;
    }
    case 'tagged':
      return plain(node.value);
  }
}

export function entry(node: SNode | undefined, key: string): SEntry | undefined {
  return node?.type === 'map' ? node.entries.get(key) : undefined;
}

export function child(node: SNode | undefined, key: string): SNode | undefined {
  return entry(node, key)?.value;
}

export function describeType(node: SNode): string {
  if (node.type === 'scalar') return node.value === null ? 'null' : typeof node.value;
  if (node.type === 'map') return 'a mapping';
  if (node.type === 'seq') return 'a list';
  return `${node.tag}`;
}
