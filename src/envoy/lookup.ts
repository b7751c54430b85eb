/**
 * Reads of the mesh graph made during a group's translation. Each read records a
 * dependency key, so the incremental Translator knows which groups a change touches.
 * Inactive resources read as absent: App Mesh serves only ACTIVE objects.
 */
import type { ResolvedVirtualNode, ResolvedVirtualRouter, ResolvedVirtualService } from '../mesh/index.js';
import type { PortProtocol } from '../model/index.js';
import type { TranslateContext } from './context.js';

/**
 * `prefix + name`, the same string object for the same name: a full translation records
 * ~250,000 reads in sets and maps, and a string built afresh is hashed afresh each time.
 * Bounded: names of deleted resources must not pile up in a long-running server.
 */
function keysWith(prefix: string): (name: string) => string {
  const keys = new Map<string, string>();
  return (name) => {
    let key = keys.get(name);
    if (key === undefined) {
      if (keys.size >= INTERNED_MAX) keys.clear();
      keys.set(name, (key = `${prefix}${name}`));
    }
    return key;
  };
}
const INTERNED_MAX = 100_000;

/** Dependency keys: `<Kind>/<awsName>` for graph entries, plus endpoint and DNS inputs. */
export const depKey = {
  mesh: (): string => 'Mesh',
  node: keysWith('VirtualNode/'),
  service: keysWith('VirtualService/'),
  router: keysWith('VirtualRouter/'),
  gateway: keysWith('VirtualGateway/'),
  endpoints: keysWith('endpoints/'),
  /** The namespaces the mesh's nodes and gateways live in (the mesh switch's peer SANs read them). */
  meshNamespaces: (): string => 'MeshNamespaces',
  /** Whether the EndpointSource knew the node when read: the two values are two keys, so a flip finds the readers of the old one. */
  endpointsKnown: (node: string, known: boolean): string => (known ? knownKey(node) : unknownKey(node)),
};
const knownKey = keysWith('endpoints-known/');
const unknownKey = keysWith('endpoints-unknown/');

export function activeService(ctx: TranslateContext, name: string): ResolvedVirtualService | undefined {
  ctx.deps.add(depKey.service(name));
  const vs = ctx.view.virtualServices.get(name);
  return vs && !vs.inactive ? vs : undefined;
}

export function readNode(ctx: TranslateContext, node: ResolvedVirtualNode): ResolvedVirtualNode | undefined {
  ctx.deps.add(depKey.node(node.awsName));
  return node.inactive ? undefined : node;
}

export function readRouter(
  ctx: TranslateContext,
  router: ResolvedVirtualRouter,
): ResolvedVirtualRouter | undefined {
  ctx.deps.add(depKey.router(router.awsName));
  return router.inactive ? undefined : router;
}

export type ActiveProvider =
  | { kind: 'virtualNode'; node: ResolvedVirtualNode }
  | { kind: 'virtualRouter'; router: ResolvedVirtualRouter };

/** The service's provider if it and the provider are active. */
export function providerOf(ctx: TranslateContext, vs: ResolvedVirtualService): ActiveProvider | undefined {
  const p = vs.provider;
  if (!p) return undefined;
  if (p.kind === 'virtualNode') {
    const node = readNode(ctx, p.node);
    return node ? { kind: 'virtualNode', node } : undefined;
  }
  const router = readRouter(ctx, p.router);
  return router ? { kind: 'virtualRouter', router } : undefined;
}

export interface ServicePort {
  port: number;
  protocol: PortProtocol;
}

/** Ports a service answers on: its router's listeners, or its provider node's listeners. */
export function servicePorts(ctx: TranslateContext, vs: ResolvedVirtualService): ServicePort[] {
  const provider = providerOf(ctx, vs);
  if (!provider) return [];
  const listeners =
    (provider.kind === 'virtualRouter'
      ? provider.router.resource.spec.listeners
      : provider.node.resource.spec.listeners) ?? [];
  const seen = new Set<number>();
  const out: ServicePort[] = [];
  for (const l of listeners) {
    if (seen.has(l.portMapping.port)) continue;
    seen.add(l.portMapping.port);
    out.push({ port: l.portMapping.port, protocol: l.portMapping.protocol });
  }
  return out;
}
