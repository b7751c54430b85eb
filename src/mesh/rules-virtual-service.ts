/** VirtualService: its provider must exist (it waits for it, §2.1); its client-facing hostnames. */
import type { VirtualService } from '../model/index.js';
import { awsNamePath } from './aws-names.js';
import type { BuildContext } from './context.js';
import { describeId, relatedAt, type ResourceEntry } from './context.js';
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

/**
 * The Kubernetes DNS names of the Service that shares the VirtualService's name and
 * namespace, when its awsName is one of that Service's names (the default
 * `<name>.<namespace>`, or a written-out `….svc[.<clusterDomain>]`): then calling the
 * Service and calling the VirtualService mean the same thing. A custom or external
 * awsName (`www.example.com`, `color.howto-grpc.local`) gets none: `….svc.cluster.local`
 * forms of it would be junk and would widen what a DROP_ALL mesh lets through.
 */
export function derivedHostnames(e: ResourceEntry, clusterDomain: string): string[] {
  const ns = e.id.namespace;
  if (!ns) return [];
  const base = `${e.id.name}.${ns}`;
  const forms = [`${base}.svc.${clusterDomain}`, `${base}.svc`];
  const own = e.awsName.toLowerCase();
  if (own !== base.toLowerCase() && !forms.some((f) => f.toLowerCase() === own)) return [];
  return forms.filter((f) => f.toLowerCase() !== own);
}

/**
 * Each service's hostnames: its awsName first, then the derived forms no other service
 * owns. An explicit awsName always owns its hostname, whatever the order the services or
 * a caller's backends are listed in: a derived form equal to another service's awsName is
 * dropped (warning). Two services cannot derive the same form: the forms spell out the
 * object's name and namespace, unique in a cluster, and a namespace holds no dot.
 */
export function assignHostnames(ctx: BuildContext, services: ResourceEntry[]): void {
  const explicit = new Map<string, ResourceEntry>();
  const key = (e: ResourceEntry, host: string): string => `${e.mesh!.awsName}\u0000${host.toLowerCase()}`;
  for (const e of services)
    if (e.mesh && !explicit.has(key(e, e.awsName))) explicit.set(key(e, e.awsName), e);
  for (const e of services) {
    const names = [e.awsName];
    if (e.mesh) {
      for (const host of derivedHostnames(e, ctx.clusterDomain)) {
        const k = key(e, host);
        const owner = explicit.get(k);
        if (owner && owner !== e) {
          ctx.warning(
            e,
            ['metadata', 'name'],
            'vs.hostname-shadowed',
            `${host} is the awsName of ${describeId(owner.id)} in mesh ${e.mesh.awsName}, so it reaches that service, not this one; call this service as ${e.awsName}`,
            [relatedAt(owner, awsNamePath(owner), 'the service that owns the name')],
          );
          continue;
        }
        names.push(host);
      }
    }
    ctx.hostnames.set(e, names);
  }
}
