import type { Diagnostic } from '../model/index.js';
import type { ParsedDocument } from './parse-documents.js';
import type { DocumentSourceMap } from './source-map.js';
import type { LoadedObject } from './types.js';

export interface Expanded {
  objects: LoadedObject[];
  diagnostics: Diagnostic[];
}

/**
 * One object per mapping: a document that is a mapping stays whole; a top-level
 * array (JSON's usual way to ship several objects) and a Kubernetes `List` (what
 * `kubectl get -o yaml` prints) give one object per item.
 */
export function expandDocuments(documents: ReadonlyArray<ParsedDocument>, file: string): Expanded {
  const out: Expanded = { objects: [], diagnostics: [] };
  for (const doc of documents) {
    if (Array.isArray(doc.value)) expandItems(doc.value, doc, doc.map, [], undefined, file, out);
    else addObject(doc.value, doc, doc.map, undefined, file, out);
  }
  return out;
}

function addObject(
  value: unknown,
  doc: ParsedDocument,
  map: DocumentSourceMap,
  itemIndex: number | undefined,
  file: string,
  out: Expanded,
): void {
  if (!isMapping(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'a sequence' : `a ${typeof value}`;
    const where = itemIndex === undefined ? 'document' : `item ${itemIndex}`;
    out.diagnostics.push({
      severity: 'error',
      code: 'load.not-a-mapping',
      path: '',
      message: `${where} is ${what}; expected a mapping (an object with apiVersion and kind)`,
      source: map.documentPosition(),
    });
    return;
  }
  if (isList(value)) {
    expandItems(value.items, doc, map, ['items'], value, file, out);
    return;
  }
  const object: LoadedObject = { object: value, file, docIndex: doc.docIndex, source: map };
  if (itemIndex !== undefined) object.itemIndex = itemIndex;
  out.objects.push(object);
}

function expandItems(
  items: ReadonlyArray<unknown>,
  doc: ParsedDocument,
  map: DocumentSourceMap,
  prefix: ReadonlyArray<string>,
  list: Record<string, unknown> | undefined,
  file: string,
  out: Expanded,
): void {
  items.forEach((item, i) => {
    const itemMap = map.within([...prefix, i]);
    if (list && isMapping(item)) fillFromTypedList(item, list);
    addObject(item, doc, itemMap, i, file, out);
  });
}

/** `kind: List`, or a typed list such as `VirtualNodeList` as the API server returns it. */
function isList(value: Record<string, unknown>): value is Record<string, unknown> & { items: unknown[] } {
  return typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items);
}

/** The API server leaves apiVersion and kind out of the items of a typed list. */
function fillFromTypedList(item: Record<string, unknown>, list: Record<string, unknown>): void {
  const kind = list.kind as string;
  if (kind === 'List') return;
  if (item.kind === undefined) item.kind = kind.slice(0, -'List'.length);
  if (item.apiVersion === undefined && typeof list.apiVersion === 'string') item.apiVersion = list.apiVersion;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
