/**
 * Translation entry points: one proxy group of a mesh graph → its Envoy resources
 * (`translateGroup`), and resources → encoded bytes per type URL for the xDS cache
 * (`encodeResources`). Pure: the same graph, endpoints and options give the same
 * objects and the same bytes.
 */
import type { MeshGraph } from '../mesh/index.js';
import { encodePlainParts } from './encode-plain.js';
import {
  NamedBytes,
  XDS_KINDS,
  XDS_TYPE_NAME,
  XDS_TYPE_URL,
  joinBytes,
  resourceNameOf,
  type EncodedBytes,
} from '../proto/index.js';
import {
  Collector,
  collectorTables,
  isNamedOnce,
  type EdsTarget,
  type EnvoyResources,
  type TranslateContext,
} from './context.js';
import type { EndpointSource } from './endpoints.js';
import type { TranslateOptions } from './options.js';
import { parseGroupKey, type ProxyGroup } from './groups.js';
import { depKey } from './lookup.js';
import { sameList } from './fingerprint.js';
import { sidecarIngress } from './listener-ingress.js';
import { sidecarEgress } from './listener-egress.js';
import { proxylessEgress } from './proxyless.js';
import { gatewayResources } from './gateway.js';
import { meshSwitchProblems, originatesMeshMtls } from './tls.js';
import { defaultRetrySetting } from './default-retry.js';

import type { GroupIR } from './ir/types.js';
import type { EmitMemo } from './emit/memo.js';

export type { EnvoyResources } from './context.js';

export interface GroupTranslation {
  /** What the group is served, as the IR (src/envoy/ir/types.ts); `resources` are emitted from it. */
  ir: GroupIR;
  resources: EnvoyResources;
  /** Dependency keys the group read directly (see lookup.ts `depKey`), for incremental re-translation. */
  deps: ReadonlySet<string>;
  /** Top-level shared units the group used (memo keys) with the dependency keys each read, transitively. */
  units: ReadonlyMap<string, readonly string[]>;
  /** The group's EDS clusters and their endpoint inputs. */
  eds: ReadonlyArray<EdsTarget>;
  /** SDS secrets (over ADS) whose content Amime's CA supplies: the group's certificate, the trust bundle. */
  caSecrets: ReadonlyArray<string>;
  warnings: ReadonlyArray<string>;
}

export class UnknownGroupError extends Error {
  constructor(readonly groupKey: string) {
    super(`no proxy group ${groupKey}`);
  }
}

/** What translations of several groups share (all optional: a lone translation needs none). */
export interface TranslateMemos {
  /**
   * Shared units (context.ts `shared`): shared by the groups of one run (same graph,
   * endpoints and options) so that equal resources are one object, encoded once; the
   * Translator also keeps them across runs, dropping what changed.
   */
  units?: Map<string, unknown>;
  /** Values for one run only (context.ts `once`). */
  run?: Map<string, unknown>;
  /** Gives a resource whose IR content was emitted before that same object. */
  emit?: EmitMemo;
  /** Units the Translator dropped in this update: a rebuilt unit keeps their objects where equal. */
  dropped?: ReadonlyMap<string, unknown>;
}

/** Translates one group. */
export function translateGroupDetailed(
  graph: MeshGraph,
  group: Pick<ProxyGroup, 'key' | 'mesh' | 'kind' | 'name' | 'flavour'>,
  endpoints: EndpointSource,
  options: TranslateOptions = {},
  memos: TranslateMemos = {},
): GroupTranslation {
  const view = graph.meshes.get(group.mesh);
  if (!view || view.mesh.inactive) throw new UnknownGroupError(group.key);
  const warnings: string[] = [];
  const runMemo = memos.run ?? new Map<string, unknown>();
  const units = memos.units ?? new Map<string, unknown>();
  const ctx: TranslateContext = {
    view,
    mesh: group.mesh,
    groupKey: group.key,
    flavour: group.flavour,
    unitScope: '',
    options,
    endpoints,
    memo: units,
    runMemo,
    dropped: memos.dropped,
    deps: new Set([depKey.mesh()]),
    units: new Map(),
    children: new Set(),
    depth: 0,
    out: new Collector(collectorTables(units, true), 0),
    warn: (message) => {
      if (warnings.includes(message)) return; // e.g. once per path variant of one gateway route
      warnings.push(message);
      options.onWarning?.({ group: group.key, message });
    },
  };
  for (const problem of meshSwitchProblems(ctx)) ctx.warn(problem);
  const retrySetting = defaultRetrySetting(ctx.view.mesh);
  if (retrySetting.problem) ctx.warn(retrySetting.problem);
  // Clusters built for this caller carry its own certificate, and so does whatever unit contains them.
  if (originatesMeshMtls(ctx)) ctx.unitScope = `${group.key}|`;
  if (group.kind === 'virtualNode') {
    ctx.deps.add(depKey.node(group.name));
    const node = view.virtualNodes.get(group.name);
    if (!node || node.inactive) throw new UnknownGroupError(group.key);
    if (group.flavour === 'grpc') proxylessEgress(ctx, node);
    else {
      sidecarIngress(ctx, node);
      sidecarEgress(ctx, {
        backends: node.backends,
        backendDefaults: node.resource.spec.backendDefaults?.clientPolicy,
        logging: node.resource.spec.logging,
      });
    }
  } else {
    ctx.deps.add(depKey.gateway(group.name));
    const vg = view.virtualGateways.get(group.name);
    if (!vg || vg.inactive) throw new UnknownGroupError(group.key);
    gatewayResources(ctx, vg);
  }
  const ir = ctx.out.ir();
  return {
    ir,
    resources: ctx.out.finish(ir, memos.emit, group.key),
    deps: ctx.deps,
    units: ctx.units,
    eds: ctx.out.edsTargets(),
    caSecrets: [...ctx.out.caSecrets].sort(),
    warnings,
  };
}

