import { LineCounter, parseDocument } from 'yaml';
import type { SourcePosition } from '../model/index.js';
import { YamlSourceMap, type DocumentSourceMap } from './source-map.js';
import type { FieldPath } from './types.js';

/**
 * One document's text, parsed with the `yaml` library the first time a position in it is
 * asked for. Positions are needed only for diagnostics, which a large valid input does
 * not have, so most documents read by the fast path are never parsed twice.
 */
export class LazyDocument {
  private map: YamlSourceMap | undefined;

  /** `lineOffset`: lines of the file before `text` (which starts at a line start). */
  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly lineOffset: number,
  ) {}

  /** Whether the text has been parsed for positions yet. */
  get parsed(): boolean {
    return this.map !== undefined;
  }

  sourceMap(): YamlSourceMap {
    if (!this.map) {
      const lineCounter = new LineCounter();
      // The same options as the slow path; the fast path only takes texts this parses cleanly.
      const doc = parseDocument(this.text, {
        lineCounter,
        schema: 'core',
        merge: true,
        uniqueKeys: true,
        prettyErrors: false,
        logLevel: 'error',
      });
      this.map = YamlSourceMap.forDocument({
        doc,
        lineCounter,
        file: this.file,
        lineOffset: this.lineOffset,
      });
    }
    return this.map;
  }
}

/** A `SourceMap` over a `LazyDocument`, optionally re-rooted at an item (see `within`). */
export class LazySourceMap implements DocumentSourceMap {
  private resolved: DocumentSourceMap | undefined;

  constructor(
    private readonly doc: LazyDocument,
    private readonly parent?: LazySourceMap,
    private readonly path: FieldPath = [],
  ) {}

  /** Whether the document has been parsed for positions yet. */
  get parsed(): boolean {
    return this.doc.parsed;
  }

  positionOf(path: FieldPath): SourcePosition | undefined {
    return this.get().positionOf(path);
  }

  documentPosition(): SourcePosition {
    return this.get().documentPosition();
  }

  within(path: FieldPath): LazySourceMap {
    return new LazySourceMap(this.doc, this, path);
  }

  private get(): DocumentSourceMap {
    this.resolved ??= this.parent ? this.parent.get().within(this.path) : this.doc.sourceMap();
    return this.resolved;
  }
}
