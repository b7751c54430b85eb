/**
 * The App Mesh operations over the store, independent of HTTP: each takes the
 * request's parsed input and returns the response payload or throws an ApiError.
 * Resources are stored in CRD form (`src/model`), one record per resource, except
 * routes, which live in their VirtualRouter's record (`spec.routes`) as in the CRDs.
 *
 * Keys: meshes `Mesh/_/<mesh>`; other API-created resources
 * `<Kind>/_/<mesh>%2F<name>` (gateway routes `<mesh>%2F<gateway>%2F<name>`), because App
 * Mesh names are unique only within a mesh (or gateway). Kubernetes/YAML resources keep
 * their `<Kind>/<namespace>/<name>` keys and are found by awsName through the catalog.
 */
import type { Kind, AnyResource, VirtualRouter, Route } from '../model/index.js';
import {
  API_KIND_INFO,
  gatewayRouteToCrd,
  meshToCrd,
  mergeCrdUpdate,
  routeToCrd,
  virtualGatewayToCrd,
  virtualNodeToCrd,
  virtualRouterToCrd,
  virtualServiceToCrd,
  type ApiKind,
  type ResourceData,
  type ResourceRef,
  type TagRef,
  type ToCrdContext,
} from '../model/api-form/index.js';
import { type Quotas, buildMeshGraph, checkUpdate } from '../mesh/index.js';
import { ConflictError, resourceKey, type ResourceStore, type StoredRecord } from '../store/index.js';
import type { Catalog, CatalogEntry } from './catalog.js';
import { badRequest, conflict, notFound } from './errors.js';
import { ClientTokenCache, type IdempotencyOptions } from './idempotency.js';
import { assertDeletable } from './in-use.js';
import {
  bumpMeta,
  effectiveMeta,
  effectiveRouteMeta,
  newMeta,
  nowSeconds,
  withApiMeta,
  type ApiMeta,
  type StoredApiMeta,
} from './metadata.js';
import { byName, pageOf, type PageRequest } from './paging.js';
import { enforce, enforceCreate, enforceSpec, resolveQuotas } from './quotas.js';
import { checkName, checkSpec } from './request-checks.js';
import { SerialQueue } from './serial.js';
import {
  ChangeValidator,
  formatForApi,
  graphValidator,
  type MeshValidator,
  type PassedCheck,
} from './validate.js';
import { dataOf, refOf, type Location, type ViewContext } from './view.js';

export interface ServiceOptions {
  store: ResourceStore;
  catalog: Catalog;
  accountId: string;
  region: string;
  /** Mesh validation; default: the mesh graph's diagnostics (`buildMeshGraph` with `quotas`). */
  validate?: MeshValidator;
  quotas?: Partial<Quotas>;
  idempotency?: IdempotencyOptions;
  /** Clock in ms (tests). */
  now?: () => number;
}

export interface ListResponse {
  items: ResourceRef[];
  nextToken?: string;
}

/** A resource as found: its catalog entry, and for routes the route inside the router. */
interface Found {
  entry: CatalogEntry;
  route?: Route;
  routeIndex?: number;
}

const RETRIES = 5;

/** A version conflict on a record that is shared (a router's routes, tags): re-read and merge again. */
class Retry extends Error {}

export class AppMeshService {
  readonly catalog: Catalog;
  private readonly store: ResourceStore;
  private readonly view: ViewContext;
  private readonly quotas: Quotas;
  private readonly validator: ChangeValidator;
  private readonly tokens: ClientTokenCache;
  private readonly writes = new SerialQueue();
  private readonly now: () => number;

  constructor(readonly options: ServiceOptions) {
    this.store = options.store;
    this.catalog = options.catalog;
    this.quotas = resolveQuotas(options.quotas);
    this.validator = new ChangeValidator(
      options.validate ?? graphValidator(buildMeshGraph, { quotas: this.quotas }),
    );
    this.tokens = new ClientTokenCache(options.idempotency);
    this.now = options.now ?? Date.now;
    this.view = {
      arn: { region: options.region, account: options.accountId },
      resolve: this.catalog.resolveAwsName,
    };
  }

  // ── reads ─────────────────────────────────────────────────────────────────

  describe(loc: Location): ResourceData {
    const found = this.find(loc);
    return this.render(loc, found);
  }

