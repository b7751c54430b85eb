/**
 * Which backend services a caller reaches on which port. App Mesh matches outbound
 * traffic by original destination port, so backends are grouped by the ports of their
 * providers (router listeners, or the provider node's listeners). One port has one
 * protocol family: when backends disagree (tcp vs http) the first declared wins and
 * the others are left out on that port, with a warning.
 */
import type { ResolvedVirtualService } from '../mesh/index.js';
import type { ClientPolicy } from '../model/index.js';
import type { TranslateContext } from './context.js';
import { activeService, servicePorts, type ServicePort } from './lookup.js';
import { matchShortNames } from './options.js';
import { sameFamily } from './service-routes.js';

export interface BackendRef {
  serviceName: string;
  clientPolicy?: ClientPolicy | undefined;
}

export interface BackendOnPort {
  vs: ResolvedVirtualService;
  policy?: ClientPolicy | undefined;
}

export interface EgressPort extends ServicePort {
  backends: BackendOnPort[];
}

export function egressPorts(
  ctx: TranslateContext,
  backends: ReadonlyArray<BackendRef>,
  defaults: ClientPolicy | undefined,
): EgressPort[] {
  const byPort = new Map<number, EgressPort>();
  for (const b of backends) {
    const vs = activeService(ctx, b.serviceName);
    if (!vs) continue;
    for (const sp of servicePorts(ctx, vs)) {
      let entry = byPort.get(sp.port);
      if (!entry) {
        entry = { port: sp.port, protocol: sp.protocol, backends: [] };
        byPort.set(sp.port, entry);
      } else if (!sameFamily(entry.protocol, sp.protocol)) {
        ctx.warn(
          `backend ${vs.awsName}: port ${sp.port} is ${sp.protocol} but an earlier backend made it ${entry.protocol}; left out on that port`,
        );
        continue;
      }
      if (entry.backends.some((x) => x.vs.awsName === vs.awsName)) continue;
      entry.backends.push({ vs, policy: b.clientPolicy ?? defaults });
    }
  }
  return [...byPort.values()].sort((a, b) => a.port - b.port);
}

/**
 * The names a caller may use for `vs` on `port`: every hostname the graph gives it
 * (awsName, and the Kubernetes forms), the bare short name when the mesh enables it,
 * each with and without the port.
 */
export function serviceDomains(ctx: TranslateContext, vs: ResolvedVirtualService, port: number): string[] {
  const names = [...vs.hostnames];
  const ns = vs.resource.metadata.namespace;
  if (ns && matchShortNames(ctx.view.mesh, ctx.options)) names.push(vs.resource.metadata.name);
  const out: string[] = [];
  for (const h of names) {
    const lower = h.toLowerCase();
    for (const d of [lower, `${lower}:${port}`]) if (!out.includes(d)) out.push(d);
  }
  return out;
}

/**
 * The hostnames on `ep` that are some backend's awsName (with and without the port), by
 * owner: an explicit awsName always reaches its own service, never one that derives the
 * same name (the opt-in short name), whatever order the backends are listed in.
 */
export function explicitDomains(ep: EgressPort): Map<string, string> {
  const owned = new Map<string, string>();
  for (const { vs } of ep.backends) {
    const lower = vs.awsName.toLowerCase();
    for (const d of [lower, `${lower}:${ep.port}`]) if (!owned.has(d)) owned.set(d, vs.awsName);
  }
  return owned;
}
