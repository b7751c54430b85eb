/**
 * The write floor: a bare fastify route doing what an UpdateRoute must do at least —
 * parse the body, read the record, write it back conditionally in the same SQLite
 * store implementation — and nothing else.
 */
import Fastify from 'fastify';
import type { ResourceStore } from '../../src/store/types.js';

export async function bareWriteServer(
  store: ResourceStore,
): Promise<{ url: string; close: () => Promise<void> }> {
  const app = Fastify();
  app.put<{ Params: { name: string }; Body: { spec: unknown } }>('/bare/routes/:name', async (req) => {
    const key = `VirtualRouter/_/${encodeURIComponent(req.params.name)}`;
    const current = await store.get<{ spec: unknown }>(key);
    const r = await store.put(
      key,
      { ...(current?.value ?? {}), spec: req.body.spec },
      { expectedVersion: current?.version ?? 0 },
    );
    return { routeName: req.params.name, version: r.version, spec: req.body.spec };
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
}

/**
 * The write floor for a route: read the router's record, replace one route in its
 * `spec.routes`, write the record back conditionally — what an UpdateRoute must do at
 * least, on a record of the router's size — and answer the route.
 */
export async function bareRouteWriteServer(
  store: ResourceStore,
): Promise<{ url: string; close: () => Promise<void> }> {
  const app = Fastify();
  app.put<{ Params: { key: string; route: string }; Body: { spec: object } }>(
    '/bare/routers/:key/routes/:route',
    async (req) => {
      const { key, route } = req.params;
      const current = await store.get<{ spec: { routes: Array<{ name: string }> } }>(key);
      if (!current) throw new Error(`${key}: not found`);
      const value = current.value;
      const routes = value.spec.routes.map((r) => (r.name === route ? { name: route, ...req.body.spec } : r));
      const r = await store.put(
        key,
        { ...value, spec: { ...value.spec, routes } },
        { expectedVersion: current.version },
      );
      return { routeName: route, version: r.version, spec: req.body.spec };
    },
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
}
