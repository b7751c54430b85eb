/**
 * Amime's opt-in short names: with the Mesh annotation `amime.io/match-short-names:
 * "true"` (or the translate option), a caller also reaches a Kubernetes-form service by
 * its bare name (`color` for `color.ns`), as a pod calling a Service in its own
 * namespace would. App Mesh never matched bare names; the option is off by default.
 */
import type { BuildContext, ResourceEntry } from './context.js';
import { describeId, relatedAt } from './context.js';
import { awsNamePath } from './aws-names.js';

export const MATCH_SHORT_NAMES_ANNOTATION = 'amime.io/match-short-names';

/**
 * Whether `awsName` is a name of the Kubernetes Service `<name>` in `<namespace>`: the
 * default `<name>.<namespace>`, or a written-out `….svc[.<cluster domain>]`. Only such a
 * service gets the short name, as only such a service gets the Kubernetes forms
 * (`derivedHostnames`, issue 16 item 2): a custom or external awsName
 * (`color_server.howto-grpc.local`) means something else.
 */
export function isKubernetesServiceName(name: string, namespace: string, awsName: string): boolean {
  const base = `${name}.${namespace}`.toLowerCase();
  const own = awsName.toLowerCase();
  return own === base || own === `${base}.svc` || own.startsWith(`${base}.svc.`);
}

/** The bare name a service answers to when short names are on, if it has one. */
export function shortNameOf(e: ResourceEntry): string | undefined {
  const ns = e.id.namespace;
  return ns && isKubernetesServiceName(e.id.name, ns, e.awsName) ? e.id.name.toLowerCase() : undefined;
}

function shortNamesOn(e: ResourceEntry): boolean {
  return e.mesh?.resource.metadata.annotations?.[MATCH_SHORT_NAMES_ANNOTATION] === 'true';
}

/**
 * In a mesh with short names on, a bare name two services derive (`color` in two
 * namespaces) answers for neither in a caller that has both as backends, and one equal
 * to another service's awsName belongs to that service. Both are warnings naming both
 * services, so `amime validate` says before traffic does: App Mesh accepted such a mesh
 * (the annotation meant nothing to it), so Amime does not refuse it either (item 7).
 */
export function checkShortNames(ctx: BuildContext, services: ResourceEntry[]): void {
  const byAwsName = new Map<string, ResourceEntry>();
  const byShort = new Map<string, ResourceEntry[]>();
  const key = (e: ResourceEntry, host: string) => `${e.mesh!.awsName}\u0000${host}`;
  for (const e of services) {
    if (!e.mesh || !shortNamesOn(e)) continue;
    const k = key(e, e.awsName.toLowerCase());
    if (!byAwsName.has(k)) byAwsName.set(k, e);
    const short = shortNameOf(e);
    if (short === undefined) continue;
    const list = byShort.get(key(e, short));
    if (list) list.push(e);
    else byShort.set(key(e, short), [e]);
  }
  for (const [k, list] of byShort) {
    const short = list[0]!.id.name.toLowerCase();
    const owner = byAwsName.get(k);
    if (owner) {
      for (const e of list)
        ctx.warning(
          e,
          ['metadata', 'name'],
          'vs.short-name-owned',
          `short name ${short} is the awsName of ${describeId(owner.id)}, so it reaches that service, not this one; call this service as ${e.awsName}`,
          [relatedAt(owner, awsNamePath(owner), 'the service that owns the name')],
        );
      continue;
    }
    if (list.length < 2) continue;
    for (const e of list) {
      const others = list.filter((o) => o !== e);
      ctx.warning(
        e,
        ['metadata', 'name'],
        'vs.short-name-shared',
        `short name ${short} is also the short name of ${others.map((o) => describeId(o.id)).join(', ')} in mesh ${e.mesh!.awsName}; a caller with both as backends reaches neither by it: call them by their awsNames (${[e, ...others].map((o) => o.awsName).join(', ')})`,
        others.map((o) => relatedAt(o, ['metadata', 'name'], 'the other service')),
      );
    }
  }
}
