/**
 * A CloudFormation template (JSON or YAML, short-form tags included; CDK's `cdk synth`
 * output is one) → its `AWS::AppMesh::*` resources in App Mesh API form. Other
 * resources are read only when an App Mesh resource refers to them.
 */
import type { TagRef } from '../../model/api-form/index.js';
import type { Diagnostic, ResourceId } from '../../model/index.js';
import { checkedSpec } from '../checked-spec.js';
import { importDiagnostic, nothingImported, syntaxErrors } from '../diagnostics.js';
import { child, parseSource, SourceFile, type SNode } from '../source.js';
import type { ImportedResource, ImportResult } from '../types.js';
import { APPMESH_TYPES, COMMON_PROPERTIES } from './appmesh-types.js';
import { dependencyCycles } from './dependencies.js';
import { Evaluator, NO_VALUE, type EvaluateOptions } from './evaluate.js';
import { SHORT_FORMS, Template, type TemplateResource } from './template.js';
import { Unresolved } from './unresolved.js';

export type CloudFormationOptions = EvaluateOptions;

export function importCloudFormation(
  text: string,
  path: string,
  options: CloudFormationOptions = {},
): ImportResult {
  const file = new SourceFile(path, text);
  const parsed = parseSource(text, Object.keys(SHORT_FORMS));
  if (parsed.root === undefined) {
    const diagnostics = syntaxErrors(parsed.errors, file, (e) => {
      const near = resourceBefore(text, e.offset);
      return `${near ? ` (in resource ${near})` : ''}; a CloudFormation template is YAML or JSON: fix the syntax at this place`;
    });
    return { resources: [], diagnostics };
  }
  if (parsed.root.type !== 'map' || !child(parsed.root, 'Resources'))
    return nothingImported(
      'import.unknown-shape',
      'not a CloudFormation template: it has no Resources section; pass a template (cdk synth writes them to cdk.out/*.template.json)',
      file.position(parsed.root.offset),
    );
  const template = new Template(parsed.root);
  const evaluator = new Evaluator(template, options);
  const diagnostics: Diagnostic[] = [];
  for (const t of template.transforms) {
    diagnostics.push(
      importDiagnostic(
        'warning',
        'import.unsupported',
        `Transform ${t.name} runs when CloudFormation deploys the template and may change it; the template is imported as written`,
        { source: file.position(t.offset) },
      ),
    );
  }
  const resources: ImportedResource[] = [];
  const appMeshIds = [...template.resources.values()]
    .filter((r) => r.type.startsWith('AWS::AppMesh::'))
    .map((r) => r.logicalId);
  const circular = new Set<string>();
  for (const cycle of dependencyCycles(template, appMeshIds)) {
    const start = template.resources.get(cycle[0] as string)!;
    for (const id of cycle) circular.add(id);
    diagnostics.push(
      importDiagnostic(
        'error',
        'import.invalid',
        `circular dependency between resources: ${cycle.join(' → ')} (Ref, Fn::GetAtt, Fn::Sub or DependsOn); CloudFormation refuses such a template: remove one of these references`,
        { resource: { kind: start.type, name: start.logicalId }, source: file.position(start.offset) },
      ),
    );
  }
  let appMeshCount = 0;
  for (const resource of template.resources.values()) {
    if (resource.type === '' && !resource.logicalId.startsWith('Fn::ForEach')) {
      diagnostics.push(
        importDiagnostic(
          'error',
          'import.invalid',
          `resource ${resource.logicalId} has no Type; give it one (AWS::AppMesh::VirtualNode, ...)`,
          {
            source: file.position(resource.offset),
          },
        ),
      );
      continue;
    }
    if (!resource.type.startsWith('AWS::AppMesh::')) {
      if (resource.logicalId.startsWith('Fn::ForEach'))
        diagnostics.push(
          importDiagnostic(
            'error',
            'import.unsupported',
            `${resource.logicalId}: Fn::ForEach is expanded by the AWS::LanguageExtensions transform at deploy time; write its resources out`,
            { source: file.position(resource.offset) },
          ),
        );
      continue;
    }
    appMeshCount++;
    if (circular.has(resource.logicalId)) continue;
    const imported = importResource(resource, evaluator, file, diagnostics);
    if (imported) resources.push(imported);
  }
  if (appMeshCount === 0) {
    diagnostics.push(
      importDiagnostic(
        'error',
        'import.no-resources',
        `no AWS::AppMesh::* resources among the template's ${template.resources.size} resources; pass the template (or the CDK stack's synthesised template) that defines the mesh`,
        { source: file.position(parsed.root.offset) },
      ),
    );
  }
  return { resources, diagnostics };
}

