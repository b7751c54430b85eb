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
import { type Quotas, MeshDiagnostics, checkUpdate } from '../mesh/index.js';
import {
  ConflictError,
  resourceKey,
  type ResourceStore,
  type StoredRecord,
  type TxnPut,
} from '../store/index.js';
import type { Catalog, CatalogEntry } from './catalog.js';
import { ApiError, badRequest, conflict, notFound } from './errors.js';
import {
  ClientTokenCache,
  fingerprintOf,
  tokenDeletedConflict,
  tokenReusedConflict,
  type IdempotencyOptions,
} from './idempotency.js';
import { TokenLedger } from './token-ledger.js';
import { isQuotaScopeKey, quotaGuard, quotaScopeKey } from './quota-guard.js';
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
import { recordSetOf } from './record-set.js';
import {
  CACHED_MESHES,
  ChangeValidator,
  formatForApi,
  fullValidation,
  type MeshValidator,
  type PassedCheck,
} from './validate.js';
import { dataOf, refOf, type Location, type ViewContext } from './view.js';

export interface ServiceOptions {
  store: ResourceStore;
  catalog: Catalog;
  accountId: string;
  region: string;
  /** Mesh validation; default: the mesh graph's diagnostics (`buildMeshGraph` with `quotas`), updated incrementally (`MeshDiagnostics`). */
  validate?: MeshValidator;
  quotas?: Partial<Quotas>;
  idempotency?: IdempotencyOptions;
  /** Other processes (replicas) write this store too. Default: when it is etcd. */
  sharedStore?: boolean;
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

/** Another request (on this replica or another) recorded the same clientToken first. */
class TokenTaken extends Error {}

/** Records the request's clientToken in the write's transaction, naming the uid it produced. */
type Claim = (uid: string) => TxnPut;

export class AppMeshService {
  readonly catalog: Catalog;
  private readonly store: ResourceStore;
  private readonly view: ViewContext;
  private readonly quotas: Quotas;
  private readonly validator: ChangeValidator;
  private readonly tokens: ClientTokenCache;
  /** clientTokens in the store, for every store but Kubernetes (whose store holds only cluster objects). */
  private readonly ledger: TokenLedger | undefined;
  /** Other replicas write the same store: catch up with it before each write. */
  private readonly replicated: boolean;
  private readonly writes = new SerialQueue();
  private readonly now: () => number;
  private closed = false;

  constructor(readonly options: ServiceOptions) {
    this.store = options.store;
    this.catalog = options.catalog;
    this.quotas = resolveQuotas(options.quotas);
    this.validator = new ChangeValidator(
      options.validate
        ? fullValidation(options.validate)
        : (input) => MeshDiagnostics.build(input, { quotas: this.quotas }),
    );
    this.tokens = new ClientTokenCache(options.idempotency);
    this.now = options.now ?? Date.now;
    this.ledger =
      this.store.kind === 'kubernetes'
        ? undefined
        : new TokenLedger(this.store, options.idempotency?.ttlMs ?? 8 * 3600_000, this.now);
    this.replicated = options.sharedStore ?? this.store.kind === 'etcd';
    this.view = {
      arn: { region: options.region, account: options.accountId },
      resolve: this.catalog.resolveAwsName,
    };
  }

