/**
 * `terraform show -json` output (a state, or a saved plan) → its `aws_appmesh_*`
 * resources in App Mesh API form. Resources sit in `values.root_module` (state) or
 * `planned_values.root_module` (plan), each module with `resources` and
 * `child_modules`; a resource's arguments are in `values`, nested blocks as lists.
 * Data sources (`mode: data`) only read what exists, so they are not imported.
 */
import type { ApiKind, TagRef } from '../model/api-form/index.js';
import { type Diagnostic, type ResourceId, parseArn } from '../model/index.js';
import { checkedSpec } from './checked-spec.js';
import { importDiagnostic, nothingImported, syntaxErrors } from './diagnostics.js';
import { child, parseSource, SourceFile, type SNode } from './source.js';
import type { ImportedResource, ImportResult } from './types.js';

const TYPES: Readonly<Record<string, { kind: ApiKind; parent?: string }>> = {
  aws_appmesh_mesh: { kind: 'Mesh' },
  aws_appmesh_virtual_node: { kind: 'VirtualNode' },
  aws_appmesh_virtual_service: { kind: 'VirtualService' },
  aws_appmesh_virtual_router: { kind: 'VirtualRouter' },
  aws_appmesh_route: { kind: 'Route', parent: 'virtual_router_name' },
  aws_appmesh_virtual_gateway: { kind: 'VirtualGateway' },
  aws_appmesh_gateway_route: { kind: 'GatewayRoute', parent: 'virtual_gateway_name' },
};

export function importTerraform(text: string, path: string): ImportResult {
  const file = new SourceFile(path, text);
  const parsed = parseSource(text);
  const diagnostics: Diagnostic[] = [];
  if (parsed.root === undefined)
    return {
      resources: [],
      diagnostics: syntaxErrors(
        parsed.errors,
        file,
        () => '; expected the JSON that terraform show -json prints',
      ),
    };
  const planned = child(child(parsed.root, 'planned_values'), 'root_module');
  const state = child(child(parsed.root, 'values'), 'root_module');
  const root = planned ?? state;
  if (root === undefined)
    return nothingImported(
      'import.unknown-shape',
      'not terraform show -json output (it has neither values.root_module nor planned_values.root_module); run terraform show -json > state.json in the configuration that holds the mesh, or terraform show -json PLANFILE',
      file.position(parsed.root.offset),
    );
  const resources: ImportedResource[] = [];
  const others: string[] = [];
  for (const r of moduleResources(root)) {
    const type = child(r, 'type');
    const mode = child(r, 'mode');
    if (type?.type !== 'scalar' || mode?.type !== 'scalar' || mode.value !== 'managed') continue;
    const info = TYPES[String(type.value)];
    if (!info) {
      others.push(String(scalarText(child(r, 'address')) ?? type.value));
      continue;
    }
    const imported = importResource(r, String(type.value), info, file, diagnostics);
    if (imported) resources.push(imported);
  }
  if (resources.length === 0 && !diagnostics.some((d) => d.severity === 'error')) {
    diagnostics.push(
      importDiagnostic(
        'error',
        'import.no-resources',
        `no aws_appmesh_* resources among the ${others.length} managed resources${others.length > 0 ? ` (${others.slice(0, 5).join(', ')}${others.length > 5 ? ', ...' : ''})` : ''} of ${planned ? 'planned_values' : 'values'}.root_module and its child modules; pass the state (terraform show -json) of the configuration that manages the mesh`,
        { source: file.position(root.offset) },
      ),
    );
  }
  return { resources, diagnostics };
}

function* moduleResources(module: SNode): Generator<SNode> {
  const list = child(module, 'resources');
  if (list?.type === 'seq') yield* list.items;
  const children = child(module, 'child_modules');
  if (children?.type === 'seq') for (const m of children.items) yield* moduleResources(m);
}

function importResource(
  r: SNode,
  type: string,
  info: { kind: ApiKind; parent?: string },
  file: SourceFile,
  diagnostics: Diagnostic[],
): ImportedResource | undefined {
  const address = child(r, 'address');
  const id: ResourceId = {
    kind: 'terraform',
    name: address?.type === 'scalar' ? String(address.value) : type,
  };
  const source = file.position(r.offset);
  const values = child(r, 'values');
  const text = (attr: string): string | undefined => {
    const v = child(values, attr);
    if (v?.type === 'scalar' && typeof v.value === 'string' && v.value !== '') return v.value;
    diagnostics.push(
      importDiagnostic(
        'error',
        'import.unresolved',
        `${attr} is not known: in a plan it comes from a resource not created yet; import the state after terraform apply (terraform show -json), or write ${attr} as a literal`,
        { resource: id, source: file.position((v ?? values ?? r).offset), path: `values.${attr}` },
      ),
    );
    return undefined;
  };
  const name = text('name');
  const mesh = info.kind === 'Mesh' ? name : text('mesh_name');
  const parent = info.parent ? text(info.parent) : undefined;
  if (name === undefined || mesh === undefined || (info.parent && parent === undefined)) return undefined;
  const checked = checkedSpec(info.kind, child(values, 'spec'), 'terraform', file, id);
  for (const d of checked.diagnostics) diagnostics.push(d);
  const tags = tagsOf(child(values, 'tags_all') ?? child(values, 'tags'));
  const owner = scalarText(child(values, 'mesh_owner'));
  const arn = scalarText(child(values, 'arn'));
  const account = arn ? parseArn(arn)?.account : undefined;
  return {
    kind: info.kind,
    mesh,
    name,
    ...(parent !== undefined ? { parent } : {}),
    spec: checked.spec,
    ...(tags.length > 0 ? { tags } : {}),
    ...(owner !== undefined && account !== undefined && owner !== account ? { meshOwner: owner } : {}),
    origin: { id, source },
  };
}

function tagsOf(node: SNode | undefined): TagRef[] {
  if (node?.type !== 'map') return [];
  return [...node.entries.values()].map((e) => ({ key: e.key, value: scalarText(e.value) ?? '' }));
}

function scalarText(node: SNode | undefined): string | undefined {
  return node?.type === 'scalar' && node.value !== null && node.value !== '' ? String(node.value) : undefined;
}
