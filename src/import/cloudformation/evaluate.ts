/**
 * CloudFormation intrinsic functions, evaluated offline and only where an App Mesh
 * resource needs a value (an ECS service's `!GetAZs` is never looked at). Values come
 * from the template (parameter defaults, mappings, conditions, resources) and the
 * user's flags; anything else throws `Unresolved` with the flag that supplies it.
 */
import { arnOf, resourcePath } from '../../model/index.js';
import { child, plain, type SNode, type SScalar, type SSeq } from '../source.js';
import { APPMESH_TYPES, attributesOf, type AppMeshType } from './appmesh-types.js';
import { cidrSubnets } from './cidr.js';
import { substitute } from './sub.js';
import { SHORT_FORMS, type Template, type TemplateResource } from './template.js';
import { Unresolved } from './unresolved.js';

export interface EvaluateOptions {
  /** `--parameter Key=Value` */
  parameters?: Readonly<Record<string, string>>;
  /** `AWS::Region` */
  region?: string;
  /** `AWS::AccountId` */
  accountId?: string;
  /** `--import-value Name=Value` */
  importValues?: Readonly<Record<string, string>>;
  /** `--resolve Logical=Value` (what Ref returns), `Logical.Attribute=Value` (GetAtt), `AWS::StackName=...`. */
  resolve?: Readonly<Record<string, string>>;
}

export const NO_VALUE = Symbol('AWS::NoValue');
export type Resolved = SNode | typeof NO_VALUE;

/** Names of an App Mesh resource of the template, as App Mesh would know it. */
export interface AppMeshIdentity {
  type: AppMeshType;
  mesh: string;
  name: string;
  parent?: string;
  meshOwner?: string;
}

export class Evaluator {
  private readonly identities = new Map<string, AppMeshIdentity>();
  private readonly conditionValues = new Map<string, boolean>();
  private readonly busy = new Set<string>();

  constructor(
    private readonly template: Template,
    private readonly options: EvaluateOptions,
  ) {}

  /** The node with every intrinsic replaced by its value; `AWS::NoValue` entries removed. */
  resolve(node: SNode): Resolved {
    const fn = intrinsicOf(node);
    if (fn) return this.call(fn.name, fn.arg, node.offset);
    if (node.type === 'map') {
      const entries = new Map<string, { key: string; keyOffset: number; value: SNode }>();
      for (const [k, e] of node.entries) {
        const v = this.resolve(e.value);
        if (v !== NO_VALUE) entries.set(k, { ...e, value: v });
      }
      return { type: 'map', entries, offset: node.offset };
    }
    if (node.type === 'seq') {
      const items: SNode[] = [];
      for (const item of node.items) {
        const v = this.resolve(item);
        if (v !== NO_VALUE) items.push(v);
      }
      return { type: 'seq', items, offset: node.offset };
    }
    return node;
  }

  /** A value that must be text (names, `Fn::Join` parts); numbers and booleans are spelled out. */
  string(node: SNode, what: string): string {
    const v = this.resolve(node);
    if (v !== NO_VALUE && v.type === 'scalar' && v.value !== null) return String(v.value);
    throw new Unresolved(
      node.offset,
      `${what} must be a string${v === NO_VALUE ? ', not AWS::NoValue' : ''}`,
    );
  }

  condition(name: string, offset: number): boolean {
    const known = this.conditionValues.get(name);
    if (known !== undefined) return known;
    const node = child(this.template.conditions, name);
    if (node === undefined)
      throw new Unresolved(offset, `condition ${name} is not in the template's Conditions`);
    const key = `condition ${name}`;
    if (this.busy.has(key)) throw new Unresolved(offset, `condition ${name} depends on itself`);
    this.busy.add(key);
    try {
      const value = this.bool(node);
      this.conditionValues.set(name, value);
      return value;
    } finally {
      this.busy.delete(key);
    }
  }

