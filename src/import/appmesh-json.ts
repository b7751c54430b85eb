/**
 * App Mesh API dumps → resources: what `aws appmesh describe-*` prints
 * (`{"virtualNode": {...}}`), the bare `<Resource>Data` objects inside, `list-*`
 * output (`{"virtualNodes": [...]}`), top-level arrays of any of these, several JSON
 * documents one after another in one file, and `amime export -o api`. List items
 * carry names only: a resource known only from a list is imported only if it is a
 * mesh (whose spec is optional; a warning says the spec is unknown), otherwise its
 * describe-* output is needed.
 */
import { API_KIND_INFO, API_KINDS, type ApiKind, type TagRef } from '../model/api-form/index.js';
import { type Diagnostic, type ResourceId, parseArn } from '../model/index.js';
import { checkedSpec } from './checked-spec.js';
import { importDiagnostic, syntaxErrors } from './diagnostics.js';
import { splitJsonValues } from './json-stream.js';
import { child, describeType, parseSource, SourceFile, type SNode } from './source.js';
import { describeImported, identityOf, type ImportedResource, type ImportResult } from './types.js';

export interface DumpFile {
  path: string;
  text: string;
}

const BY_DATA_FIELD = new Map(API_KINDS.map((k) => [API_KIND_INFO[k].dataField, k]));
const BY_LIST_FIELD = new Map(API_KINDS.map((k) => [API_KIND_INFO[k].listField, k]));

/** Name fields, most specific first: a route has `virtualRouterName` too. */
const KIND_BY_NAME_FIELD: ReadonlyArray<[string, ApiKind]> = [
  ['gatewayRouteName', 'GatewayRoute'],
  ['routeName', 'Route'],
  ['virtualGatewayName', 'VirtualGateway'],
  ['virtualRouterName', 'VirtualRouter'],
  ['virtualServiceName', 'VirtualService'],
  ['virtualNodeName', 'VirtualNode'],
];

interface Found {
  kind: ApiKind;
  node: SNode;
  file: SourceFile;
  /** From a list-* output: names only. */
  listed: boolean;
}

export function importAppMeshJson(files: readonly DumpFile[]): ImportResult {
  const diagnostics: Diagnostic[] = [];
  const found: Found[] = [];
  for (const { path, text } of files) {
    const file = new SourceFile(path, text);
    const before = found.length;
    const slices = splitJsonValues(text);
    if (slices.length === 0)
      diagnostics.push(
        importDiagnostic(
          'error',
          'import.syntax',
          'the file is empty; pass the output of aws appmesh describe-*',
          { source: file.position(0) },
        ),
      );
    for (const slice of slices) {
      const parsed = parseSource(text.slice(slice.start, slice.end), [], slice.start);
      if (parsed.root === undefined) {
        const explain = () => '; expected the JSON that aws appmesh describe-* prints';
        for (const d of syntaxErrors(parsed.errors, file, explain)) diagnostics.push(d);
        continue;
      }
      collect(parsed.root, file, found, diagnostics);
    }
    if (
      found.length === before &&
      !diagnostics.some((d) => d.severity === 'error' && d.source?.file === path)
    )
      diagnostics.push(
        importDiagnostic(
          'error',
          'import.no-resources',
          'no App Mesh resources in this file; pass the output of aws appmesh describe-* (or list-*)',
          {
            source: file.position(0),
          },
        ),
      );
  }
  const resources: ImportedResource[] = [];
  const described = new Set<string>();
  for (const f of found.filter((x) => !x.listed)) {
    const r = dataItem(f, diagnostics);
    if (r) {
      resources.push(r);
      described.add(identityOf(r));
    }
  }
  for (const f of found.filter((x) => x.listed)) {
    const r = dataItem({ ...f, listed: true }, diagnostics, true);
    if (!r || described.has(identityOf(r))) continue;
    described.add(identityOf(r));
    if (r.kind === 'Mesh') {
      diagnostics.push(
        importDiagnostic(
          'warning',
          'import.lossy',
          `${describeImported(r)} comes from list-meshes output, which has no spec: it is imported with an empty spec (egress filter DROP_ALL); add its describe-mesh output to keep its spec`,
          { resource: r.origin.id, ...(r.origin.source ? { source: r.origin.source } : {}) },
        ),
      );
      resources.push(r);
    } else {
      const info = API_KIND_INFO[r.kind];
      diagnostics.push(
        importDiagnostic(
          'error',
          'import.invalid',
          `${describeImported(r)} comes from ${info.listOpName} output, which has no spec; add the output of aws appmesh describe-${kebab(r.kind)} for it`,
          { resource: r.origin.id, ...(r.origin.source ? { source: r.origin.source } : {}) },
        ),
      );
    }
  }
  return { resources, diagnostics };
}

