/**
 * The loading stage: files, folders or in-memory text → Kubernetes-shaped objects
 * that remember where each field came from, sorted into mesh resources, namespaces
 * and pods. Problems come back as `load.*` diagnostics, never as exceptions.
 *
 * Codes: load.not-found, load.unreadable, load.too-large, load.no-files (warning),
 * load.syntax, load.yaml-warning (warning), load.duplicate-key, load.too-deep,
 * load.alias-limit, load.not-a-mapping, load.missing-api-version, load.missing-kind,
 * load.unsupported-version, load.unknown-kind, load.missing-name,
 * load.missing-pod-template, load.invalid-map, load.complex-key, load.cyclic-alias,
 * load.internal.
 *
 * Two readers give the same result: valid, plain texts are read with JSON.parse or
 * js-yaml and parsed with `yaml` for positions only when a position is asked for
 * (fast-path.ts); everything else, and anything those fail on, is read with `yaml`
 * (parse-documents.ts), which gives the diagnostics.
 */
import type { SourcePosition } from '../model/index.js';
import { classify } from './classify.js';
import { expandDocuments } from './expand-lists.js';
import { parseDocuments } from './parse-documents.js';
import { readInputs, readInputsSync, type ReadResult } from './read-files.js';
import {
  DEFAULT_LOAD_OPTIONS,
  type FieldPath,
  type LoadedObject,
  type LoadOptions,
  type LoadResult,
  type Locator,
} from './types.js';

export type {
  FieldPath,
  LoadedObject,
  LoadOptions,
  LoadResult,
  Locator,
  NamespaceInfo,
  PodInfo,
  PodOrigin,
  SourceMap,
} from './types.js';
export { DEFAULT_LOAD_OPTIONS, POD_ORIGINS } from './types.js';
export { classify } from './classify.js';

export interface ParsedObjects {
  objects: LoadedObject[];
  diagnostics: LoadResult['diagnostics'];
}

/**
 * Every mapping in a text, unclassified (for callers that take other shapes, such as
 * App Mesh REST bodies). Top-level arrays and Kubernetes Lists give one object per item.
 */
export function parseText(text: string, file: string, options: LoadOptions = {}): ParsedObjects {
  const parsed = parseDocuments(text, file, options);
  const expanded = expandDocuments(parsed.documents, file);
  return { objects: expanded.objects, diagnostics: parsed.diagnostics.concat(expanded.diagnostics) };
}

/** Loads one in-memory text; `file` is the name positions will carry (e.g. `<request>`). */
export function loadText(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const parsed = parseText(text, file, options);
  const result = classify(parsed.objects, options.defaultNamespace);
  result.diagnostics = parsed.diagnostics.concat(result.diagnostics);
  return result;
}

/** Loads files and folders (walked recursively for .yaml/.yml/.json, in sorted order). */
export async function loadPaths(
  paths: ReadonlyArray<string>,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const read = await readInputs(paths, options.maxBytes ?? DEFAULT_LOAD_OPTIONS.maxBytes);
  return loadRead(read, options);
}

export function loadPathsSync(paths: ReadonlyArray<string>, options: LoadOptions = {}): LoadResult {
  return loadRead(readInputsSync(paths, options.maxBytes ?? DEFAULT_LOAD_OPTIONS.maxBytes), options);
}

function loadRead(read: ReadResult, options: LoadOptions): LoadResult {
  const all: LoadResult = {
    meshObjects: [],
    namespaces: [],
    pods: [],
    diagnostics: [...read.diagnostics],
    ignored: 0,
  };
  for (const file of read.files) {
    const one = loadText(file.text, file.path, options);
    // Loops, not push(...spread): a file with 100k objects would overflow the call stack.
    for (const o of one.meshObjects) all.meshObjects.push(o);
    for (const n of one.namespaces) all.namespaces.push(n);
    for (const p of one.pods) all.pods.push(p);
    for (const d of one.diagnostics) all.diagnostics.push(d);
    all.ignored += one.ignored;
  }
  return all;
}

/** Where `path` of a loaded object is (its deepest existing ancestor if it does not exist). */
export function sourceOf(obj: LoadedObject, path: FieldPath): SourcePosition | undefined {
  return obj.source.positionOf(path);
}

/** A `PathLocator` for the model and mesh stages. */
export function locatorOf(obj: LoadedObject): Locator {
  return (path) => obj.source.positionOf(path);
}