  list(kind: ApiKind, mesh: string | undefined, parent: string | undefined, page: PageRequest): ListResponse {
    const scope = `${kind}/${mesh ?? ''}/${parent ?? ''}`;
    if (kind === 'Mesh') {
      const p = pageOf(this.catalog.list('Mesh'), (e) => e.awsName, scope, page);
      return this.refs(
        p,
        (e) => ({ kind, mesh: e.awsName, name: e.awsName }),
        (e) => this.metaOf(e.record),
      );
    }
    this.requireMesh(mesh as string);
    if (kind === 'Route') {
      const router = this.requireParent('VirtualRouter', mesh as string, parent as string);
      const routes = [...((router.record.value as VirtualRouter).spec.routes ?? [])].sort((a, b) =>
        byName(a.name, b.name),
      );
      const p = pageOf(routes, (r) => r.name, scope, page);
      return this.refs(
        p,
        (r) => ({ kind, mesh: mesh as string, name: r.name, parent: parent as string }),
        (r) => effectiveRouteMeta(router.record, r.name, this.catalog.firstSeen),
      );
    }
    if (kind === 'GatewayRoute') this.requireParent('VirtualGateway', mesh as string, parent as string);
    const p = pageOf(this.catalog.list(kind, mesh, parent), (e) => e.awsName, scope, page);
    return this.refs(
      p,
      (e) => ({ kind, mesh: mesh as string, name: e.awsName, ...(parent !== undefined ? { parent } : {}) }),
      (e) => this.metaOf(e.record),
    );
  }

  // ── writes ────────────────────────────────────────────────────────────────

  create(
    loc: Location,
    rawSpec: unknown,
    tags: TagRef[],
    clientToken: string | undefined,
  ): Promise<ResourceData> {
    const info = API_KIND_INFO[loc.kind];
    checkName(info.kind === 'Mesh' ? 'meshName' : info.nameField, loc.name);
    const spec = checkSpec<Record<string, unknown>>(info.spec, rawSpec, info.specRequired, {
      kind: loc.kind,
      name: loc.name,
    });
    return this.tokens.run(
      `Create${loc.kind}`,
      clientToken,
      { loc, spec, tags },
      () =>
        this.serialWrite(() =>
          loc.kind === 'Route' ? this.createRoute(loc, spec, tags) : this.createRecord(loc, spec, tags),
        ),
      (first) => this.stillExists(loc, first),
    );
  }

  update(loc: Location, rawSpec: unknown, clientToken: string | undefined): Promise<ResourceData> {
    const info = API_KIND_INFO[loc.kind];
    const spec = checkSpec<Record<string, unknown>>(info.spec, rawSpec, info.specRequired, {
      kind: loc.kind,
      name: loc.name,
    });
    return this.tokens.run(
      `Update${loc.kind}`,
      clientToken,
      { loc, spec },
      () =>
        this.serialWrite(() =>
          loc.kind === 'Route' ? this.updateRoute(loc, spec) : this.updateRecord(loc, spec),
        ),
      (first) => this.stillExists(loc, first),
    );
  }

  /** The resource an earlier response described is still there: same location, same uid. */
  private stillExists(loc: Location, earlier: ResourceData): boolean {
    try {
      return this.describe(loc).metadata.uid === earlier.metadata.uid;
    } catch {
      return false;
    }
  }

  delete(loc: Location): Promise<ResourceData> {
    return this.serialWrite(async () => {
      const found = this.find(loc);
      if (loc.kind === 'Route') return this.deleteRoute(loc, found);
      assertDeletable(this.catalog, loc.kind as Kind, loc.mesh, loc.name);
      const data = this.render(loc, found, 'DELETED');
      await this.commitDelete(found.entry.record);
      return data;
    });
  }

  /** Tags of any resource, routes included; `update` returns the new tag list or undefined to leave it. */
  readTags(loc: Location): TagRef[] {
    const found = this.find(loc);
    return (
      (loc.kind === 'Route'
        ? effectiveRouteMeta(found.entry.record, loc.name, this.catalog.firstSeen)
        : this.metaOf(found.entry.record)
      ).tags ?? []
    );
  }

  writeTags(loc: Location, change: (tags: TagRef[]) => TagRef[]): Promise<void> {
    return this.serialWrite(async () => {
      const found = this.find(loc);
      const record = found.entry.record;
      const meta = this.metaOf(record);
      if (loc.kind === 'Route') {
        const routeMeta = effectiveRouteMeta(record, loc.name, this.catalog.firstSeen);
        const next = {
          ...meta,
          routes: { ...(meta.routes ?? {}), [loc.name]: withTags(routeMeta, change(routeMeta.tags ?? [])) },
        };
        await this.commitPut(record.key, withApiMeta(record.value, next), record.version, true);
        return;
      }
      await this.commitPut(
        record.key,
        withApiMeta(record.value, withTags(meta, change(meta.tags ?? []))),
        record.version,
        true,
      );
    });
  }

