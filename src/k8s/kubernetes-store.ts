/**
 * `ResourceStore` over a Kubernetes cluster, so `amime serve --store kubernetes` feeds
 * the same pipeline and REST API as the other stores.
 *
 * Reads come from a local mirror (a memory store) of the informer cache: the seven App
 * Mesh kinds and the Namespaces (`Namespace/_/<name>`, labels only), with status and
 * server bookkeeping left out so that Amime's own status writes do not look like
 * changes. Revisions, versions, watch and compaction are the mirror's.
 *
 * Writes go to the API server as creates, replaces and deletes of the CRD objects,
 * with `expectedVersion` checked against the mirror and enforced by the object's
 * resourceVersion (409 → ConflictError); each returns once the mirror has seen it.
 * Kept simple on purpose: only App Mesh kinds are writable, a namespaced kind needs a
 * namespace and a Kubernetes-valid name (so REST-API-style names such as
 * `vnode-1_mesh-test` are refused), and a transaction may hold at most one write.
 */
import type { Kind } from '../model/index.js';
import { isKind } from '../model/index.js';
import {
  ConflictError,
  createMemoryStore,
  InvalidArgumentError,
  parseResourceKey,
  resourceKey,
  type ListOptions,
  type ListResult,
  type ResourceStore,
  type StoreKind,
  type StoredRecord,
  type TxnOp,
  type TxnResult,
  type WatchOptions,
  type WatchStream,
  type WriteOptions,
} from '../store/index.js';
import { crdCreatePath, crdObjectPath } from './api-paths.js';
import { canonicalJson } from './canonical-json.js';
import type { ClusterCache } from './cluster-cache.js';
import type { KubeObject } from './objects.js';
import type { Change } from './reflector.js';
import { isKubeError, type KubeClient } from './rest-client.js';

const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The stored form: no status, no server bookkeeping. */
function mirrorValue(o: KubeObject): Record<string, unknown> {
  const { status: _s, metadata, ...rest } = o as KubeObject & { status?: unknown };
  const {
    resourceVersion: _rv,
    managedFields: _mf,
    generation: _g,
    ...meta
  } = metadata as typeof metadata & { managedFields?: unknown };
  return { ...rest, metadata: meta };
}

function namespaceValue(o: KubeObject): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: o.metadata.name, ...(o.metadata.labels ? { labels: o.metadata.labels } : {}) },
  };
}

export interface KubernetesStoreOptions {
  /** How long a write waits to see itself in the mirror; default 10 s. */
  settleTimeoutMs?: number;
}

export class KubernetesStore implements ResourceStore {
  readonly kind: StoreKind = 'kubernetes';
  private readonly mirror = createMemoryStore();
  /** Latest Kubernetes resourceVersion by store key (for write preconditions). */
  private readonly rv = new Map<string, string>();
  private queue: Promise<void> = Promise.resolve();
  private readonly waiters = new Set<() => void>();
  private readonly unsubscribe: Array<() => void> = [];

  private constructor(
    private readonly client: KubeClient,
    private readonly cache: ClusterCache,
    private readonly options: KubernetesStoreOptions,
  ) {}

  /** Mirrors the cache (which the caller starts and stops) once it has synced. */
  static async open(
    client: KubeClient,
    cache: ClusterCache,
    options: KubernetesStoreOptions = {},
  ): Promise<KubernetesStore> {
    const s = new KubernetesStore(client, cache, options);
    for (const [kind, r] of cache.appMesh)
      s.unsubscribe.push(r.onChange((changes) => s.apply(kind, changes)));
    s.unsubscribe.push(cache.namespaces.onChange((changes) => s.apply('Namespace', changes)));
    await cache.synced();
    for (const [kind, r] of cache.appMesh)
      s.apply(
        kind,
        r.list().map((object) => ({ type: 'add' as const, object })),
      );
    s.apply(
      'Namespace',
      cache.namespaces.list().map((object) => ({ type: 'add' as const, object })),
    );
    await s.queue;
    return s;
  }

  private apply(kind: Kind | 'Namespace', changes: ReadonlyArray<Change<KubeObject>>): void {
    this.queue = this.queue.then(async () => {
      for (const c of changes) {
        const o = c.object;
        const key = resourceKey(
          kind,
          kind === 'Mesh' || kind === 'Namespace' ? undefined : o.metadata.namespace,
          o.metadata.name,
        );
        if (c.type === 'delete') {
          this.rv.delete(key);
          await this.mirror.delete(key);
          continue;
        }
        if (o.metadata.resourceVersion) this.rv.set(key, o.metadata.resourceVersion);
        const value = kind === 'Namespace' ? namespaceValue(o) : mirrorValue({ ...o, kind });
        const current = await this.mirror.get(key);
        if (!current || canonicalJson(current.value) !== canonicalJson(value))
          await this.mirror.put(key, value);
      }
      for (const w of [...this.waiters]) w();
    });
  }

  get<T = unknown>(key: string): Promise<StoredRecord<T> | undefined> {
    return this.mirror.get<T>(key);
  }

  list<T = unknown>(options?: ListOptions): Promise<ListResult<T>> {
    return this.mirror.list<T>(options);
  }

  watch<T = unknown>(options?: WatchOptions): Promise<WatchStream<T>> {
    return this.mirror.watch<T>(options);
  }

