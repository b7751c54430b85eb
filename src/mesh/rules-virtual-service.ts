/** VirtualService: its provider must exist (it waits for it, §2.1); its client-facing hostnames. */
import type { VirtualService } from '../model/index.js';
import { awsNamePath } from './aws-names.js';
import type { BuildContext } from './context.js';
import { relatedAt, type ResourceEntry } from './context.js';
import { portsOf } from './listeners.js';
import { resolveRef, waitFor } from './references.js';

export function resolveVirtualServiceProvider(ctx: BuildContext, e: ResourceEntry): void {
  const provider = (e.resource as VirtualService).spec.provider;
  if (!provider) return;
  const vn = provider.virtualNode;
  const vr = provider.virtualRouter;
  const r = vn
    ? resolveRef(ctx, e, {
        kind: 'VirtualNode',
        at: ['spec', 'provider', 'virtualNode'],
        ref: vn.virtualNodeRef,
        arn: vn.virtualNodeARN,
        refField: 'virtualNodeRef',
        arnField: 'virtualNodeARN',
        what: 'the provider is',
        missing: 'error',
      })
    : vr
      ? resolveRef(ctx, e, {
          kind: 'VirtualRouter',
          at: ['spec', 'provider', 'virtualRouter'],
          ref: vr.virtualRouterRef,
          arn: vr.virtualRouterARN,
          refField: 'virtualRouterRef',
          arnField: 'virtualRouterARN',
          what: 'the provider is',
          missing: 'error',
        })
      : undefined;
  if (!r) return;
  waitFor(e, r);
  if (r.status !== 'found') return;
  ctx.providers.set(e, r.entry);
  if (r.entry.kind === 'VirtualNode' && portsOf(r.entry).length === 0) {
    ctx.warning(
      e,
      ['spec', 'provider', 'virtualNode'],
      'target.no-listener',
      `the provider VirtualNode ${r.entry.id.name} has no listeners, so the service cannot receive traffic`,
      [relatedAt(r.entry, ['spec'], 'its spec')],
    );
  }
}

/** awsName first, then `<name>.<namespace>.svc.<clusterDomain>` and `<name>.<namespace>.svc` for namespaced services. */
export function hostnamesOf(e: ResourceEntry, clusterDomain: string): string[] {
  const names = [e.awsName];
  const ns = e.id.namespace;
  if (ns) names.push(`${e.id.name}.${ns}.svc.${clusterDomain}`, `${e.id.name}.${ns}.svc`);
  return [...new Set(names)];
}

/**
 * Two services in one mesh answering to the same hostname: a client listing both as
 * backends would get two virtual hosts with one domain, which Envoy refuses.
 */
export function checkHostnameConflicts(ctx: BuildContext, services: ResourceEntry[]): void {
  const owner = new Map<string, ResourceEntry>();
  for (const e of services) {
    if (!e.mesh) continue;
    for (const host of hostnamesOf(e, ctx.clusterDomain)) {
      const key = `${e.mesh.awsName}\u0000${host}`;
      const first = owner.get(key);
      if (!first) {
        owner.set(key, e);
        continue;
      }
      if (first === e || first.awsName === e.awsName) continue; // same name: name.duplicate already says it
      ctx.warning(
        e,
        awsNamePath(e),
        'vs.hostname-conflict',
        `hostname ${host} is also a name of VirtualService ${first.id.namespace ? `${first.id.namespace}/` : ''}${first.id.name} in mesh ${e.mesh.awsName}; clients cannot tell them apart`,
        [relatedAt(first, awsNamePath(first), 'the other service')],
      );
      break;
    }
  }
}
