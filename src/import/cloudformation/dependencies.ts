/**
 * The dependencies between a template's resources, as CloudFormation orders them: every
 * `Ref`, `Fn::GetAtt` and `${X}` / `${X.Attr}` of `Fn::Sub` in a resource's Properties,
 * and its `DependsOn`. CloudFormation refuses a template whose resources depend on each
 * other in a circle ("Circular dependency between resources"), so the import does too,
 * rather than making up values no stack ever had.
 */
import { child, type SNode } from '../source.js';
import { intrinsicOf } from './evaluate.js';
import type { Template } from './template.js';

/** The logical IDs of the template's resources that `node` refers to. */
export function referencedResources(
  node: SNode | undefined,
  template: Template,
  out = new Set<string>(),
): Set<string> {
  if (node === undefined) return out;
  const intrinsic = intrinsicOf(node);
  if (intrinsic) {
    const { name, arg } = intrinsic;
    if (name === 'Ref' && arg.type === 'scalar') add(String(arg.value), template, out);
    else if (name === 'Fn::GetAtt') {
      const target = arg.type === 'scalar' ? String(arg.value).split('.')[0] : first(arg);
      if (target !== undefined) add(target, template, out);
    } else if (name === 'Fn::Sub') {
      const text = arg.type === 'seq' ? arg.items[0] : arg;
      if (text?.type === 'scalar' && typeof text.value === 'string') {
        const locals = arg.type === 'seq' ? arg.items[1] : undefined;
        for (const m of text.value.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const id = (m[1] as string).trim().split('.')[0] as string;
          if (child(locals, id) === undefined) add(id, template, out);
        }
      }
    }
  }
  if (node.type === 'map') for (const e of node.entries.values()) referencedResources(e.value, template, out);
  else if (node.type === 'seq') for (const item of node.items) referencedResources(item, template, out);
  else if (node.type === 'tagged') referencedResources(node.value, template, out);
  return out;
}

function first(arg: SNode): string | undefined {
  const head = arg.type === 'seq' ? arg.items[0] : undefined;
  return head?.type === 'scalar' && head.value !== null ? String(head.value) : undefined;
}

function add(id: string, template: Template, out: Set<string>): void {
  if (template.resources.has(id)) out.add(id);
}

/**
 * Every circle of dependencies that goes through one of `roots` (App Mesh resources),
 * each as the logical IDs along it, starting and ending at the same one.
 */
export function dependencyCycles(template: Template, roots: readonly string[]): string[][] {
  const edges = new Map<string, string[]>();
  const depsOf = (id: string): string[] => {
    let deps = edges.get(id);
    if (deps === undefined) {
      const r = template.resources.get(id);
      const found = referencedResources(r?.properties, template);
      for (const d of r?.dependsOn ?? []) if (template.resources.has(d)) found.add(d);
      deps = [...found];
      edges.set(id, deps);
    }
    return deps;
  };
  const cycles: string[][] = [];
  const done = new Set<string>();
  const onPath = new Map<string, number>();
  const path: string[] = [];
  // Depth-first from each root; a resource met again while still on the path closes a circle.
  const visit = (id: string): void => {
    onPath.set(id, path.length);
    path.push(id);
    for (const dep of depsOf(id)) {
      const at = onPath.get(dep);
      if (at !== undefined) cycles.push([...path.slice(at), dep]);
      else if (!done.has(dep)) visit(dep);
    }
    path.pop();
    onPath.delete(id);
    done.add(id);
  };
  for (const root of roots) if (!done.has(root)) visit(root);
  return cycles;
}
