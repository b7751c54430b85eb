/**
 * A source spec (CloudFormation `Spec`, Terraform `spec`, an API dump's `spec`) → the
 * App Mesh API spec, walking the model's API schema (`src/model/api-form/schema`) so
 * that schema is the only list of fields. The three sources spell fields differently:
 *
 * - API dumps: exactly as the API (`portMapping`).
 * - CloudFormation: PascalCase, some upper-cased (`PortMapping`, `TLS`, `DNS`,
 *   `AWSCloudMap`, `HTTP2`): matched ignoring case (the CloudFormation resource
 *   specification for AWS::AppMesh::*; every property name equals its API name but
 *   for case).
 * - Terraform (`terraform show -json` of hashicorp/aws `aws_appmesh_*`): snake_case,
 *   repeated blocks named in the singular (`listener`, `backend`, `header`,
 *   `weighted_target`, `query_parameter`), every nested block a list of at most one
 *   element, `attributes` a map, and unset optional attributes stored as `""` or `0`,
 *   which the provider does not send to App Mesh (internal/service/appmesh/flex.go:
 *   `ok && v != ""`, `ok && v > 0`; booleans are always sent).
 *
 * CloudFormation also converts scalars to the property's type (`"8080"` for an
 * integer, `true` for a string), as templates pass numbers through string parameters.
 */
import type { TSchema } from '@sinclair/typebox';
import { formatPath, type Path } from '../model/index.js';
import { describeType, type SNode } from './source.js';

export type NamingStyle = 'cloudformation' | 'terraform' | 'api';

export interface SpecProblem {
  severity: 'error' | 'warning';
  path: Path;
  offset: number;
  message: string;
}

export interface ConvertedSpec {
  value: Record<string, unknown>;
  problems: SpecProblem[];
  /** Offset of the source node behind an API path (its deepest converted ancestor). */
  offsetOf(path: Path): number;
}

type Schema = TSchema & {
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
};

const EMPTY = Symbol('empty block');

export function specFromSource(schema: TSchema, node: SNode, style: NamingStyle, at: Path): ConvertedSpec {
  const problems: SpecProblem[] = [];
  const offsets = new Map<string, number>();
  const walker = new Walker(style, problems, offsets);
  const converted = walker.convert(schema as Schema, node, [...at]);
  const value =
    converted !== undefined && converted !== EMPTY && typeof converted === 'object'
      ? (converted as Record<string, unknown>)
      : {};
  return {
    value,
    problems,
    offsetOf(path) {
      for (let n = path.length; n >= 0; n--) {
        const found = offsets.get(formatPath(path.slice(0, n)));
        if (found !== undefined) return found;
      }
      return node.offset;
    },
  };
}

class Walker {
  constructor(
    private readonly style: NamingStyle,
    private readonly problems: SpecProblem[],
    private readonly offsets: Map<string, number>,
  ) {}

  convert(schema: Schema, node: SNode, path: Array<string | number>): unknown {
    if (node.type === 'scalar' && node.value === null) return undefined;
    this.offsets.set(formatPath(path), node.offset);
    switch (schema.type) {
      case 'object':
        return this.object(schema, node, path);
      case 'array':
        return this.array(schema, node, path);
      case 'integer':
      case 'number':
        return this.number(schema, node, path);
      case 'boolean':
        return this.boolean(node, path);
      case 'string':
        return this.string(node, path);
      default:
        return this.problem(node, path, `has no importable form`);
    }
  }

