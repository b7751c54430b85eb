/** A group's IR → its Envoy resources (the kinds the IR covers so far). */
import type { GroupIR } from '../ir/types.js';
import type { Cluster, Listener, RouteConfiguration } from '../types.js';
import { cluster } from './cluster.js';
import { listener } from './listener.js';
import { routeConfig } from './route.js';

/** The xDS kinds emitted from the IR (the others are still built directly). */
export const EMITTED_KINDS = ['listeners', 'routes', 'clusters'] as const;

export function emitGroup(ir: GroupIR): {
  listeners: Listener[];
  routes: RouteConfiguration[];
  clusters: Cluster[];
} {
  return {
    listeners: ir.listeners.map(listener),
    routes: ir.routeConfigs.map(routeConfig),
    clusters: ir.clusters.map(cluster),
  };
}
