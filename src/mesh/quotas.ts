/**
 * App Mesh's service quotas (appmesh.md §5) and Amime's listener limits, with the
 * defaults in graph.ts and overrides from Amime's configuration. Going past one is
 * reported once, at the first resource over the limit; every resource past it is
 * refused (inactive). The REST API answers these with LimitExceededException.
 */
import type { Path, VirtualNode } from '../model/index.js';
import type { BuildContext } from './context.js';
import { relatedAt, type ResourceEntry } from './context.js';
import type { Quotas } from './graph.js';
import { routeTypeOf } from './rules-virtual-router.js';

export interface QuotaInfo {
  /** App Mesh's name for it (Amime's, for its own limits). */
  title: string;
  /** Service Quotas code; none for Amime's own limits. */
  code?: string;
  adjustable: boolean;
}

export const QUOTA_INFO: Readonly<Record<keyof Quotas, QuotaInfo>> = {
  meshes: { title: 'Meshes per account', code: 'L-AC861A39', adjustable: true },
  virtualNodesPerMesh: { title: 'Virtual nodes per mesh', code: 'L-E043DFB4', adjustable: true },
  virtualRoutersPerMesh: { title: 'Virtual routers per mesh', code: 'L-50F6C35A', adjustable: true },
  virtualServicesPerMesh: { title: 'Virtual services per mesh', code: 'L-DA7495A7', adjustable: true },
  virtualGatewaysPerMesh: { title: 'Virtual gateways per mesh', code: 'L-87E74146', adjustable: true },
  routesPerVirtualRouter: { title: 'Routes per virtual router', code: 'L-BB90B7FF', adjustable: true },
  gatewayRoutesPerVirtualGateway: {
    title: 'Gateway routes per virtual gateway',
    code: 'L-F6F26D09',
    adjustable: true,
  },
  backendsPerVirtualNode: { title: 'Backends per virtual node', code: 'L-8775AB18', adjustable: true },
  weightedTargetsPerRoute: { title: 'Weighted targets per route', code: 'L-AE1D9567', adjustable: false },
  listenersPerVirtualNode: { title: 'Listeners per virtual node', adjustable: true },
  listenersPerVirtualRouter: { title: 'Listeners per virtual router', adjustable: true },
  listenersPerVirtualGateway: { title: 'Listeners per virtual gateway', adjustable: true },
};

/** `"Virtual nodes per mesh" (L-E043DFB4)`, or for Amime's own limits a note saying so. */
export function describeQuota(q: keyof Quotas): string {
  const { title, code } = QUOTA_INFO[q];
  return `"${title}" (${code ?? 'an Amime limit: App Mesh published none'})`;
}

export const QUOTA_NAMES = Object.keys(QUOTA_INFO) as Array<keyof Quotas>;

/** Accepts Amime's quota names and App Mesh's Service Quotas codes (`L-E043DFB4`). */
export function quotaNameOf(nameOrCode: string): keyof Quotas | undefined {
  const lower = nameOrCode.toLowerCase();
  return QUOTA_NAMES.find((q) => q.toLowerCase() === lower || QUOTA_INFO[q].code?.toLowerCase() === lower);
}

function howToRaise(q: keyof Quotas, needed: number): string {
  return `raise it in Amime's configuration (quotas.${q}: ${needed}) or with \`amime validate --quota ${q}=${needed}\``;
}

function exceeded(
  ctx: BuildContext,
  q: keyof Quotas,
  count: number,
  scope: string,
  first: ResourceEntry,
  path: Path,
  rest: Array<{ entry: ResourceEntry; path: Path }>,
): void {
  const limit = ctx.quotas[q];
  const info = QUOTA_INFO[q];
  const fixed = info.adjustable ? '' : ' (App Mesh does not allow raising this one)';
  const message = `${scope}: ${count}; the quota ${describeQuota(q)} is ${limit}${fixed}: ${howToRaise(q, count)}`;
  ctx.report(
    first,
    'error',
    path,
    `quota.${q}`,
    message,
    rest.slice(0, 20).map((r) => relatedAt(r.entry, r.path, 'also over the quota')),
    first,
  );
}

function block(e: ResourceEntry, q: keyof Quotas): void {
  if (!e.blocked)
    e.blocked = {
      reason: 'QuotaExceeded',
      message: `over the quota ${describeQuota(q)}`,
    };
}