  /**
   * Validates every mesh as it is, one per macrotask and between writes, so that the
   * first write to each after a start re-derives only what it can affect instead of
   * validating the whole mesh first (250–400 ms at 10× App Mesh's quotas: the p99 of
   * bench:propagation's writes). A mesh a write got to first is known and skipped; a
   * failure is left for the next write to that mesh to meet and report.
   */
  async prepareValidation(): Promise<void> {
    for (const { awsName: mesh } of this.catalog.list('Mesh').slice(0, CACHED_MESHES)) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.closed) return;
      await this.writes.run(async () => {
        try {
          this.validator.prepare({
            mesh,
            current: this.catalog.meshRecordSet(mesh),
            namespaces: this.catalog.namespaces(),
          });
        } catch {
          // The write that needs this state validates again and reports what fails.
        }
      });
    }
  }

  /** Stops `prepareValidation` (the API is closing). */
  close(): void {
    this.closed = true;
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
    return this.idempotentWrite(`Create${loc.kind}`, clientToken, { loc, spec, tags }, loc, (claim) =>
      loc.kind === 'Route'
        ? this.createRoute(loc, spec, tags, claim)
        : this.createRecord(loc, spec, tags, claim),
    );
  }

  update(loc: Location, rawSpec: unknown, clientToken: string | undefined): Promise<ResourceData> {
    const info = API_KIND_INFO[loc.kind];
    const spec = checkSpec<Record<string, unknown>>(info.spec, rawSpec, info.specRequired, {
      kind: loc.kind,
      name: loc.name,
    });
    return this.idempotentWrite(`Update${loc.kind}`, clientToken, { loc, spec }, loc, (claim) =>
      loc.kind === 'Route' ? this.updateRoute(loc, spec, claim) : this.updateRecord(loc, spec, claim),
    );
  }

  /**
   * A create or update under its clientToken: this replica's cache of recent tokens
   * first, then one write at a time, recorded in the store's token ledger (`once`).
   */
  private idempotentWrite(
    operation: string,
    clientToken: string | undefined,
    input: unknown,
    loc: Location,
    write: (claim?: Claim) => Promise<ResourceData>,
  ): Promise<ResourceData> {
    return this.tokens.run(
      operation,
      clientToken,
      input,
      () => this.serialWrite(() => this.once(operation, clientToken, input, loc, write)),
      (first) => this.stillExists(loc, first),
    );
  }

  /**
   * The store's side of clientToken idempotency (token-ledger.ts): a token some replica
   * already recorded is replayed; otherwise `write` records it with its own write.
   */
  private async once(
    operation: string,
    token: string | undefined,
    input: unknown,
    loc: Location,
    write: (claim?: Claim) => Promise<ResourceData>,
  ): Promise<ResourceData> {
    const ledger = this.ledger;
    if (!ledger || token === undefined || token === '') return write();
    const fingerprint = fingerprintOf(input);
    const seen = await ledger.lookup(operation, token);
    if (seen.live) return this.replay(loc, seen.live, fingerprint, seen.revision);
    let failure: unknown;
    try {
      return await write((uid) => ledger.claim(seen, operation, fingerprint, uid));
    } catch (err) {
      // Lost to the same token on another replica: either the ledger refused our claim, or
      // that replica's write (recorded with its claim) reached our view first, and ours
      // was refused as "already exists". Either way the token's first result is the answer.
      const lostRace =
        err instanceof TokenTaken || (err instanceof ApiError && err.errorType === 'ConflictException');
      if (!lostRace) throw err;
      failure = err;
    }
    const taken = await ledger.lookup(operation, token);
    if (taken.live) return this.replay(loc, taken.live, fingerprint, taken.revision);
    if (failure instanceof ApiError) throw failure;
    throw conflict('The resource was modified concurrently by another request; try again.');
  }

  private async replay(
    loc: Location,
    first: { fingerprint: string; uid: string },
    fingerprint: string,
    revision: number,
  ): Promise<ResourceData> {
    if (first.fingerprint !== fingerprint) throw tokenReusedConflict();
    await this.catalog.waitFor(revision);
    let now: ResourceData | undefined;
    try {
      now = this.describe(loc);
    } catch {
      now = undefined;
    }
    if (now?.metadata.uid !== first.uid) throw tokenDeletedConflict();
    return now;
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
    claim?: Claim,
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
    const record = await this.commitPut(key, resource, 0, false, [
      ...(claim ? [claim(meta.uid)] : []),
      ...(this.replicated ? [this.quotaGuard(loc)] : []),
    ]);
    this.validator.landed(passed, record);
    return this.render(loc, {
      entry: { key, record, kind: resource.kind, awsName: loc.name, mesh: loc.mesh },
    });
  }

  private async updateRecord(
    loc: Location,
    spec: Record<string, unknown>,
    claim?: Claim,
  ): Promise<ResourceData> {
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
    const written = await this.commitPut(
      record.key,
      resource,
      record.version,
      false,
      claim ? [claim(meta.uid)] : [],
    );
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
    claim?: Claim,
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
    this.validator.landed(
      passed,
      await this.commitPut(
        router.key,
        next,
        router.record.version,
        true,
        claim ? [claim(routeMeta.uid)] : [],
      ),
    );
    return this.render(loc, this.find(loc));
  }

  private async updateRoute(
    loc: Location,
    spec: Record<string, unknown>,
    claim?: Claim,
  ): Promise<ResourceData> {
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
      await this.commitPut(
        found.entry.key,
        next,
        found.entry.record.version,
        true,
        claim ? [claim(routeMeta.uid)] : [],
      ),
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
        ? recordSetOf([])
        : this.catalog.meshRecordSet(mesh);
    return this.validator.check({ mesh, current, key, resource, namespaces: this.catalog.namespaces() });
  }

  private serialWrite<T>(fn: () => Promise<T>): Promise<T> {
    return this.writes.run(async () => {
      // Another replica's write acknowledged before this request arrived is seen by it:
      // no spurious conflict, and no quota counted on an old view.
      if (this.replicated) await this.catchUp();
      for (let attempt = 1; ; attempt++) {
        try {
          return await fn();
        } catch (err) {
          if (!(err instanceof Retry)) throw err;
          if (attempt >= RETRIES)
            throw conflict('The resource was modified concurrently by another request; try again.');
          await this.catchUp();
        }
      }
    });
  }

  /** Only one replica at a time creates in a quota scope (quota-guard.ts); one process is serial already. */
  private quotaGuard(loc: Location): TxnPut {
    const scope = quotaScopeKey(loc.kind, loc.kind === 'Mesh' ? undefined : loc.mesh, loc.parent);
    return quotaGuard(scope, this.catalog.storeRecord(scope)?.version ?? 0);
  }

  private async catchUp(): Promise<void> {
    await this.catalog.waitFor(await this.store.revision());
  }

  /**
   * `mergeable`: the write merges into a shared record, so a conflict is retried after
   * re-reading. `alongside`: guards written in the same transaction (the clientToken,
   * the quota scope), first, so that their conflict is the one reported.
   */
  private async commitPut(
    key: string,
    value: AnyResource,
    expectedVersion: number,
    mergeable: boolean,
    alongside: readonly TxnPut[] = [],
  ): Promise<StoredRecord<AnyResource>> {
    let record: StoredRecord<AnyResource>;
    try {
      record =
        alongside.length === 0
          ? await this.store.put(key, value, { expectedVersion })
          : ((await this.store.txn([...alongside, { op: 'put', key, value, expectedVersion }])).results.at(
              -1,
            ) as StoredRecord<AnyResource>);
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
    if (TokenLedger.isKey(err.key)) return new TokenTaken(err.key);
    // Another replica created in the same quota scope: count again.
    if (mergeable || isQuotaScopeKey(err.key)) return new Retry(key);
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