  private object(schema: Schema, node: SNode, path: Array<string | number>): unknown {
    let source = node;
    if (this.style === 'terraform' && source.type === 'seq') {
      if (source.items.length === 0) return EMPTY;
      if (source.items.length > 1)
        return this.problem(source, path, `holds ${source.items.length} blocks; App Mesh takes one`);
      source = source.items[0] as SNode;
    }
    if (source.type !== 'map')
      return this.problem(source, path, `expected a mapping, got ${describeType(source)}`);
    const props = schema.properties ?? {};
    const required = new Set(schema.required ?? []);
    const byKey = new Map<string, string>();
    for (const name of Object.keys(props)) byKey.set(this.normal(name), name);
    if (this.style === 'terraform') {
      for (const name of Object.keys(props)) {
        const singular = this.normal(name.slice(0, -1));
        if (name.endsWith('s') && !byKey.has(singular)) byKey.set(singular, name);
      }
    }
    const given = new Map<string, unknown>();
    for (const [key, e] of source.entries) {
      const name = byKey.get(this.normal(key));
      // The provider's schema has a few attributes App Mesh lacks (grpc_route.match.prefix);
      // left unset ("", 0, no block) they say nothing, so nothing is lost.
      if (name === undefined && this.style === 'terraform' && unsetInTerraform(e.value)) continue;
      if (name === undefined) {
        this.problems.push({
          severity: this.style === 'cloudformation' ? 'error' : 'warning',
          path: [...path, key],
          offset: e.keyOffset,
          message:
            this.style === 'cloudformation'
              ? `unknown property ${key}: App Mesh has no such field here (expected one of ${Object.keys(props).join(', ')}, in any letter case)`
              : `${key} has no App Mesh API field (expected one of ${Object.keys(props).join(', ')}); it is left out`,
        });
        continue;
      }
      const propPath = [...path, name];
      this.offsets.set(formatPath(propPath), e.keyOffset);
      const value = this.convert(props[name] as Schema, e.value, propPath);
      if (value === EMPTY) {
        if (required.has(name)) given.set(name, {});
        continue;
      }
      if (value === undefined) continue;
      if (this.style === 'terraform' && !required.has(name) && (value === '' || value === 0)) continue;
      given.set(name, value);
    }
    // The schema's order, whatever the source's: the same mesh gives the same output from any source.
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(props)) if (given.has(name)) out[name] = given.get(name);
    return out;
  }

  private array(schema: Schema, node: SNode, path: Array<string | number>): unknown {
    const items = schema.items as Schema;
    if (
      node.type === 'map' &&
      this.style === 'terraform' &&
      items.properties?.key &&
      items.properties.value
    ) {
      return [...node.entries.values()].map((e) => ({ key: e.key, value: this.string(e.value, path) }));
    }
    if (node.type !== 'seq') return this.problem(node, path, `expected a list, got ${describeType(node)}`);
    const out: unknown[] = [];
    node.items.forEach((item, i) => {
      const value = this.convert(items, item, [...path, i]);
      if (value !== undefined && value !== EMPTY) out.push(value);
    });
    if (this.style === 'terraform' && out.length === 0) return undefined;
    return out;
  }

  private number(schema: Schema, node: SNode, path: Array<string | number>): unknown {
    if (node.type === 'scalar') {
      const v = node.value;
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && this.style !== 'api' && /^-?\d+(\.\d+)?$/.test(v.trim()))
        return Number(v.trim());
    }
    return this.problem(
      node,
      path,
      `expected ${schema.type === 'integer' ? 'an integer' : 'a number'}, got ${show(node)}`,
    );
  }

  private boolean(node: SNode, path: Array<string | number>): unknown {
    if (node.type === 'scalar') {
      const v = node.value;
      if (typeof v === 'boolean') return v;
      if (this.style !== 'api' && (v === 'true' || v === 'false')) return v === 'true';
    }
    return this.problem(node, path, `expected true or false, got ${show(node)}`);
  }

  private string(node: SNode, path: Array<string | number>): unknown {
    if (node.type === 'scalar') {
      const v = node.value;
      if (typeof v === 'string') return v;
      if (this.style !== 'api' && (typeof v === 'number' || typeof v === 'boolean')) return String(v);
    }
    return this.problem(node, path, `expected a string, got ${show(node)}`);
  }

  private problem(node: SNode, path: Array<string | number>, message: string): undefined {
    this.problems.push({ severity: 'error', path: [...path], offset: node.offset, message });
    return undefined;
  }

  private normal(key: string): string {
    return this.style === 'api' ? key : key.toLowerCase().replace(/_/g, '');
  }
}

function show(node: SNode): string {
  return node.type === 'scalar' ? JSON.stringify(node.value) : describeType(node);
}

/** How `terraform show -json` writes an attribute or block that was not set. */
function unsetInTerraform(node: SNode): boolean {
  if (node.type === 'scalar') return node.value === null || node.value === '' || node.value === 0;
  return node.type === 'seq' && node.items.length === 0;
}