function importResource(
  resource: TemplateResource,
  evaluator: Evaluator,
  file: SourceFile,
  diagnostics: Diagnostic[],
): ImportedResource | undefined {
  const id: ResourceId = {
    kind: resource.type,
    name: resource.cdkPath ? `${resource.logicalId} (${resource.cdkPath})` : resource.logicalId,
  };
  const at = (offset: number) => file.position(offset);
  const type = APPMESH_TYPES[resource.type];
  if (!type) {
    diagnostics.push(
      importDiagnostic(
        'error',
        'import.unsupported',
        `unknown App Mesh resource type ${resource.type} (expected one of ${Object.keys(APPMESH_TYPES).join(', ')})`,
        { resource: id, source: at(resource.offset) },
      ),
    );
    return undefined;
  }
  try {
    if (resource.condition !== undefined && !evaluator.condition(resource.condition, resource.offset))
      return undefined;
    const props = resource.properties;
    if (props !== undefined && props.type !== 'map')
      throw new Unresolved(props.offset, 'Properties must be a mapping');
    const known = new Set<string>(
      type.kind === 'Mesh'
        ? ['MeshName', 'Spec', 'Tags']
        : [...COMMON_PROPERTIES, type.nameProperty, ...(type.parentProperty ? [type.parentProperty] : [])],
    );
    for (const [key, e] of props?.entries ?? []) {
      if (!known.has(key))
        diagnostics.push(
          importDiagnostic(
            'error',
            'import.invalid',
            `${resource.type} has no property ${key} (it has ${[...known].sort().join(', ')})`,
            { resource: id, source: at(e.keyOffset) },
          ),
        );
    }
    const identity = evaluator.identity(resource);
    const specNode = child(props, 'Spec');
    const resolvedSpec = specNode === undefined ? undefined : evaluator.resolve(specNode);
    const checked = checkedSpec(
      type.kind,
      resolvedSpec === NO_VALUE ? undefined : resolvedSpec,
      'cloudformation',
      file,
      id,
    );
    for (const d of checked.diagnostics)
      diagnostics.push(d.source ? d : { ...d, source: at(resource.offset) });
    const tags = tagsOf(child(props, 'Tags'), evaluator);
    return {
      kind: type.kind,
      mesh: identity.mesh,
      name: identity.name,
      ...(identity.parent !== undefined ? { parent: identity.parent } : {}),
      spec: checked.spec,
      ...(tags.length > 0 ? { tags } : {}),
      ...(identity.meshOwner !== undefined ? { meshOwner: identity.meshOwner } : {}),
      origin: { id, source: at(resource.offset) },
    };
  } catch (err) {
    if (!(err instanceof Unresolved)) throw err;
    diagnostics.push(
      importDiagnostic('error', 'import.unresolved', err.message, { resource: id, source: at(err.offset) }),
    );
    return undefined;
  }
}

/** The logical ID of the resource a text position falls in, read from the lines above it (the text did not parse). */
function resourceBefore(text: string, offset: number): string | undefined {
  const lines = text.slice(0, offset).split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^  "?([A-Za-z0-9]+)"?\s*:\s*\{?\s*$/.exec(lines[i] as string);
    if (m) return lines.slice(0, i).some((l) => /^"?Resources"?\s*:/.test(l.trim())) ? m[1] : undefined;
  }
  return undefined;
}

function tagsOf(node: SNode | undefined, evaluator: Evaluator): TagRef[] {
  if (node === undefined) return [];
  const resolved = evaluator.resolve(node);
  if (resolved === NO_VALUE) return [];
  if (resolved.type !== 'seq') throw new Unresolved(node.offset, 'Tags must be a list of {Key, Value}');
  return resolved.items.map((item) => {
    const key = child(item, 'Key');
    const value = child(item, 'Value');
    if (key === undefined) throw new Unresolved(item.offset, 'a tag needs a Key');
    return {
      key: evaluator.string(key, 'a tag Key'),
      value: value === undefined ? '' : evaluator.string(value, 'a tag Value'),
    };
  });
}
