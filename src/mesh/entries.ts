/** Turns the input into working entries: one per resource, keyed by Kubernetes identity. */
import type { AnyResource, ResourceId } from '../model/index.js';
import { awsNameOf, isKind, isNamespaced } from '../model/index.js';
import type { BuildContext} from './context.js';
import { keyOf, relatedAt, type Entry } from './context.js';
import type { GraphInput } from './graph.js';

export function indexInput(ctx: BuildContext, input: GraphInput): void {
  for (const ns of asArray(input.namespaces)) {
    if (ns && typeof ns.name === 'string' && !ctx.namespaces.has(ns.name)) {
      ctx.namespaces.set(ns.name, { ...ns, labels: isRecord(ns.labels) ? ns.labels : {} });
    }
  }
  for (const inv of asArray(input.invalid)) {
    if (inv && inv.id && typeof inv.id.name === 'string') {
      ctx.invalidInputs.set(keyOf(String(inv.id.kind), inv.id.namespace, inv.id.name), inv);
    }
  }
  asArray(input.resources).forEach((item, index) => {
    const resource = item?.resource as AnyResource | undefined;
    const id = idOf(resource);
    if (!resource || !id) {
      ctx.errorAt(
        { id: { kind: String((resource as { kind?: unknown } | undefined)?.kind ?? 'Unknown'), name: `#${index}` }, ...(item?.locate ? { locate: item.locate } : {}) },
        [],
        'graph.malformed-input',
        'not an App Mesh resource the graph can use (it needs a known kind, metadata.name and a spec mapping); run it through checkObject first',
      );
      return;
    }
    const key = keyOf(id.kind, id.namespace, id.name);
    const entry: Entry = {
      index,
      resource,
      kind: resource.kind,
      id,
      key,
      awsName: awsNameOf(resource),
      waitsFor: [],
      ...(item.locate ? { locate: item.locate } : {}),
    };
    const first = ctx.byKey.get(key);
    if (first) {
      ctx.errorAt(
        entry,
        ['metadata', 'name'],
        'resource.duplicate',
        `${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name} is defined more than once; only the first definition is used`,
        [relatedAt(first, ['metadata', 'name'], 'first defined here')],
      );
      return;
    }
    ctx.byKey.set(key, entry);
    ctx.entries.push(entry);
  });
}

function idOf(resource: AnyResource | undefined): ResourceId | undefined {
  if (!isRecord(resource) || !isKind(resource.kind) || !isRecord(resource.metadata) || !isRecord(resource.spec)) return undefined;
  const { name, namespace } = resource.metadata;
  if (typeof name !== 'string' || name === '') return undefined;
  if (isNamespaced(resource.kind) && typeof namespace === 'string' && namespace !== '') return { kind: resource.kind, namespace, name };
  return { kind: resource.kind, name };
}

function isRecord(v: unknown): v is Record<string, never> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function asArray<T>(v: ReadonlyArray<T> | undefined): ReadonlyArray<T> {
  return Array.isArray(v) ? v : [];
}