  revision(): Promise<number> {
    return this.mirror.revision();
  }

  compact(revision: number): Promise<void> {
    return this.mirror.compact(revision);
  }

  async close(): Promise<void> {
    for (const u of this.unsubscribe) u();
    await this.mirror.close();
  }

  async put<T = unknown>(key: string, value: T, options: WriteOptions = {}): Promise<StoredRecord<T>> {
    const { kind, namespace, name } = this.target(key);
    const current = await this.mirror.get(key);
    const expected = options.expectedVersion;
    if (expected !== undefined && (current?.version ?? 0) !== expected)
      throw new ConflictError(key, expected, current?.version ?? 0);
    const body = structuredClone(value) as unknown as KubeObject & { status?: unknown };
    delete body.status;
    body.apiVersion = 'appmesh.k8s.aws/v1beta2';
    body.kind = kind;
    body.metadata = { ...(body.metadata ?? {}), name, ...(namespace ? { namespace } : {}) };
    let written: KubeObject;
    try {
      if (!current) written = await this.client.create<KubeObject>(crdCreatePath(kind, namespace), body);
      else {
        const rv =
          expected !== undefined
            ? this.rv.get(key)
            : (await this.client.get<KubeObject>(crdObjectPath(kind, namespace, name))).metadata
                .resourceVersion;
        written = await this.client.replace<KubeObject>(crdObjectPath(kind, namespace, name), {
          ...body,
          metadata: { ...body.metadata, resourceVersion: rv },
        });
      }
    } catch (e) {
      if (isKubeError(e, 409))
        throw new ConflictError(
          key,
          expected ?? current?.version ?? 0,
          (await this.mirror.get(key))?.version ?? 0,
        );
      throw e;
    }
    await this.settle(() => this.rv.get(key) === written.metadata.resourceVersion);
    const record = await this.mirror.get<T>(key);
    if (!record) throw new ConflictError(key, expected ?? 0, 0);
    return record;
  }

  async delete<T = unknown>(key: string, options: WriteOptions = {}): Promise<StoredRecord<T> | undefined> {
    const { kind, namespace, name } = this.target(key);
    const current = await this.mirror.get<T>(key);
    const expected = options.expectedVersion;
    if (expected !== undefined && (current?.version ?? 0) !== expected)
      throw new ConflictError(key, expected, current?.version ?? 0);
    if (!current) return undefined;
    try {
      const rv = this.rv.get(key);
      const res = await this.client.delete<KubeObject>(crdObjectPath(kind, namespace, name), {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        ...(expected !== undefined && rv ? { preconditions: { resourceVersion: rv } } : {}),
      });
      // Finalizers (a Mesh with members) keep the object until they are released; the deletion is still accepted.
      if (!res?.metadata?.deletionTimestamp) await this.settle(() => !this.rv.has(key));
    } catch (e) {
      if (isKubeError(e, 404)) return undefined;
      if (isKubeError(e, 409))
        throw new ConflictError(key, expected ?? current.version, (await this.mirror.get(key))?.version ?? 0);
      throw e;
    }
    return current;
  }

  async txn(ops: readonly TxnOp[]): Promise<TxnResult> {
    const writes = ops.filter((o) => o.op !== 'check');
    if (writes.length > 1)
      throw new InvalidArgumentError(
        'the Kubernetes store applies one write per transaction; Kubernetes has no multi-object transactions',
      );
    for (const op of ops) {
      if (op.op !== 'check') continue;
      const cur = await this.mirror.get(op.key);
      if ((cur?.version ?? 0) !== op.expectedVersion)
        throw new ConflictError(op.key, op.expectedVersion, cur?.version ?? 0);
    }
    const results: Array<StoredRecord | undefined> = [];
    for (const op of ops) {
      if (op.op === 'check') results.push(await this.mirror.get(op.key));
      else if (op.op === 'put')
        results.push(
          await this.put(
            op.key,
            op.value,
            op.expectedVersion !== undefined ? { expectedVersion: op.expectedVersion } : {},
          ),
        );
      else
        results.push(
          await this.delete(
            op.key,
            op.expectedVersion !== undefined ? { expectedVersion: op.expectedVersion } : {},
          ),
        );
    }
    return { revision: await this.mirror.revision(), results };
  }

  private target(key: string): { kind: Kind; namespace: string | undefined; name: string } {
    const { kind, namespace, name } = parseResourceKey(key);
    if (!isKind(kind))
      throw new InvalidArgumentError(`the Kubernetes store writes App Mesh kinds only, not ${kind}`);
    if (kind !== 'Mesh' && !namespace)
      throw new InvalidArgumentError(
        `${kind} ${name}: in Kubernetes every App Mesh kind but Mesh lives in a namespace`,
      );
    if (!K8S_NAME.test(name) || name.length > 253)
      throw new InvalidArgumentError(
        `${kind} ${name}: not a valid Kubernetes object name (lowercase letters, digits, "-" and ".")`,
      );
    return { kind, namespace: kind === 'Mesh' ? undefined : namespace, name };
  }

  /** Waits until the mirror satisfies `done` (it is re-checked after every mirrored batch). */
  private async settle(done: () => boolean): Promise<void> {
    if (done()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error('the write did not reach the informer cache in time'));
      }, this.options.settleTimeoutMs ?? 10_000);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
    await this.queue;
  }
}