  // ── record kinds ──────────────────────────────────────────────────────────

  private async createRecord(
    loc: Location,
    spec: Record<string, unknown>,
    tags: TagRef[],
  ): Promise<ResourceData> {
    const kindName = loc.kind as Exclude<ApiKind, 'Route'>;
    if (this.catalog.find(kindName, loc.kind === 'Mesh' ? undefined : loc.mesh, loc.name, loc.parent)) {
      throw conflict(
        `${kindName} with name ${loc.name} already exists${loc.kind === 'Mesh' ? '' : ` in mesh ${loc.mesh}`}${loc.parent ? ` under ${loc.parent}` : ''}.`,
      );
    }
    const now = nowSeconds(this.now());
    const meta = newMeta(now, tags);
    let resource: AnyResource;
    let key: string;
    if (loc.kind === 'Mesh') {
      enforceCreate(this.quotas, this.catalog, 'Mesh', loc.name);
      resource = meshToCrd(loc.name, spec);
      key = resourceKey('Mesh', undefined, loc.name);
    } else {
      const mesh = this.requireMesh(loc.mesh);
      const ctx = this.crdContext(mesh);
      enforceCreate(this.quotas, this.catalog, loc.kind, loc.mesh, loc.parent);
      enforceSpec(this.quotas, loc.kind, loc.name, spec);
      resource = this.toCrd(loc, spec, ctx);
      key = resourceKey(
        loc.kind,
        undefined,
        [loc.mesh, loc.parent, loc.name].filter((s) => s !== undefined).join('/'),
      );
    }
    resource = withApiMeta(
      {
        ...resource,
        metadata: {
          ...resource.metadata,
          uid: meta.uid,
          creationTimestamp: new Date(this.now()).toISOString(),
        },
      },
      meta,
    );
    const passed = this.checkChange(loc, key, resource);
    const record = await this.commitPut(key, resource, 0, false);
    this.validator.landed(passed, record);
    return this.render(loc, {
      entry: { key, record, kind: resource.kind, awsName: loc.name, mesh: loc.mesh },
    });
  }

  private async updateRecord(loc: Location, spec: Record<string, unknown>): Promise<ResourceData> {
    const found = this.find(loc);
    const record = found.entry.record;
    enforceSpec(this.quotas, loc.kind, loc.name, spec);
    const converted =
      loc.kind === 'Mesh'
        ? meshToCrd(loc.name, spec)
        : this.toCrd(loc, spec, this.crdContext(this.requireMesh(loc.mesh)));
    const meta = bumpMeta(this.metaOf(record), nowSeconds(this.now()));
    const resource = withApiMeta(mergeCrdUpdate(record.value, converted), meta);
    // Kubernetes resources keep their webhook's update rules (e.g. awsCloudMap is fixed once
    // set); API resources follow App Mesh, which has no such rule.
    if (record.value.metadata.namespace !== undefined) {
      const refused = checkUpdate(record.value, resource).filter((d) => d.severity === 'error');
      if (refused.length > 0) throw badRequest(refused.map(formatForApi).join('; '));
    }
    const passed = this.checkChange(loc, record.key, resource);
    const written = await this.commitPut(record.key, resource, record.version, false);
    this.validator.landed(passed, written);
    return this.render(loc, { entry: { ...found.entry, record: written } });
  }

  private toCrd(loc: Location, spec: Record<string, unknown>, ctx: ToCrdContext): AnyResource {
    // `spec` has been checked against the kind's API schema by now.
    switch (loc.kind) {
      case 'VirtualNode':
        return virtualNodeToCrd(loc.name, spec as never, ctx);
      case 'VirtualService':
        return virtualServiceToCrd(loc.name, spec as never, ctx);
      case 'VirtualRouter':
        return virtualRouterToCrd(
          loc.name,
          spec as never,
          ctx,
          this.catalog.find('VirtualRouter', loc.mesh, loc.name) ? undefined : [],
        );
      case 'VirtualGateway':
        return virtualGatewayToCrd(loc.name, spec as never, ctx);
      case 'GatewayRoute': {
        const gateway = this.requireParent('VirtualGateway', loc.mesh, loc.parent as string).record;
        const virtualGatewayRef = {
          name: gateway.value.metadata.name,
          ...(gateway.value.metadata.namespace ? { namespace: gateway.value.metadata.namespace } : {}),
          uid: this.metaOf(gateway).uid,
        };
        return gatewayRouteToCrd(loc.name, spec as never, { ...ctx, virtualGatewayRef });
      }
      default:
        throw new Error(`no CRD conversion for ${loc.kind}`);
    }
  }

