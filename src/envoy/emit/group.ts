/** A group's IR → its Envoy resources. */
import type { GroupIR } from '../ir/types.js';
import type { AssignmentEntry, EnvoyResources } from '../context.js';
import type { Cluster } from '../types.js';
import { assignment } from './assignment.js';
import { cluster } from './cluster.js';
import { listener } from './listener.js';
import { routeConfig } from './route.js';
import type { EmitMemo } from './memo.js';
import { secret } from './secret.js';

/**
 * What the translation emitted already (shared units' objects, emitted once for all
 * their groups): the Envoy cluster of each of `ir.clusters` where known, and the
 * assignments (`ir.assignments`, in order) with theirs.
 */
export interface Emitted {
  clusters: ReadonlyArray<Cluster | undefined>;
  assignments?: readonly AssignmentEntry[];
}

/**
 * With a memo, a listener whose IR has the content of one emitted before (for any
 * group), and a route configuration or cluster equal to the one of its name that `group`
 * was emitted with last, are those same objects. Assignments and secrets are not looked
 * up by content: they change with endpoints and certificates, and the ones shared units
 * add are one object already.
 */
export function emitGroup(
  ir: GroupIR,
  memo?: EmitMemo,
  group = '',
  emitted: Emitted = { clusters: [] },
): EnvoyResources {
  const rest = {
    endpoints:
      emitted.assignments !== undefined
        ? emitted.assignments.map((e) => (e.emitted ??= assignment(e.ir)))
        : ir.assignments.map(assignment),
    secrets: ir.secrets.map(secret),
  };
  if (!memo)
    return {
      listeners: ir.listeners.map(listener),
      routes: ir.routeConfigs.map(routeConfig),
      clusters: ir.clusters.map(cluster),
      ...rest,
    };
  return memo.emitOwn(group, (own) => ({
    listeners: ir.listeners.map((l) => memo.emit('listener', l, listener)),
    routes: ir.routeConfigs.map((r) => own('route', r.name, r, routeConfig)),
    clusters: ir.clusters.map((c, i) => emitted.clusters[i] ?? own('cluster', c.name, c, cluster)),
    ...rest,
  }));
}
