/**
 * VirtualNode rules (appmesh.md §1.2, §2.4): listeners need serviceDiscovery, no
 * duplicate backends, listener pools/timeouts of the listener's protocol; and its
 * backends, with BackendGroups expanded. A VirtualNode does not wait for its
 * backends (App Mesh allows dangling backends so that cycles work).
 */
import type { VirtualNode, BackendGroup } from '../model/index.js';
import type { BuildContext } from './context.js';
import { keyOf, refScope, relatedAt, type BackendLink, type ResourceEntry } from './context.js';
import { checkListeners } from './listeners.js';
import { resolveRef } from './references.js';

export function checkVirtualNode(ctx: BuildContext, e: ResourceEntry): void {
  const spec = (e.resource as VirtualNode).spec;
  // App Mesh checks presence, not length: `listeners: []` still needs serviceDiscovery.
  if (spec.listeners !== undefined && spec.serviceDiscovery === undefined) {
    ctx.error(
      e,
      ['spec', 'serviceDiscovery'],
      'vn.service-discovery-required',
      'ServiceDiscovery must be specified when a listener is specified: add spec.serviceDiscovery (dns.hostname or awsCloudMap)',
    );
  }
  checkListeners(ctx, e);
  const seen = new Map<string, number>();
  (spec.backends ?? []).forEach((b, i) => {
    const vs = b?.virtualService;
    if (!vs) return;
    let key: string | undefined;
    let label = '';
    if (vs.virtualServiceRef) {
      const ns = vs.virtualServiceRef.namespace || e.id.namespace || '';
      key = `ref:${ns}/${vs.virtualServiceRef.name}`;
      label = `VirtualService ${ns ? `${ns}/` : ''}${vs.virtualServiceRef.name}`;
    } else if (vs.virtualServiceARN) {
      key = `arn:${vs.virtualServiceARN}`;
      label = `VirtualService ARN ${vs.virtualServiceARN}`;
    }
    if (key === undefined) return;
    const first = seen.get(key);
    if (first !== undefined) {
      ctx.error(
        e,
        ['spec', 'backends', i, 'virtualService'],
        'vn.duplicate-backend',
        `duplicate backend: ${label} is already listed at spec.backends[${first}]`,
        [relatedAt(e, ['spec', 'backends', first, 'virtualService'], 'first listed here')],
      );
    } else seen.set(key, i);
  });
  if (spec.backendGroups && spec.backendGroups.length > 0 && !ctx.enableBackendGroups) {
    ctx.warning(
      e,
      ['spec', 'backendGroups'],
      'vn.backend-groups-disabled',
      'backendGroups are ignored because BackendGroup support is disabled',
    );
  }
}

/** Declared backends, then BackendGroup expansions; deduplicated by target, in declaration order. */
export function resolveVirtualNodeBackends(
  ctx: BuildContext,
  e: ResourceEntry,
  groupCache: Map<ResourceEntry, ResourceEntry[]>,
): void {
  const spec = (e.resource as VirtualNode).spec;
  const links: BackendLink[] = [];
  const seen = new Set<string>();
  const add = (link: BackendLink, key: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    links.push(link);
  };
  (spec.backends ?? []).forEach((b, i) => {
    const vs = b?.virtualService;
    if (!vs) return;
    const at = ['spec', 'backends', i, 'virtualService'];
    const r = resolveRef(ctx, e, {
      kind: 'VirtualService',
      at,
      ref: vs.virtualServiceRef,
      arn: vs.virtualServiceARN,
      refField: 'virtualServiceRef',
      arnField: 'virtualServiceARN',
      what: 'backend',
      missing: 'warning',
      missingCode: 'ref.backend-not-found',
    });
    const origin = `spec.backends[${i}]`;
    const policy = vs.clientPolicy ? { clientPolicy: vs.clientPolicy } : {};
    if (r.status === 'found')
      add({ serviceName: r.entry.awsName, entry: r.entry, origin, ...policy }, r.entry.key);
    else if (r.status === 'missing')
      add({ serviceName: r.awsName, origin, ...policy }, `missing:${r.awsName}`);
  });
  if (ctx.enableBackendGroups) {
    (spec.backendGroups ?? []).forEach((g, i) => {
      const r = resolveRef(ctx, e, {
        kind: 'BackendGroup',
        at: ['spec', 'backendGroups', i],
        ref: g,
        refField: 'name',
        what: 'backendGroups names',
        missing: 'error',
      });
      if (r.status !== 'found') return;
      for (const vsEntry of expandGroup(ctx, r.entry, groupCache)) {
        add(
          {
            serviceName: vsEntry.awsName,
            entry: vsEntry,
            origin: `BackendGroup ${r.entry.id.namespace ?? ''}/${r.entry.id.name}`,
          },
          vsEntry.key,
        );
      }
    });
  }
  ctx.backends.set(e, links);
}

/** The VirtualServices a BackendGroup stands for; `*` = every VirtualService of that namespace. Checked once per group. */
function expandGroup(
  ctx: BuildContext,
  group: ResourceEntry,
  cache: Map<ResourceEntry, ResourceEntry[]>,
): ResourceEntry[] {
  const cached = cache.get(group);
  if (cached) return cached;
  const out: ResourceEntry[] = [];
  cache.set(group, out);
  const seen = new Set<ResourceEntry>();
  ((group.resource as BackendGroup).spec.virtualservices ?? []).forEach((v, k) => {
    const ns = v.namespace || group.id.namespace;
    const at = ['spec', 'virtualservices', k];
    const scope = refScope(group, ns);
    const candidates =
      v.name === '*'
        ? ctx.entries.filter(
            (x) => x.kind === 'VirtualService' && x.id.namespace === ns && x.scope?.mesh === scope?.mesh,
          )
        : [ctx.byKey.get(keyOf('VirtualService', ns, v.name, scope))].filter(
            (x): x is ResourceEntry => x !== undefined,
          );
    if (candidates.length === 0 && v.name !== '*' && !ctx.findInvalid('VirtualService', ns, v.name)) {
      ctx.warning(
        group,
        at,
        'ref.backend-not-found',
        `VirtualService ${ns ? `${ns}/` : ''}${v.name} does not exist; it is left out of the group`,
      );
    }
    for (const c of candidates) {
      if (seen.has(c)) continue;
      if (group.mesh && c.mesh && group.mesh !== c.mesh) {
        if (v.name !== '*')
          ctx.error(
            group,
            at,
            'ref.cross-mesh',
            `VirtualService ${c.id.namespace}/${c.id.name} didn't belong to mesh ${group.mesh.awsName}`,
          );
        continue;
      }
      seen.add(c);
      out.push(c);
    }
  });
  return out;
}
