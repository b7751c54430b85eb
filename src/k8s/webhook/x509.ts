/**
 * Loads @peculiar/x509. Its dependency tsyringe refuses to load without the Reflect
 * metadata API (`Reflect.getMetadata` and friends), which Node does not have and for
 * which no polyfill package is installed; x509 only asks it for metadata nobody
 * defined, so a small map-backed version is enough. An existing polyfill is kept.
 */
import type * as X509Module from '@peculiar/x509';

type Key = string | symbol | undefined;
type MetadataStore = WeakMap<object, Map<Key, Map<unknown, unknown>>>;

interface ReflectMetadata {
  defineMetadata(key: unknown, value: unknown, target: object, property?: Key): void;
  getOwnMetadata(key: unknown, target: object, property?: Key): unknown;
  getMetadata(key: unknown, target: object, property?: Key): unknown;
  hasOwnMetadata(key: unknown, target: object, property?: Key): boolean;
  hasMetadata(key: unknown, target: object, property?: Key): boolean;
  metadata(key: unknown, value: unknown): (target: object, property?: Key) => void;
}

function installReflectMetadata(): void {
  const r = Reflect as unknown as Partial<ReflectMetadata>;
  if (typeof r.getMetadata === 'function') return;
  const store: MetadataStore = new WeakMap();
  const own = (target: object, property: Key, create: boolean): Map<unknown, unknown> | undefined => {
    let byProperty = store.get(target);
    if (!byProperty && create) store.set(target, (byProperty = new Map()));
    let map = byProperty?.get(property);
    if (!map && create && byProperty) byProperty.set(property, (map = new Map()));
    return map;
  };
  const find = (key: unknown, target: object, property: Key): Map<unknown, unknown> | undefined => {
    for (let o: object | null = target; o; o = Object.getPrototypeOf(o) as object | null) {
      const map = own(o, property, false);
      if (map?.has(key)) return map;
    }
    return undefined;
  };
  const api: ReflectMetadata = {
    defineMetadata: (key, value, target, property) => void own(target, property, true)!.set(key, value),
    getOwnMetadata: (key, target, property) => own(target, property, false)?.get(key),
    getMetadata: (key, target, property) => find(key, target, property)?.get(key),
    hasOwnMetadata: (key, target, property) => own(target, property, false)?.has(key) ?? false,
    hasMetadata: (key, target, property) => find(key, target, property) !== undefined,
    metadata: (key, value) => (target, property) => api.defineMetadata(key, value, target, property),
  };
  Object.assign(Reflect, api);
}

export type X509 = typeof X509Module;

let loaded: Promise<X509> | undefined;

export function loadX509(): Promise<X509> {
  installReflectMetadata();
  loaded ??= import('@peculiar/x509');
  return loaded;
}
