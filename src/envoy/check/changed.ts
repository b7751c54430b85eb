/**
 * What changed in a proxy group's resources since a set of them passed the check: the
 * translation hands an unchanged resource over as the same object, so a change of one
 * route gives each group one new route configuration among ~300 same objects. Checking
 * only that one gives the full check's verdict when nothing else a finding depends on
 * moved (checkChangedReferences says which).
 */
import { isPlainObject, resourceNameOf, XDS_KINDS, type XdsKind } from '../../proto/index.js';
import type { ChangedIndexes, KeptHost, ResourceSet } from './references.js';

/** A set that passed checkResources with no problem, and the supplied secrets it was checked with. */
export interface PassedSet {
  readonly set: ResourceSet;
  readonly suppliedSecrets: readonly string[];
}

const NONE: readonly object[] = [];

/**
 * The positions of `set` holding another object than `passed.set` does, by kind; or
 * undefined when only a full check will do: a resource added, removed, moved or renamed
 * (the names every reference is checked against), a listener changed (bound addresses
 * are checked across listeners), or other supplied secrets.
 */
export function changedSince(
  passed: PassedSet,
  set: ResourceSet,
  suppliedSecrets: Iterable<string>,
): ChangedIndexes | undefined {
  const secrets = [...suppliedSecrets];
  if (secrets.length !== passed.suppliedSecrets.length) return undefined;
  if (secrets.some((s, i) => s !== passed.suppliedSecrets[i])) return undefined;
  const changed: Partial<Record<XdsKind, number[]>> = {};
  for (const kind of XDS_KINDS) {
    const before = passed.set[kind] ?? NONE;
    const now = set[kind] ?? NONE;
    if (before === now) continue;
    if (before.length !== now.length) return undefined;
    for (let i = 0; i < now.length; i++) {
      const [was, is] = [before[i]!, now[i]!];
      if (was === is) continue;
      if (kind === 'listeners' || !isPlainObject(is)) return undefined;
      if (resourceNameOf(kind, was) !== resourceNameOf(kind, is)) return undefined;
      (changed[kind] ??= []).push(i);
    }
  }
  return changed;
}

const hostsOf = (routeConfiguration: object | undefined): unknown =>
  routeConfiguration && isPlainObject(routeConfiguration) ? routeConfiguration['virtual_hosts'] : undefined;

/** Which virtual hosts of `set`'s route configurations `passed.set` had at the same position (same object). */
export function keptHosts(passed: PassedSet, set: ResourceSet): KeptHost {
  return (route, host) => {
    const was = hostsOf(passed.set.routes[route]);
    const is = hostsOf(set.routes[route]);
    return Array.isArray(was) && Array.isArray(is) && host < was.length && was[host] === is[host];
  };
}