  /** Mesh, name and parent of an App Mesh resource of the template. */
  identity(resource: TemplateResource): AppMeshIdentity {
    const known = this.identities.get(resource.logicalId);
    if (known) return known;
    const type = APPMESH_TYPES[resource.type] as AppMeshType;
    const key = `resource ${resource.logicalId}`;
    if (this.busy.has(key))
      throw new Unresolved(resource.offset, `the names of ${resource.logicalId} depend on themselves`);
    this.busy.add(key);
    try {
      const name = this.nameProperty(resource, type.nameProperty);
      const mesh = type.kind === 'Mesh' ? name : this.nameProperty(resource, 'MeshName');
      const owner = child(resource.properties, 'MeshOwner');
      const id: AppMeshIdentity = {
        type,
        mesh,
        name,
        ...(type.parentProperty ? { parent: this.nameProperty(resource, type.parentProperty) } : {}),
        ...(owner !== undefined ? { meshOwner: this.string(owner, `${resource.logicalId}.MeshOwner`) } : {}),
      };
      this.identities.set(resource.logicalId, id);
      return id;
    } finally {
      this.busy.delete(key);
    }
  }

  private nameProperty(resource: TemplateResource, property: string): string {
    const node = child(resource.properties, property);
    if (node !== undefined) return this.string(node, `${resource.logicalId}.${property}`);
    const given = this.options.resolve?.[`${resource.logicalId}.${property}`];
    if (given !== undefined) return given;
    throw new Unresolved(
      resource.offset,
      `${resource.logicalId} has no ${property}: CloudFormation makes one up when it creates the resource; set ${property} in the template, or pass --resolve ${resource.logicalId}.${property}=NAME with the name it was given`,
    );
  }

  private call(name: string, arg: SNode, offset: number): Resolved {
    switch (name) {
      case 'Ref':
        return this.ref(this.literal(arg, 'Ref'), offset);
      case 'Fn::GetAtt':
        return this.getAtt(arg, offset);
      case 'Fn::Sub':
        return this.sub(arg, offset);
      case 'Fn::Join': {
        const [delim, list] = this.args(arg, 2, 'Fn::Join', offset);
        const parts = this.list(list as SNode, 'Fn::Join').map((p) => this.string(p, 'a Fn::Join element'));
        return scalar(parts.join(this.string(delim as SNode, 'the Fn::Join delimiter')), offset);
      }
      case 'Fn::Select': {
        const [index, list] = this.args(arg, 2, 'Fn::Select', offset);
        const i = Number(this.string(index as SNode, 'the Fn::Select index'));
        const items = this.list(list as SNode, 'Fn::Select');
        const picked = items[i];
        if (!Number.isInteger(i) || picked === undefined)
          throw new Unresolved(offset, `Fn::Select index ${i} is outside the list of ${items.length}`);
        return this.resolve(picked);
      }
      case 'Fn::Split': {
        const [delim, source] = this.args(arg, 2, 'Fn::Split', offset);
        const text = this.string(source as SNode, 'the Fn::Split source');
        const parts = text.split(this.string(delim as SNode, 'the Fn::Split delimiter'));
        return list(
          parts.map((p) => scalar(p, offset)),
          offset,
        );
      }
      case 'Fn::If': {
        const [cond, yes, no] = this.args(arg, 3, 'Fn::If', offset);
        const chosen = this.condition(this.literal(cond as SNode, 'the Fn::If condition'), offset) ? yes : no;
        return this.resolve(chosen as SNode);
      }
      case 'Fn::Equals':
      case 'Fn::Not':
      case 'Fn::And':
      case 'Fn::Or':
        return scalar(this.bool({ type: 'map', entries: wrap(name, arg), offset }), offset);
      case 'Fn::FindInMap':
        return this.findInMap(arg, offset);
      case 'Fn::ImportValue': {
        const exportName = this.string(arg, 'the Fn::ImportValue name');
        const value = this.options.importValues?.[exportName];
        if (value === undefined)
          throw new Unresolved(
            offset,
            `Fn::ImportValue ${exportName}: the value is exported by another stack; pass --import-value ${exportName}=VALUE`,
          );
        return scalar(value, offset);
      }
      case 'Fn::Base64':
        return scalar(
          Buffer.from(this.string(arg, 'the Fn::Base64 argument'), 'utf8').toString('base64'),
          offset,
        );
      case 'Fn::Cidr': {
        const [block, count, bits] = this.args(arg, 3, 'Fn::Cidr', offset).map((a, i) =>
          this.string(a, ['the Fn::Cidr block', 'the Fn::Cidr count', 'the Fn::Cidr bits'][i] as string),
        );
        try {
          return list(
            cidrSubnets(block as string, Number(count), Number(bits)).map((c) => scalar(c, offset)),
            offset,
          );
        } catch (err) {
          throw new Unresolved(offset, `Fn::Cidr: ${(err as Error).message}`);
        }
      }
      case 'Fn::Length':
        return scalar(this.list(arg, 'Fn::Length').length, offset);
      case 'Fn::ToJsonString': {
        const v = this.resolve(arg);
        return scalar(JSON.stringify(v === NO_VALUE ? null : plain(v)), offset);
      }
      case 'Fn::GetAZs':
        throw new Unresolved(
          offset,
          'Fn::GetAZs lists the Availability Zones that AWS shows your account, which the template does not say; write the zones in the template or pass them as a parameter (--parameter)',
        );
      case 'Condition':
        throw new Unresolved(
          offset,
          'Condition names a condition only inside Fn::If, Fn::And, Fn::Or and Fn::Not',
        );
      default:
        throw new Unresolved(offset, `${name} is not supported by amime import; replace it with its value`);
    }
  }

