/**
 * Writes manifests from files into a store as Kubernetes-form records: App Mesh
 * resources and the Namespaces whose labels decide mesh membership. Used to seed a
 * fresh data directory and by `--from DIR` (which mirrors a folder into the store).
 */
import { validateLoaded, type ValidateOptions } from '../mesh/index.js';
import { loadPaths, type LoadOptions } from '../load/index.js';
import { checkObject, hasErrors, type AnyResource, type Diagnostic } from '../model/index.js';
import { resourceKey, type ResourceStore } from '../store/index.js';

export interface ManifestSet {
  /** Store key → value, for every App Mesh resource and Namespace in the files. */
  records: Map<string, unknown>;
  diagnostics: Diagnostic[];
}

/** Loads and validates manifests; `records` is empty when they have errors. */
export async function readManifests(
  paths: readonly string[],
  options?: ValidateOptions,
  loadOptions?: LoadOptions,
): Promise<ManifestSet> {
  const load = await loadPaths(paths, loadOptions);
  const validation = validateLoaded(load, options);
  const diagnostics = [...validation.diagnostics];
  const records = new Map<string, unknown>();
  if (hasErrors(diagnostics)) return { records, diagnostics };
  for (const ns of load.namespaces) {
    records.set(resourceKey('Namespace', undefined, ns.name), {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns.name, labels: { ...ns.labels } },
    });
  }
  for (const loaded of load.meshObjects) {
    const { resource } = checkObject(loaded.object, { defaultNamespace: 'default' });
    if (!resource) continue;
    records.set(keyOf(resource), stripStatus(resource));
  }
  return { records, diagnostics };
}

export function keyOf(resource: AnyResource): string {
  return resourceKey(resource.kind, resource.metadata.namespace, resource.metadata.name);
}

function stripStatus(resource: AnyResource): AnyResource {
  const { status: _status, ...rest } = resource;
  return rest as AnyResource;
}

export interface SyncResult {
  created: number;
  updated: number;
  deleted: number;
}

/**
 * Makes the store hold exactly `records` among the keys `owned` says are managed here
 * (the previous sync's keys); unchanged records are not rewritten.
 */
export async function syncRecords(
  store: ResourceStore,
  records: Map<string, unknown>,
  owned: ReadonlySet<string>,
): Promise<SyncResult> {
  const result: SyncResult = { created: 0, updated: 0, deleted: 0 };
  for (const [key, value] of records) {
    const current = await store.get(key);
    if (current && JSON.stringify(current.value) === JSON.stringify(value)) continue;
    await store.put(key, value);
    if (current) result.updated++;
    else result.created++;
  }
  for (const key of owned) {
    if (!records.has(key) && (await store.delete(key))) result.deleted++;
  }
  return result;
}
