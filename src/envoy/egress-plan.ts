/**
 * Which backend services a caller reaches on which port. App Mesh matches outbound
 * traffic by original destination port, so backends are grouped by the ports of their
 * providers (router listeners, or the provider node's listeners). One port has one
 * protocol family: when backends disagree (tcp vs http) the first declared wins and
 * the others are left out on that port, with a warning.
 */
import { isKubernetesServiceName, type ResolvedVirtualService } from '../mesh/index.js';
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
  const name = vs.resource.metadata.name;
  if (ns && matchShortNames(ctx.view.mesh, ctx.options) && isKubernetesServiceName(name, ns, vs.awsName))
    names.push(name);
  const out: string[] = [];
  for (const h of names) {
    const lower = h.toLowerCase();
    for (const d of [lower, `${lower}:${port}`]) if (!out.includes(d)) out.push(d);
  }
  return out;
}

/**
 * Who answers each hostname on `ep`, whatever order the backends are listed in: a
 * backend's awsName (with and without the port) belongs to that backend; a derived name
 * (a Kubernetes form, the opt-in short name) to the one backend deriving it; a derived
 * name two backends share to neither (undefined), with a warning naming both.
 *
 * Null when no two backends share a name: then each answers every name `domainsOf`
 * gives it (its awsName forms are among them). The mesh gives each service names no
 * other service has, so that is the rule; it is found without building the map.
 */
export function domainOwners(ctx: TranslateContext, ep: EgressPort): Map<string, string | undefined> | null {
  return disjointDomains(ctx, ep) ? null : domainOwnerMap(ctx, ep);
}

/** Whether no name of `domainsOf` belongs to two of the backends. */
function disjointDomains(ctx: TranslateContext, ep: EgressPort): boolean {
  if (ep.backends.length < 2) return true;
  const seen = new Set<string>();
  for (const { vs } of ep.backends) {
    for (const d of domainsOf(ctx, vs, ep.port)) {
      if (seen.has(d)) return false;
      seen.add(d);
    }
  }
  return true;
}

/** `domainOwners` as a map, whether or not the backends share a name. */
function domainOwnerMap(ctx: TranslateContext, ep: EgressPort): Map<string, string | undefined> {
  const owners = new Map<string, string | undefined>();
  for (const { vs } of ep.backends) {
    const lower = vs.awsName.toLowerCase();
    for (const d of [lower, `${lower}:${ep.port}`]) if (!owners.has(d)) owners.set(d, vs.awsName);
  }
  // A name in `owners` without a deriving backend is an explicit name (no copy of the keys).
  const derivedBy = new Map<string, string>();
  for (const { vs } of ep.backends) {
    for (const d of domainsOf(ctx, vs, ep.port)) {
      if (owners.has(d) && !derivedBy.has(d)) continue;
      const first = derivedBy.get(d);
      if (first === undefined) {
        derivedBy.set(d, vs.awsName);
        owners.set(d, vs.awsName);
      } else if (first !== vs.awsName && owners.get(d) !== undefined) {
        owners.set(d, undefined);
        ctx.warn(
          `hostname ${d} is a derived name of both ${first} and ${vs.awsName}; neither answers to it: call them by their awsNames`,
        );
      }
    }
  }
  return owners;
}

/**
 * `serviceDomains`, once per run: keyed by the run and the service object rather than a
 * `once` key text, as it is asked for every backend of every caller, two or three times
 * (bench:translate: ~30 ms of a full translation went to building those keys).
 */
export function domainsOf(ctx: TranslateContext, vs: ResolvedVirtualService, port: number): string[] {
  let byService = domainsByRun.get(ctx.runMemo);
  if (!byService) domainsByRun.set(ctx.runMemo, (byService = new WeakMap()));
  let byPort = byService.get(vs);
  if (!byPort) byService.set(vs, (byPort = new Map()));
  let domains = byPort.get(port);
  if (!domains) byPort.set(port, (domains = serviceDomains(ctx, vs, port)));
  return domains;
}

const domainsByRun = new WeakMap<object, WeakMap<ResolvedVirtualService, Map<number, string[]>>>();