  private ref(name: string, offset: number): Resolved {
    const given = this.options.resolve?.[name];
    if (given !== undefined) return scalar(given, offset);
    const pseudo = this.pseudo(name, offset);
    if (pseudo !== undefined) return pseudo;
    const param = this.template.parameters.get(name);
    if (param) return this.parameter(name, offset);
    const resource = this.template.resources.get(name);
    if (resource) {
      this.present(resource, offset);
      const type = APPMESH_TYPES[resource.type];
      if (type) return scalar(this.arnOf(resource, offset), offset);
      throw new Unresolved(
        offset,
        `Ref ${name}: what Ref returns for a ${resource.type || 'resource'} is known only after CloudFormation creates it; pass --resolve ${name}=VALUE`,
      );
    }
    throw new Unresolved(
      offset,
      `Ref ${name}: no parameter, pseudo parameter or resource of that name in the template`,
    );
  }

  private pseudo(name: string, offset: number): Resolved | undefined {
    switch (name) {
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::Region':
        return scalar(this.region(offset), offset);
      case 'AWS::AccountId':
        return scalar(this.account(offset), offset);
      case 'AWS::Partition':
        return scalar(partitionOf(this.region(offset)), offset);
      case 'AWS::URLSuffix':
        return scalar(this.region(offset).startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com', offset);
      default:
        if (name.startsWith('AWS::'))
          throw new Unresolved(
            offset,
            `${name} is known only when the stack is deployed; pass --resolve ${name}=VALUE`,
          );
        return undefined;
    }
  }

  private region(offset: number): string {
    if (this.options.region !== undefined) return this.options.region;
    throw new Unresolved(offset, 'AWS::Region is the region the stack is deployed in; pass --region REGION');
  }

  private account(offset: number): string {
    if (this.options.accountId !== undefined) return this.options.accountId;
    throw new Unresolved(
      offset,
      'AWS::AccountId is the account the stack is deployed in; pass --account-id with its 12 digits',
    );
  }

  private parameter(name: string, offset: number): Resolved {
    const param = this.template.parameters.get(name)!;
    const given = this.options.parameters?.[name];
    let value: string;
    if (given !== undefined) {
      if (param.allowedValues && !param.allowedValues.includes(given))
        throw new Unresolved(
          offset,
          `--parameter ${name}=${given} is not one of the parameter's AllowedValues (${param.allowedValues.join(', ')})`,
        );
      value = given;
    } else if (param.type.startsWith('AWS::SSM::Parameter::Value')) {
      throw new Unresolved(
        offset,
        `parameter ${name} is read from the SSM parameter ${param.default?.type === 'scalar' ? String(param.default.value) : '(its Default)'} when the stack is deployed; pass --parameter ${name}=VALUE`,
      );
    } else if (param.default !== undefined) {
      value = this.string(param.default, `the Default of parameter ${name}`);
    } else {
      throw new Unresolved(offset, `parameter ${name} has no Default; pass --parameter ${name}=VALUE`);
    }
    if (param.type === 'CommaDelimitedList' || param.type.startsWith('List<'))
      return list(
        value.split(',').map((v) => scalar(v, offset)),
        offset,
      );
    return scalar(value, offset);
  }

  private getAtt(arg: SNode, offset: number): Resolved {
    let logicalId: string;
    let attribute: string;
    if (arg.type === 'scalar' && typeof arg.value === 'string') {
      const dot = arg.value.indexOf('.');
      if (dot <= 0) throw new Unresolved(offset, `Fn::GetAtt ${arg.value}: expected LogicalId.Attribute`);
      logicalId = arg.value.slice(0, dot);
      attribute = arg.value.slice(dot + 1);
    } else {
      const [res, attr] = this.args(arg, 2, 'Fn::GetAtt', offset);
      logicalId = this.literal(res as SNode, 'the Fn::GetAtt resource');
      attribute = this.string(attr as SNode, 'the Fn::GetAtt attribute');
    }
    return scalar(this.attribute(logicalId, attribute, offset), offset);
  }

  /** What `Fn::GetAtt logicalId.attribute` (and `${logicalId.attribute}` in Fn::Sub) returns. */
  attribute(logicalId: string, attribute: string, offset: number): string {
    const given = this.options.resolve?.[`${logicalId}.${attribute}`];
    if (given !== undefined) return given;
    const resource = this.template.resources.get(logicalId);
    if (!resource)
      throw new Unresolved(
        offset,
        `Fn::GetAtt ${logicalId}.${attribute}: no resource ${logicalId} in the template`,
      );
    this.present(resource, offset);
    const type = APPMESH_TYPES[resource.type];
    if (type) {
      const id = this.identity(resource);
      switch (attribute) {
        case 'Arn':
          return this.arnOf(resource, offset);
        case 'MeshName':
          return id.mesh;
        case type.nameProperty:
          return id.name;
        case type.parentProperty:
          return id.parent as string;
        case 'MeshOwner':
          return id.meshOwner ?? this.account(offset);
        case 'ResourceOwner':
          return this.account(offset);
        case 'Uid':
          throw new Unresolved(
            offset,
            `Fn::GetAtt ${logicalId}.Uid is assigned by App Mesh when the resource is created; pass --resolve ${logicalId}.Uid=VALUE`,
          );
        default:
          throw new Unresolved(
            offset,
            `Fn::GetAtt ${logicalId}.${attribute}: ${resource.type} has no attribute ${attribute} (it has ${attributesOf(type).join(', ')})`,
          );
      }
    }
    // Another service's resource: only a property written in the template is known offline.
    const property = child(resource.properties, attribute);
    if (property !== undefined) return this.string(property, `${logicalId}.${attribute}`);
    throw new Unresolved(
      offset,
      `Fn::GetAtt ${logicalId}.${attribute}: ${resource.type || 'the resource'} ${logicalId} gets it when CloudFormation creates it, and the template does not state it; pass --resolve ${logicalId}.${attribute}=VALUE`,
    );
  }

  private arnOf(resource: TemplateResource, offset: number): string {
    const id = this.identity(resource);
    const region = this.region(offset);
    const path = resourcePath(id.type.kind, id.mesh, id.name, id.parent);
    return arnOf(path, {
      region,
      account: id.meshOwner ?? this.account(offset),
      partition: partitionOf(region),
    });
  }

  /** A resource left out by its condition cannot be referred to (CloudFormation rejects the template). */
  private present(resource: TemplateResource, offset: number): void {
    if (resource.condition !== undefined && !this.condition(resource.condition, offset))
      throw new Unresolved(
        offset,
        `${resource.logicalId} is not created (its condition ${resource.condition} is false), so it cannot be referred to here`,
      );
  }

  private sub(arg: SNode, offset: number): Resolved {
    let text: string;
    let vars: SNode | undefined;
    if (arg.type === 'seq') {
      const [t, v] = this.args(arg, 2, 'Fn::Sub', offset);
      text = this.literal(t as SNode, 'the Fn::Sub string');
      vars = v;
    } else text = this.literal(arg, 'the Fn::Sub string');
    const out = substitute(text, (name) => {
      const local = child(vars, name);
      if (local !== undefined) return this.string(local, `Fn::Sub variable ${name}`);
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::'))
        return this.attribute(name.slice(0, dot), name.slice(dot + 1), offset);
      const v = this.ref(name, offset);
      if (v === NO_VALUE || v.type !== 'scalar')
        throw new Unresolved(offset, `\${${name}} in Fn::Sub is not a string`);
      return String(v.value);
    });
    if (typeof out !== 'string') throw new Unresolved(offset, `Fn::Sub: ${out.error}`);
    return scalar(out, offset);
  }

  private findInMap(arg: SNode, offset: number): Resolved {
    const node = arg.type === 'seq' ? arg : undefined;
    if (!node || node.items.length < 3)
      throw new Unresolved(offset, 'Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]');
    const [mapName, top, second] = node.items.slice(0, 3).map((n) => this.string(n, 'a Fn::FindInMap key'));
    const found = child(
      child(child(this.template.mappings, mapName as string), top as string),
      second as string,
    );
    if (found !== undefined) return this.resolve(found);
    const fallback = child(node.items[3], 'DefaultValue');
    if (fallback !== undefined) return this.resolve(fallback);
    throw new Unresolved(offset, `Fn::FindInMap: Mappings has no ${mapName}.${top}.${second}`);
  }

  private bool(node: SNode): boolean {
    const fn = intrinsicOf(node);
    if (fn) {
      switch (fn.name) {
        case 'Condition':
          return this.condition(this.literal(fn.arg, 'Condition'), node.offset);
        case 'Fn::Equals': {
          const [a, b] = this.args(fn.arg, 2, 'Fn::Equals', node.offset);
          return this.comparable(a as SNode) === this.comparable(b as SNode);
        }
        case 'Fn::Not':
          return !this.bool(this.args(fn.arg, 1, 'Fn::Not', node.offset)[0] as SNode);
        case 'Fn::And':
          return this.conditions(fn.arg, 'Fn::And', node.offset).every((c) => this.bool(c));
        case 'Fn::Or':
          return this.conditions(fn.arg, 'Fn::Or', node.offset).some((c) => this.bool(c));
        default: {
          const v = this.resolve(node);
          if (v !== NO_VALUE && v.type === 'scalar' && (v.value === true || v.value === 'true')) return true;
          if (v !== NO_VALUE && v.type === 'scalar' && (v.value === false || v.value === 'false'))
            return false;
        }
      }
    }
    if (node.type === 'scalar' && (node.value === true || node.value === 'true')) return true;
    if (node.type === 'scalar' && (node.value === false || node.value === 'false')) return false;
    throw new Unresolved(
      node.offset,
      'expected a condition (Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition)',
    );
  }

  private comparable(node: SNode): string {
    const v = this.resolve(node);
    return v === NO_VALUE
      ? ''
      : JSON.stringify(plain(v), (_k, x: unknown) => (typeof x === 'number' ? String(x) : x));
  }

  private conditions(arg: SNode, fn: string, offset: number): SNode[] {
    if (arg.type !== 'seq' || arg.items.length < 2 || arg.items.length > 10)
      throw new Unresolved(offset, `${fn} takes a list of 2 to 10 conditions`);
    return arg.items;
  }

  private args(arg: SNode, n: number, fn: string, offset: number): SNode[] {
    if (arg.type !== 'seq' || arg.items.length !== n)
      throw new Unresolved(offset, `${fn} takes a list of ${n} argument${n === 1 ? '' : 's'}`);
    return arg.items;
  }

  private list(node: SNode, fn: string): SNode[] {
    const v = this.resolve(node);
    if (v !== NO_VALUE && v.type === 'seq') return v.items;
    throw new Unresolved(node.offset, `${fn} expects a list here`);
  }

  /** A name written in the template itself (Ref's and Sub's argument may not be computed). */
  private literal(node: SNode, what: string): string {
    if (node.type === 'scalar' && node.value !== null) return String(node.value);
    throw new Unresolved(node.offset, `${what} must be written as a plain string`);
  }
}

/** The intrinsic a node is (`{Ref: x}`, `{"Fn::Sub": ...}`, `!Sub ...`), if any. */
export function intrinsicOf(node: SNode): { name: string; arg: SNode } | undefined {
  if (node.type === 'tagged') {
    const name = SHORT_FORMS[node.tag];
    return name ? { name, arg: node.value } : undefined;
  }
  if (node.type === 'map' && node.entries.size === 1) {
    const [key, e] = node.entries.entries().next().value as [string, { value: SNode }];
    if (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::')) return { name: key, arg: e.value };
  }
  return undefined;
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

function scalar(value: string | number | boolean, offset: number): SScalar {
  return { type: 'scalar', value, offset };
}

function list(items: SNode[], offset: number): SSeq {
  return { type: 'seq', items, offset };
}

function wrap(name: string, arg: SNode): Map<string, { key: string; keyOffset: number; value: SNode }> {
  return new Map([[name, { key: name, keyOffset: arg.offset, value: arg }]]);
}