function collect(node: SNode, file: SourceFile, out: Found[], diagnostics: Diagnostic[]): void {
  if (node.type === 'seq') {
    for (const item of node.items) collect(item, file, out, diagnostics);
    return;
  }
  if (node.type === 'map') {
    if (node.entries.size === 1) {
      const [key, e] = node.entries.entries().next().value as [string, { value: SNode }];
      const dataKind = BY_DATA_FIELD.get(key);
      if (dataKind && e.value.type === 'map') {
        out.push({ kind: dataKind, node: e.value, file, listed: false });
        return;
      }
    }
    for (const [key, e] of node.entries) {
      const listKind = BY_LIST_FIELD.get(key);
      if (listKind && e.value.type === 'seq') {
        for (const item of e.value.items)
          out.push({ kind: listKind, node: item, file, listed: child(item, 'spec') === undefined });
        return;
      }
    }
    const bare = kindOfData(node);
    if (bare) {
      out.push({ kind: bare, node, file, listed: child(node, 'spec') === undefined });
      return;
    }
  }
  diagnostics.push(
    importDiagnostic(
      'error',
      'import.unknown-shape',
      `not an App Mesh API object (${node.type === 'map' ? `its keys are ${[...node.entries.keys()].slice(0, 8).join(', ') || 'none'}` : `it is ${describeType(node)}`}): expected the output of aws appmesh describe-* ({"mesh": ...}, {"virtualNode": ...}, ...) or list-* ({"meshes": [...]}, ...), or a MeshData/VirtualNodeData/... object with meshName and spec; pass that output unchanged`,
      { source: file.position(node.offset) },
    ),
  );
}

function kindOfData(node: SNode): ApiKind | undefined {
  if (node.type !== 'map' || child(node, 'meshName') === undefined) return undefined;
  for (const [field, kind] of KIND_BY_NAME_FIELD) if (child(node, field) !== undefined) return kind;
  return 'Mesh';
}

function dataItem(f: Found, diagnostics: Diagnostic[], namesOnly = false): ImportedResource | undefined {
  const info = API_KIND_INFO[f.kind];
  const text = (field: string): string | undefined => {
    const v = child(f.node, field);
    return v?.type === 'scalar' && typeof v.value === 'string' && v.value !== '' ? v.value : undefined;
  };
  const name = text(f.kind === 'Mesh' ? 'meshName' : info.nameField);
  const mesh = text('meshName');
  const parent = info.parent ? text(info.parent.nameField) : undefined;
  const id: ResourceId = { kind: f.kind, name: name ?? '?' };
  const source = f.file.position(f.node.offset);
  const missing = [
    ...(mesh === undefined ? ['meshName'] : []),
    ...(name === undefined && f.kind !== 'Mesh' ? [info.nameField] : []),
    ...(info.parent && parent === undefined ? [info.parent.nameField] : []),
  ];
  if (missing.length > 0) {
    diagnostics.push(
      importDiagnostic(
        'error',
        'import.invalid',
        `a ${f.kind} needs ${missing.join(' and ')}; describe-${kebab(f.kind)} output has them`,
        {
          resource: id,
          source,
        },
      ),
    );
    return undefined;
  }
  const checked = namesOnly
    ? { spec: {}, diagnostics: [] }
    : checkedSpec(f.kind, child(f.node, 'spec'), 'api', f.file, id);
  for (const d of checked.diagnostics) diagnostics.push(d);
  const tags = tagsOf(child(f.node, 'tags'));
  const metadata = child(f.node, 'metadata');
  const meshOwner = scalarText(child(metadata, 'meshOwner'));
  const owner =
    scalarText(child(metadata, 'resourceOwner')) ??
    parseArn(scalarText(child(metadata, 'arn')) ?? '')?.account;
  return {
    kind: f.kind,
    mesh: mesh as string,
    name: (name ?? mesh) as string,
    ...(parent !== undefined ? { parent } : {}),
    spec: checked.spec,
    ...(tags.length > 0 ? { tags } : {}),
    ...(meshOwner !== undefined && owner !== undefined && meshOwner !== owner ? { meshOwner } : {}),
    origin: { id, source },
  };
}

function tagsOf(node: SNode | undefined): TagRef[] {
  if (node?.type !== 'seq') return [];
  return node.items.flatMap((t) => {
    const key = scalarText(child(t, 'key'));
    return key === undefined ? [] : [{ key, value: scalarText(child(t, 'value')) ?? '' }];
  });
}

function scalarText(node: SNode | undefined): string | undefined {
  return node?.type === 'scalar' && node.value !== null && node.value !== '' ? String(node.value) : undefined;
}

function kebab(kind: string): string {
  return kind.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? c.toLowerCase() : `-${c.toLowerCase()}`));
}
