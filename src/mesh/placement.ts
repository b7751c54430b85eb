/**
 * The selection rules that place a resource (appmesh.md §2.2): which Mesh selects a
 * namespace, which VirtualGateway selects a gateway route. `buildMeshGraph` uses them
 * and adds the diagnostics; the process's live index of the store (src/api/catalog.ts)
 * uses them to answer the REST API between graph builds. One rule, so the API and xDS
 * never disagree about where a resource is.
 */
import type { AnyResource, GatewayRoute, Mesh, VirtualGateway } from '../model/index.js';
import { selectorMatches, selectorProblems, type Labels } from './selectors.js';

/** `spec.meshRef.name`, when the resource names its mesh (REST-created ones always do). */
export function meshRefName(resource: AnyResource): string | undefined {
  const ref = (resource.spec as { meshRef?: unknown } | undefined)?.meshRef;
  if (ref === null || typeof ref !== 'object') return undefined;
  const name = (ref as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/** Meshes whose namespaceSelector Kubernetes can parse: a broken selector selects nothing. */
export function usableMeshes<M>(meshes: readonly M[], mesh: (m: M) => Mesh): M[] {
  return meshes.filter((m) => selectorProblems(mesh(m).spec.namespaceSelector).length === 0);
}

/**
 * The usable Meshes that select a namespace with these labels; when the labels are
 * unknown (no Namespace object in the input), those with a namespaceSelector at all,
 * since any of them might. A namespace's resources belong to a mesh when exactly one
 * Mesh is returned.
 */
export function meshesSelecting<M>(
  usable: readonly M[],
  mesh: (m: M) => Mesh,
  labels: Labels | undefined,
): M[] {
  return usable.filter((m) => {
    const selector = mesh(m).spec.namespaceSelector;
    return labels ? selectorMatches(selector, labels, 'none') : selector !== undefined;
  });
}

/**
 * The VirtualGateways whose selectors select a gateway route in namespace `ns` (labels
 * `nsLabels`, undefined when unknown). With unknown labels any gateway with a
 * namespaceSelector might select it; among several, those in the route's own namespace
 * are preferred. A route without `virtualGatewayRef` attaches when exactly one is returned.
 */
export function gatewaysSelecting<G>(
  gateways: readonly G[],
  gateway: (g: G) => VirtualGateway,
  route: GatewayRoute,
  nsLabels: Labels | undefined,
): G[] {
  const labels = route.metadata.labels ?? {};
  const candidates = gateways.filter((g) => {
    const spec = gateway(g).spec;
    if (
      selectorProblems(spec.namespaceSelector).length > 0 ||
      selectorProblems(spec.gatewayRouteSelector).length > 0
    )
      return false;
    const nsOk = nsLabels
      ? selectorMatches(spec.namespaceSelector, nsLabels, 'none')
      : spec.namespaceSelector !== undefined;
    return nsOk && selectorMatches(spec.gatewayRouteSelector, labels, 'all');
  });
  if (nsLabels || candidates.length <= 1) return candidates;
  const local = candidates.filter((g) => gateway(g).metadata.namespace === route.metadata.namespace);
  return local.length > 0 ? local : candidates;
}
