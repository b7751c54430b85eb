/**
 * Test helpers that do what `kubectl apply` and a Deployment controller would do
 * against the API-server test double: create-or-update objects from manifests, and
 * stamp out Pods from a Deployment's template.
 */
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { isKubeError, type KubeClient } from '../../src/k8s/rest-client.js';
import type { KubeObject, Pod } from '../../src/k8s/objects.js';
import { apiVersionOf, typeOfKind } from './resource-types.js';

export async function readManifests(file: string): Promise<KubeObject[]> {
  const text = await readFile(file, 'utf8');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null && typeof o === 'object');
}

/** The collection path an object is created in on the double. */
export function collectionPathOf(obj: KubeObject): string {
  const t = typeOfKind(obj.apiVersion ?? '', obj.kind ?? '');
  if (!t) throw new Error(`the test double does not serve ${obj.apiVersion} ${obj.kind}`);
  const base = t.group === '' ? `/api/${t.version}` : `/apis/${apiVersionOf(t)}`;
  const ns = obj.metadata.namespace ?? 'default';
  return t.namespaced
    ? `${base}/namespaces/${encodeURIComponent(ns)}/${t.resource}`
    : `${base}/${t.resource}`;
}

export function objectPathOf(obj: KubeObject): string {
  return `${collectionPathOf(obj)}/${encodeURIComponent(obj.metadata.name)}`;
}

/**
 * Create, or else merge the manifest into the stored object — close to what
 * `kubectl apply` does for fields the manifest sets, and like it, fields others set
 * (a webhook's defaults, finalizers, status) are kept.
 */
export async function apply<T extends KubeObject>(client: KubeClient, obj: T): Promise<T> {
  try {
    return await client.create<T>(collectionPathOf(obj), obj);
  } catch (e) {
    if (!isKubeError(e, 409) || (e as { reason?: string }).reason !== 'AlreadyExists') throw e;
  }
  return client.patch<T>(objectPathOf(obj), 'merge', obj);
}

/** Pods a Deployment would create: `<name>-<n>` from its template, in its namespace. */
export function podsOf(
  deployment: KubeObject & {
    spec?: { replicas?: number; template?: { metadata?: KubeObject['metadata']; spec?: Pod['spec'] } };
  },
  count?: number,
): Pod[] {
  const n = count ?? deployment.spec?.replicas ?? 1;
  const t = deployment.spec?.template;
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(t?.metadata ?? {}),
      name: `${deployment.metadata.name}-${i}`,
      namespace: deployment.metadata.namespace ?? 'default',
    },
    ...(t?.spec ? { spec: structuredClone(t.spec) } : {}),
  }));
}