  // ── routes (inside their router's record) ─────────────────────────────────

  private async createRoute(
    loc: Location,
    spec: Record<string, unknown>,
    tags: TagRef[],
  ): Promise<ResourceData> {
    const router = this.requireParent('VirtualRouter', loc.mesh, loc.parent as string);
    const value = router.record.value as VirtualRouter;
    const routes = value.spec.routes ?? [];
    if (routes.some((r) => r.name === loc.name)) {
      throw conflict(
        `Route with name ${loc.name} already exists under virtual router ${loc.parent} in mesh ${loc.mesh}.`,
      );
    }
    this.enforceRoutes(loc, routes.length + 1, spec);
    const route = routeToCrd(loc.name, spec as never, this.crdContext(this.requireMesh(loc.mesh)));
    const meta = this.metaOf(router.record);
    const routeMeta = newMeta(nowSeconds(this.now()), tags);
    const next = withApiMeta(
      { ...value, spec: { ...value.spec, routes: [...routes, route] } },
      { ...meta, routes: { ...(meta.routes ?? {}), [loc.name]: routeMeta } },
    );
    const passed = this.checkChange(loc, router.key, next);
    this.validator.landed(passed, await this.commitPut(router.key, next, router.record.version, true));
    return this.render(loc, this.find(loc));
  }

  private async updateRoute(loc: Location, spec: Record<string, unknown>): Promise<ResourceData> {
    const found = this.find(loc);
    const value = found.entry.record.value as VirtualRouter;
    const routes = [...(value.spec.routes ?? [])];
    this.enforceRoutes(loc, routes.length, spec);
    routes[found.routeIndex as number] = routeToCrd(
      loc.name,
      spec as never,
      this.crdContext(this.requireMesh(loc.mesh)),
    );
    const meta = this.metaOf(found.entry.record);
    const routeMeta = bumpMeta(
      effectiveRouteMeta(found.entry.record, loc.name, this.catalog.firstSeen),
      nowSeconds(this.now()),
    );
    const next = withApiMeta(
      { ...value, spec: { ...value.spec, routes } },
      { ...meta, routes: { ...(meta.routes ?? {}), [loc.name]: routeMeta } },
    );
    const passed = this.checkChange(loc, found.entry.key, next);
    this.validator.landed(
      passed,
      await this.commitPut(found.entry.key, next, found.entry.record.version, true),
    );
    return this.render(loc, this.find(loc));
  }

  private async deleteRoute(loc: Location, found: Found): Promise<ResourceData> {
    const data = this.render(loc, found, 'DELETED');
    const value = found.entry.record.value as VirtualRouter;
    const routes = (value.spec.routes ?? []).filter((_, i) => i !== found.routeIndex);
    const meta = this.metaOf(found.entry.record);
    const { [loc.name]: _gone, ...others } = meta.routes ?? {};
    const next = withApiMeta({ ...value, spec: { ...value.spec, routes } }, { ...meta, routes: others });
    await this.commitPut(found.entry.key, next, found.entry.record.version, true);
    return data;
  }

  private enforceRoutes(loc: Location, count: number, spec: Record<string, unknown>): void {
    enforceSpec(this.quotas, 'Route', loc.name, spec);
    // Routes are counted inside the router record, not by the catalog.
    enforce(this.quotas, 'routesPerVirtualRouter', count, `Virtual router ${loc.parent}`);
  }

  // ── shared plumbing ───────────────────────────────────────────────────────

  private find(loc: Location): Found {
    if (loc.kind === 'Mesh') {
      const entry = this.catalog.find('Mesh', undefined, loc.name);
      if (!entry)
        throw notFound(`Mesh with name ${loc.name} is not present for account ${this.options.accountId}.`);
      return { entry };
    }
    this.requireMesh(loc.mesh);
    if (loc.kind === 'Route') {
      const entry = this.requireParent('VirtualRouter', loc.mesh, loc.parent as string);
      const routes = (entry.record.value as VirtualRouter).spec.routes ?? [];
      const routeIndex = routes.findIndex((r) => r.name === loc.name);
      if (routeIndex < 0)
        throw notFound(
          `Route with name ${loc.name} is not present under virtual router ${loc.parent} in mesh ${loc.mesh} for account ${this.options.accountId}.`,
        );
      return { entry, route: routes[routeIndex] as Route, routeIndex };
    }
    if (loc.kind === 'GatewayRoute') this.requireParent('VirtualGateway', loc.mesh, loc.parent as string);
    const entry = this.catalog.find(loc.kind, loc.mesh, loc.name, loc.parent);
    if (!entry)
      throw notFound(
        `${loc.kind} with name ${loc.name} is not present under mesh ${loc.mesh} for account ${this.options.accountId}.`,
      );
    return { entry };
  }