/** The Envoy resources of the group `groupKey` (node id, full ARN, or `<node id>#grpc`). */
export function translateGroup(
  graph: MeshGraph,
  groupKey: string,
  endpoints: EndpointSource,
  options: TranslateOptions = {},
): EnvoyResources {
  const group = parseGroupKey(groupKey);
  if (!group) throw new UnknownGroupError(groupKey);
  return translateGroupDetailed(graph, group, endpoints, options).resources;
}

/**
 * Encoded resources: type URL → resource name → bytes, whole or in parts (a route
 * configuration's shared virtual hosts are not copied into it: proto/bytes.ts). A list
 * translation collected by name is a NamedBytes (two arrays), any other a Map.
 */
export type EncodedResources = Record<string, ReadonlyMap<string, EncodedBytes>>;

// Resources shared between groups are one object; encode each once.
const encoded = new WeakMap<object, EncodedBytes>();

/** A resource's bytes as served: in parts where it holds large shared sub-messages. */
export function encodeServed(kind: (typeof XDS_KINDS)[number], resource: object): EncodedBytes {
  const hit = encoded.get(resource);
  if (hit) return hit;
  const bytes = encodePlainParts(XDS_TYPE_NAME[kind], resource);
  encoded.set(resource, bytes);
  return bytes;
}

/** A resource's bytes in one piece. */
export function encodeOne(kind: (typeof XDS_KINDS)[number], resource: object): Uint8Array {
  return joinBytes(encodeServed(kind, resource));
}

/**
 * Cluster name → the ClusterLoadAssignment it reads over EDS
 * (`eds_cluster_config.service_name`, else its own name); clusters of other
 * discovery types are left out. The xDS cache folds a cluster's version into
 * those endpoints, so a changed cluster re-sends them.
 */
export function edsServiceNames(res: EnvoyResources): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of res.clusters) {
    if (!c.name || (c.type !== 'EDS' && !c.eds_cluster_config)) continue;
    out.set(c.name, c.eds_cluster_config?.service_name || c.name);
  }
  return out;
}

/** A group's resources and what `encodeResources` made of them. */
export interface EncodedGroup {
  resources: EnvoyResources;
  encoded: EncodedResources;
}

/**
 * `previous`: the group's last resources and their encoding. A kind whose resources are
 * the very same objects in the same order (the Translator keeps unchanged ones) keeps
 * its map: a route change re-translates every caller's route configuration, but leaves
 * its ~200 clusters and assignments as they were, and the cache recognises the map.
 */
export function encodeResources(res: EnvoyResources, previous?: EncodedGroup): EncodedResources {
  const out: EncodedResources = {};
  for (const kind of XDS_KINDS) {
    const typeUrl = XDS_TYPE_URL[kind];
    const kept = previous?.encoded[typeUrl];
    if (kept && previous && sameList<object>(previous.resources[kind], res[kind], isSameObject)) {
      out[typeUrl] = kept;
      continue;
    }
    out[typeUrl] = encodeList(kind, res[kind]);
  }
  return out;
}

const isSameObject = (a: object, b: object): boolean => a === b;

function encodeList(
  kind: (typeof XDS_KINDS)[number],
  list: readonly object[],
): ReadonlyMap<string, EncodedBytes> {
  if (isNamedOnce(list)) {
    const names = new Array<string>(list.length);
    const bytes = new Array<EncodedBytes>(list.length);
    for (let i = 0; i < list.length; i++) {
      const r = list[i]!;
      names[i] = resourceNameOf(kind, r);
      bytes[i] = encodeServed(kind, r);
    }
    return new NamedBytes(names, bytes);
  }
  // A list of any other origin may hold a name twice: a Map keeps the last one (in the first one's place).
  const map = new Map<string, EncodedBytes>();
  for (const r of list) map.set(resourceNameOf(kind, r), encodeServed(kind, r));
  return map;
}
