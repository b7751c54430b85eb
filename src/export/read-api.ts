/**
 * Everything a server holds, read through its App Mesh REST API the way `aws appmesh`
 * would (list every page, then describe each resource and list its tags), as the same
 * resources `amime import` produces, so one writer serves both commands.
 */
import { stepPath } from '../api/index.js';
import { API_KIND_INFO, type ApiKind, type TagRef } from '../model/api-form/index.js';
import { canonicalSpec, type ImportedResource } from '../import/index.js';

/** `AppMeshHttpClient` and the in-process reader of a data directory both answer this. */
export interface ApiCaller {
  call<T = Record<string, unknown>>(
    method: 'GET' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    query?: Record<string, string | undefined>,
  ): Promise<T>;
}

export interface ReadOptions {
  /** Only this mesh. */
  mesh?: string;
  /** Called after each resource is read, with the count so far. */
  onProgress?: (done: number) => void;
}

type Row = Record<string, unknown>;
type Location = Parameters<typeof stepPath>[0];

const PARALLEL = 8;

export async function readResources(api: ApiCaller, options: ReadOptions = {}): Promise<ImportedResource[]> {
  const meshes =
    options.mesh !== undefined ? [options.mesh] : await names(api, { kind: 'Mesh', mesh: '', name: '' });
  const locations: Location[] = [];
  for (const mesh of meshes) {
    locations.push({ kind: 'Mesh', mesh, name: mesh });
    for (const kind of ['VirtualNode', 'VirtualService', 'VirtualRouter', 'VirtualGateway'] as const) {
      for (const name of await names(api, { kind, mesh, name: '' })) {
        locations.push({ kind, mesh, name });
        const child: ApiKind | undefined =
          kind === 'VirtualRouter' ? 'Route' : kind === 'VirtualGateway' ? 'GatewayRoute' : undefined;
        if (child)
          for (const n of await names(api, { kind: child, mesh, name: '', parent: name }))
            locations.push({ kind: child, mesh, name: n, parent: name });
      }
    }
  }
  let done = 0;
  return mapLimit(locations, PARALLEL, async (loc) => {
    const data = await api.call<Row>('GET', stepPath(loc, true));
    const body = (data[API_KIND_INFO[loc.kind].dataField] ?? data) as Row;
    const arn = (body.metadata as { arn?: string } | undefined)?.arn;
    const tags = arn === undefined ? [] : await tagsOf(api, arn);
    options.onProgress?.(++done);
    return {
      kind: loc.kind,
      mesh: loc.mesh,
      name: loc.name,
      ...(loc.parent !== undefined ? { parent: loc.parent } : {}),
      spec: canonicalSpec(loc.kind, (body.spec ?? {}) as Record<string, unknown>),
      ...(tags.length > 0 ? { tags } : {}),
      origin: { id: { kind: loc.kind, name: loc.name } },
    };
  });
}

async function names(api: ApiCaller, loc: Location): Promise<string[]> {
  const info = API_KIND_INFO[loc.kind];
  const out: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await api.call<Row>('GET', stepPath(loc, false), undefined, { limit: '100', nextToken });
    for (const ref of (page[info.listField] as Row[] | undefined) ?? [])
      out.push(String(ref[loc.kind === 'Mesh' ? 'meshName' : info.nameField]));
    nextToken = typeof page.nextToken === 'string' ? page.nextToken : undefined;
  } while (nextToken);
  return out;
}

async function tagsOf(api: ApiCaller, arn: string): Promise<TagRef[]> {
  const out: TagRef[] = [];
  let nextToken: string | undefined;
  do {
    const page = await api.call<{ tags?: TagRef[]; nextToken?: string }>('GET', '/tags', undefined, {
      resourceArn: arn,
      nextToken,
    });
    out.push(...(page.tags ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
