/** Test helpers: an in-process API on a store, calls through fastify's inject, manifests into the store. */
import type { FastifyInstance } from 'fastify';
import { loadPaths } from '../../src/load/index.js';
import { checkObject } from '../../src/model/validate-object.js';
import { resourceKey, type ResourceStore } from '../../src/store/types.js';
import { createApiServer, type ApiServerOptions } from '../../src/api/server.js';

export interface CallResult {
  status: number;
  errorType: string | undefined;
  body: Record<string, unknown>;
}

export type Call = (method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: unknown) => Promise<CallResult>;

export async function startApi(options: ApiServerOptions): Promise<{ app: FastifyInstance; call: Call }> {
  const app = createApiServer(options);
  await app.ready();
  const call: Call = async (method, url, payload) => {
    const r = await app.inject({
      method,
      url: `/v20190125${url}`,
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    const type = r.headers['x-amzn-errortype'];
    return {
      status: r.statusCode,
      errorType: typeof type === 'string' ? type : undefined,
      body: r.body === '' ? {} : (r.json() as Record<string, unknown>),
    };
  };
  return { app, call };
}

/**
 * Writes Kubernetes manifests into the store the way a Kubernetes-fed store holds them:
 * App Mesh objects under `<Kind>/<namespace>/<name>`, Namespaces under `Namespace/_/<name>`.
 */
export async function importManifests(store: ResourceStore, paths: string[]): Promise<number> {
  const loaded = await loadPaths(paths);
  let n = 0;
  for (const ns of loaded.namespaces) {
    await store.put(resourceKey('Namespace', undefined, ns.name), {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns.name, labels: ns.labels },
    });
    n++;
  }
  for (const obj of loaded.meshObjects) {
    const { resource, diagnostics } = checkObject(obj.object);
    if (!resource) throw new Error(`manifest does not validate: ${JSON.stringify(diagnostics)}`);
    await store.put(
      resourceKey(resource.kind, resource.metadata.namespace, resource.metadata.name),
      resource,
    );
    n++;
  }
  return n;
}
