/** A group's IR → its Envoy resources (the kinds the IR covers so far). */
import type { GroupIR } from '../ir/types.js';
import type { Cluster, RouteConfiguration } from '../types.js';
import { cluster } from './cluster.js';
import { routeConfig } from './route.js';

/** The xDS kinds emitted from the IR (the others are still built directly). */
export const EMITTED_KINDS = ['routes', 'clusters'] as const;

export function emitGroup(ir: GroupIR): { routes: RouteConfiguration[]; clusters: Cluster[] } {
  return { routes: ir.routeConfigs.map(routeConfig), clusters: ir.clusters.map(cluster) };
}