export function checkQuotas(ctx: BuildContext): void {
  const meshes = ctx.ofKind('Mesh');
  perScope(ctx, 'meshes', meshes, 'the input', (e) => [e, ['metadata', 'name']]);

  const perMesh = new Map<ResourceEntry, Map<string, ResourceEntry[]>>();
  for (const e of ctx.entries) {
    if (e.kind === 'Mesh' || !e.mesh) continue;
    let kinds = perMesh.get(e.mesh);
    if (!kinds) perMesh.set(e.mesh, (kinds = new Map()));
    let list = kinds.get(e.kind);
    if (!list) kinds.set(e.kind, (list = []));
    list.push(e);
  }
  const kindQuota: Array<[string, keyof Quotas, string]> = [
    ['VirtualNode', 'virtualNodesPerMesh', 'virtual nodes'],
    ['VirtualRouter', 'virtualRoutersPerMesh', 'virtual routers'],
    ['VirtualService', 'virtualServicesPerMesh', 'virtual services'],
    ['VirtualGateway', 'virtualGatewaysPerMesh', 'virtual gateways'],
  ];
  for (const [mesh, kinds] of perMesh) {
    for (const [kind, q, what] of kindQuota) {
      perScope(ctx, q, kinds.get(kind) ?? [], `mesh ${mesh.awsName}: ${what}`, (e) => [
        e,
        ['metadata', 'name'],
      ]);
    }
  }

  const routesPerGateway = new Map<ResourceEntry, ResourceEntry[]>();
  for (const [gr, gw] of ctx.gatewayOf) {
    if (gr.probe) continue;
    let list = routesPerGateway.get(gw);
    if (!list) routesPerGateway.set(gw, (list = []));
    list.push(gr);
  }
  for (const [gw, routes] of routesPerGateway) {
    routes.sort((a, b) => a.index - b.index);
    perScope(
      ctx,
      'gatewayRoutesPerVirtualGateway',
      routes,
      `VirtualGateway ${gw.id.namespace ? `${gw.id.namespace}/` : ''}${gw.id.name}: gateway routes`,
      (e) => [e, ['metadata', 'name']],
    );
  }

  for (const e of ctx.entries) {
    const listenerQuota = LISTENER_QUOTA[e.kind];
    const listeners = (e.resource.spec as { listeners?: unknown }).listeners;
    if (listenerQuota && Array.isArray(listeners) && listeners.length > ctx.quotas[listenerQuota]) {
      const limit = ctx.quotas[listenerQuota];
      exceeded(
        ctx,
        listenerQuota,
        listeners.length,
        `${e.kind} ${e.id.name}: listeners`,
        e,
        ['spec', 'listeners', limit],
        [],
      );
    }
    if (e.kind === 'VirtualRouter') {
      const routes = (e.resource.spec as { routes?: unknown[] }).routes ?? [];
      const limit = ctx.quotas.routesPerVirtualRouter;
      if (routes.length > limit)
        exceeded(
          ctx,
          'routesPerVirtualRouter',
          routes.length,
          `VirtualRouter ${e.id.name}: routes`,
          e,
          ['spec', 'routes', limit],
          [],
        );
      const weighted = ctx.quotas.weightedTargetsPerRoute;
      (routes as Parameters<typeof routeTypeOf>[0][]).forEach((r, i) => {
        const type = routeTypeOf(r);
        const targets = type
          ? ((r[type] as { action?: { weightedTargets?: unknown[] } }).action?.weightedTargets ?? [])
          : [];
        if (targets.length > weighted)
          exceeded(
            ctx,
            'weightedTargetsPerRoute',
            targets.length,
            `route ${r.name}: weighted targets`,
            e,
            ['spec', 'routes', i, type!, 'action', 'weightedTargets', weighted],
            [],
          );
      });
    }
    if (e.kind === 'VirtualNode') {
      const links = ctx.backends.get(e) ?? [];
      const limit = ctx.quotas.backendsPerVirtualNode;
      if (links.length > limit) {
        const declared = (e.resource as VirtualNode).spec.backends?.length ?? 0;
        const path: Path = declared > limit ? ['spec', 'backends', limit] : ['spec', 'backendGroups'];
        exceeded(
          ctx,
          'backendsPerVirtualNode',
          links.length,
          `VirtualNode ${e.id.name}: backends (with BackendGroups expanded)`,
          e,
          path,
          [],
        );
      }
    }
  }
}

const LISTENER_QUOTA: Partial<Record<string, keyof Quotas>> = {
  VirtualNode: 'listenersPerVirtualNode',
  VirtualRouter: 'listenersPerVirtualRouter',
  VirtualGateway: 'listenersPerVirtualGateway',
};

/** Resources in input order: the ones past the limit are refused; the first of them carries the error. */
function perScope(
  ctx: BuildContext,
  q: keyof Quotas,
  list: ResourceEntry[],
  scope: string,
  at: (e: ResourceEntry) => [ResourceEntry, Path],
): void {
  const limit = ctx.quotas[q];
  if (list.length <= limit) return;
  const over = list.slice(Math.max(0, limit));
  for (const e of over) block(e, q);
  const [first, path] = at(over[0]!);
  const message = `${scope}: ${list.length}; the quota ${describeQuota(q)} is ${limit}: ${howToRaise(q, list.length)}`;
  ctx.report(
    first,
    'error',
    path,
    `quota.${q}`,
    message,
    over.slice(1, 21).map((e) => relatedAt(e, ['metadata', 'name'], 'also over the quota')),
  );
}
