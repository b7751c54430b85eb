/**
 * Turns the input into working entries: one per resource, keyed by Kubernetes identity,
 * or for namespace-less (App Mesh API form) resources by mesh (and gateway) and name.
 */
import type { AnyResource, ResourceId } from '../model/index.js';
import { awsNameOf, isKind, isNamespaced } from '../model/index.js';
import type { BuildContext, NameScope } from './context.js';
import { keyOf, relatedAt, type ResourceEntry } from './context.js';
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
        {
          id: {
            kind: String((resource as { kind?: unknown } | undefined)?.kind ?? 'Unknown'),
            name: `#${index}`,
          },
          ...(item?.locate ? { locate: item.locate } : {}),
        },
        [],
        'graph.malformed-input',
        'not an App Mesh resource the graph can use (it needs a known kind, metadata.name and a spec mapping); run it through checkObject first',
      );
      return;
    }
    const scope = scopeOf(resource, id);
    const key = keyOf(id.kind, id.namespace, id.name, scope);
    const entry: ResourceEntry = {
      index,
      resource,
      kind: resource.kind,
      id,
      key,
      ...(scope ? { scope } : {}),
      awsName: awsNameOf(resource),
      waitsFor: [],
      ...(item.locate ? { locate: item.locate } : {}),
    };
    if (item.schemaErrors) {
      entry.probe = { removed: [...(item.schemaErrors.removed ?? [])] };
      ctx.probes.push(entry);
      return;
    }
    const first = ctx.byKey.get(key);
    if (first) {
      ctx.errorAt(
        entry,
        ['metadata', 'name'],
        'resource.duplicate',
        `${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name}${scope ? ` ${describeScope(scope)}` : ''} is defined more than once; only the first definition is used`,
        [relatedAt(first, ['metadata', 'name'], 'first defined here')],
      );
      return;
    }
    ctx.byKey.set(key, entry);
    ctx.entries.push(entry);
  });
}

function idOf(resource: AnyResource | undefined): ResourceId | undefined {
  if (
    !isRecord(resource) ||
    !isKind(resource.kind) ||
    !isRecord(resource.metadata) ||
    !isRecord(resource.spec)
  )
    return undefined;
  const { name, namespace } = resource.metadata;
  if (typeof name !== 'string' || name === '') return undefined;
  if (isNamespaced(resource.kind) && typeof namespace === 'string' && namespace !== '')
    return { kind: resource.kind, namespace, name };
  return { kind: resource.kind, name };
}

/**
 * App Mesh names are unique only within a mesh (gateway routes: within their gateway),
 * so a resource without a namespace is identified within the mesh it names. Kubernetes
 * resources keep their namespace as scope; a namespace-less one without meshRef has no
 * scope (membership reports that).
 */
function scopeOf(resource: AnyResource, id: ResourceId): NameScope | undefined {
  if (id.namespace !== undefined || resource.kind === 'Mesh') return undefined;
  const spec = resource.spec as { meshRef?: unknown; virtualGatewayRef?: unknown };
  const mesh = refName(spec.meshRef);
  if (mesh === undefined) return undefined;
  if (resource.kind !== 'GatewayRoute') return { mesh };
  const gateway = refName(spec.virtualGatewayRef);
  if (gateway === undefined) return { mesh };
  const ns = (spec.virtualGatewayRef as { namespace?: unknown }).namespace;
  return {
    mesh,
    gateway: { name: gateway, ...(typeof ns === 'string' && ns !== '' ? { namespace: ns } : {}) },
  };
}

function refName(ref: unknown): string | undefined {
  const name = isRecord(ref) ? (ref as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function describeScope(scope: NameScope): string {
  const gw = scope.gateway;
  return gw
    ? `on VirtualGateway ${gw.namespace ? `${gw.namespace}/` : ''}${gw.name} in mesh ${scope.mesh}`
    : `in mesh ${scope.mesh}`;
}

function isRecord(v: unknown): v is Record<string, never> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function asArray<T>(v: ReadonlyArray<T> | undefined): ReadonlyArray<T> {
  return Array.isArray(v) ? v : [];
}
