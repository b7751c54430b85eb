/** A group's IR → its Envoy resources (the kinds the IR covers so far). */
import type { GroupIR } from '../ir/types.js';
import type { Cluster, Listener, RouteConfiguration } from '../types.js';
import { cluster } from './cluster.js';
import { listener } from './listener.js';
import { routeConfig } from './route.js';
import type { EmitMemo } from './memo.js';

/** The xDS kinds emitted from the IR (the others are still built directly). */
export const EMITTED_KINDS = ['listeners', 'routes', 'clusters'] as const;

/** With a memo, a resource whose IR has the content of one emitted before is that same object. */
export function emitGroup(
  ir: GroupIR,
  memo?: EmitMemo,
): {
  listeners: Listener[];
  routes: RouteConfiguration[];
  clusters: Cluster[];
} {
  if (!memo)
    return {
      listeners: ir.listeners.map(listener),
      routes: ir.routeConfigs.map(routeConfig),
      clusters: ir.clusters.map(cluster),
    };
  return {
    listeners: ir.listeners.map((l) => memo.emit('listener', l, listener)),
    routes: ir.routeConfigs.map((r) => memo.emit('route', r, routeConfig)),
    clusters: ir.clusters.map((c) => memo.emit('cluster', c, cluster)),
  };
}
