/**
 * A CloudFormation template's sections, read from the source tree: parameters,
 * mappings, conditions and resources (CDK's synthesised templates are templates too:
 * `AWS::CDK::Metadata`, asset parameters and `Rules` are simply other entries).
 */
import { child, entry, type SMap, type SNode } from '../source.js';

/** Short-form tags (`!Ref`, `!Sub`, ...) and the intrinsic each one stands for. */
export const SHORT_FORMS: Readonly<Record<string, string>> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  ...Object.fromEntries(
    [
      'And',
      'Base64',
      'Cidr',
      'Equals',
      'FindInMap',
      'GetAtt',
      'GetAZs',
      'If',
      'ImportValue',
      'Join',
      'Length',
      'Not',
      'Or',
      'Select',
      'Split',
      'Sub',
      'ToJsonString',
      'Transform',
    ].map((name) => [`!${name}`, `Fn::${name}`]),
  ),
};

export interface TemplateResource {
  logicalId: string;
  type: string;
  properties: SNode | undefined;
  condition: string | undefined;
  /** `DependsOn`: one logical ID or a list of them. */
  dependsOn: string[];
  /** Where the resource's entry starts. */
  offset: number;
  /** CDK's construct path (`Metadata.aws:cdk:path`), which names the resource better than its logical ID. */
  cdkPath: string | undefined;
}

export interface TemplateParameter {
  name: string;
  type: string;
  default: SNode | undefined;
  allowedValues: string[] | undefined;
  offset: number;
}

export class Template {
  readonly parameters = new Map<string, TemplateParameter>();
  readonly resources = new Map<string, TemplateResource>();
  readonly mappings: SNode | undefined;
  readonly conditions: SNode | undefined;
  readonly transforms: Array<{ name: string; offset: number }> = [];

  constructor(readonly root: SMap) {
    this.mappings = child(root, 'Mappings');
    this.conditions = child(root, 'Conditions');
    const params = child(root, 'Parameters');
    if (params?.type === 'map') {
      for (const [name, e] of params.entries) {
        const allowed = child(e.value, 'AllowedValues');
        this.parameters.set(name, {
          name,
          type: String(scalarOf(child(e.value, 'Type')) ?? 'String'),
          default: child(e.value, 'Default'),
          allowedValues:
            allowed?.type === 'seq'
              ? allowed.items.map((i) => (i.type === 'scalar' ? String(i.value) : ''))
              : undefined,
          offset: e.keyOffset,
        });
      }
    }
    const resources = child(root, 'Resources');
    if (resources?.type === 'map') {
      for (const [logicalId, e] of resources.entries) {
        const condition = scalarOf(child(e.value, 'Condition'));
        const cdkPath = scalarOf(child(child(e.value, 'Metadata'), 'aws:cdk:path'));
        const dependsOn = child(e.value, 'DependsOn');
        this.resources.set(logicalId, {
          logicalId,
          type: String(scalarOf(child(e.value, 'Type')) ?? ''),
          properties: child(e.value, 'Properties'),
          condition: condition === undefined ? undefined : String(condition),
          dependsOn: (dependsOn?.type === 'seq' ? dependsOn.items : dependsOn ? [dependsOn] : [])
            .map(scalarOf)
            .filter((d) => d !== undefined)
            .map(String),
          offset: e.keyOffset,
          cdkPath: cdkPath === undefined ? undefined : String(cdkPath),
        });
      }
    }
    const transform = entry(root, 'Transform');
    if (transform) {
      const values = transform.value.type === 'seq' ? transform.value.items : [transform.value];
      for (const v of values) {
        const name = v.type === 'scalar' ? v.value : scalarOf(child(v, 'Name'));
        this.transforms.push({ name: String(name ?? 'a macro'), offset: v.offset });
      }
    }
  }

  get hasResources(): boolean {
    return this.root.entries.has('Resources');
  }
}

function scalarOf(node: SNode | undefined): string | number | boolean | undefined {
  return node?.type === 'scalar' && node.value !== null ? node.value : undefined;
}