  private requireMesh(mesh: string): CatalogEntry {
    const entry = this.catalog.find('Mesh', undefined, mesh);
    if (!entry)
      throw notFound(`Mesh with name ${mesh} is not present for account ${this.options.accountId}.`);
    return entry;
  }

  private requireParent(kind: 'VirtualRouter' | 'VirtualGateway', mesh: string, name: string): CatalogEntry {
    const entry = this.catalog.find(kind, mesh, name);
    if (!entry)
      throw notFound(
        `${kind} with name ${name} is not present under mesh ${mesh} for account ${this.options.accountId}.`,
      );
    return entry;
  }

  private crdContext(mesh: CatalogEntry): ToCrdContext {
    return {
      mesh: mesh.awsName,
      meshRef: { name: mesh.record.value.metadata.name, uid: this.metaOf(mesh.record).uid },
      arn: this.view.arn,
    };
  }

  private metaOf(record: StoredRecord<AnyResource>): StoredApiMeta {
    return effectiveMeta(record, this.catalog.firstSeen);
  }

  private render(loc: Location, found: Found, status: 'ACTIVE' | 'DELETED' = 'ACTIVE'): ResourceData {
    const record = found.entry.record;
    const meta =
      loc.kind === 'Route'
        ? effectiveRouteMeta(record, loc.name, this.catalog.firstSeen)
        : this.metaOf(record);
    return dataOf(loc, record.value, meta, this.view, status, found.route);
  }

  private refs<T>(
    page: { items: T[]; nextToken?: string },
    locOf: (item: T) => Location,
    metaOf: (item: T) => ApiMeta,
  ): ListResponse {
    const out: ListResponse = {
      items: page.items.map((item) => refOf(locOf(item), metaOf(item), this.view)),
    };
    if (page.nextToken !== undefined) out.nextToken = page.nextToken;
    return out;
  }

  /** Validates the mesh with `resource` stored under `key` against the mesh as it is. */
  private checkChange(loc: Location, key: string, resource: AnyResource): PassedCheck {
    const mesh = loc.kind === 'Mesh' ? loc.name : loc.mesh;
    const current =
      loc.kind === 'Mesh' && !this.catalog.find('Mesh', undefined, mesh)
        ? []
        : this.catalog.meshRecords(mesh);
    return this.validator.check({ mesh, current, key, resource, namespaces: this.catalog.namespaces() });
  }

  private serialWrite<T>(fn: () => Promise<T>): Promise<T> {
    return this.writes.run(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await fn();
        } catch (err) {
          if (!(err instanceof Retry)) throw err;
          if (attempt >= RETRIES)
            throw conflict('The resource was modified concurrently by another request; try again.');
          await this.catalog.waitFor(await this.store.revision());
        }
      }
    });
  }

  /** `mergeable`: the write merges into a shared record, so a conflict is retried after re-reading. */
  private async commitPut(
    key: string,
    value: AnyResource,
    expectedVersion: number,
    mergeable: boolean,
  ): Promise<StoredRecord<AnyResource>> {
    let record: StoredRecord<AnyResource>;
    try {
      record = await this.store.put(key, value, { expectedVersion });
    } catch (err) {
      throw this.mapConflict(err, key, expectedVersion, mergeable);
    }
    await this.catalog.waitFor(record.modRevision);
    return record;
  }

  private async commitDelete(record: StoredRecord<AnyResource>): Promise<void> {
    try {
      await this.store.delete(record.key, { expectedVersion: record.version });
    } catch (err) {
      throw this.mapConflict(err, record.key, record.version, false);
    }
    await this.catalog.waitFor(await this.store.revision());
  }

  private mapConflict(err: unknown, key: string, expectedVersion: number, mergeable: boolean): unknown {
    if (!(err instanceof ConflictError)) return err;
    if (mergeable) return new Retry(key);
    return conflict(
      expectedVersion === 0
        ? 'The resource was created concurrently by another request.'
        : 'The resource was modified concurrently by another request (its version changed since it was read); describe it and try again.',
    );
  }
}

function withTags<M extends ApiMeta>(meta: M, tags: TagRef[]): M {
  const { tags: _old, ...rest } = meta;
  return (tags.length > 0 ? { ...rest, tags } : rest) as M;
}
