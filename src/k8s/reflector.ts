/**
 * List + watch of one collection into an in-memory cache (an informer). Written here
 * rather than taken from client-node's `makeInformer`, whose ListWatch stops for good
 * on any error other than 410 and offers no "synced" signal; this one relists on 410
 * Expired, resumes from the last resourceVersion when a watch ends, and retries with
 * backoff when the API server is unreachable.
 */
import type { KubeClient, WatchEvent } from './rest-client.js';
import { isKubeError } from './rest-client.js';
import type { KubeObject } from './objects.js';

export type ChangeType = 'add' | 'update' | 'delete';

export interface Change<T> {
  type: ChangeType;
  object: T;
  /** The cached object before the change (update, delete). */
  old?: T;
}

export interface ReflectorOptions {
  /** First retry delay after a failure; doubles up to `maxBackoffMs`. Default 100. */
  backoffMs?: number;
  maxBackoffMs?: number;
  onError?: (error: unknown) => void;
}

interface ListResponse<T> {
  metadata?: { resourceVersion?: string };
  items?: T[];
}

export function objectKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export class Reflector<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly listeners = new Set<(changes: ReadonlyArray<Change<T>>) => void>();
  private resourceVersion = '';
  private abort?: AbortController;
  private stopped = true;
  private syncedResolve!: () => void;
  private readonly syncedPromise = new Promise<void>((r) => (this.syncedResolve = r));
  private loop?: Promise<void>;

  constructor(
    private readonly client: KubeClient,
    /** Collection path, e.g. `/api/v1/pods` or `/apis/appmesh.k8s.aws/v1beta2/virtualnodes`. */
    readonly path: string,
    private readonly options: ReflectorOptions = {},
  ) {}

  /** Changes arrive in batches: a relist delivers its whole difference at once. */
  onChange(listener: (changes: ReadonlyArray<Change<T>>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Resolves once the first list has been loaded. */
  synced(): Promise<void> {
    return this.syncedPromise;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    await this.loop;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(`${namespace ?? ''}/${name}`);
  }

  list(namespace?: string): T[] {
    const all = [...this.cache.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  private async run(): Promise<void> {
    let delay = this.options.backoffMs ?? 100;
    while (!this.stopped) {
      try {
        if (this.resourceVersion === '') await this.relist();
        this.abort = new AbortController();
        await this.client.watch<T>(
          this.path,
          { resourceVersion: this.resourceVersion, allowWatchBookmarks: true },
          (e) => this.onEvent(e),
          this.abort.signal,
        );
        delay = this.options.backoffMs ?? 100;
      } catch (e) {
        if (this.stopped) break;
        if (isKubeError(e, 410)) {
          this.resourceVersion = '';
          continue;
        }
        this.options.onError?.(e);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, this.options.maxBackoffMs ?? 5000);
      }
    }
  }

  private async relist(): Promise<void> {
    const list = await this.client.get<ListResponse<T>>(this.path);
    const changes: Change<T>[] = [];
    const seen = new Set<string>();
    for (const o of list.items ?? []) {
      const key = objectKey(o);
      seen.add(key);
      const old = this.cache.get(key);
      if (old && old.metadata.resourceVersion === o.metadata.resourceVersion) continue;
      this.cache.set(key, o);
      changes.push(old ? { type: 'update', object: o, old } : { type: 'add', object: o });
    }
    for (const [key, old] of this.cache) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      changes.push({ type: 'delete', object: old, old });
    }
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.emit(changes);
    this.syncedResolve();
  }

  private onEvent(e: WatchEvent<T>): void {
    if (e.type === 'ERROR') {
      const status = e.object as unknown as { code?: number };
      // 410: our resourceVersion is too old; relist. Anything else: restart the watch.
      if (status.code === 410) this.resourceVersion = '';
      this.abort?.abort();
      return;
    }
    const o = e.object;
    if (o?.metadata?.resourceVersion) this.resourceVersion = o.metadata.resourceVersion;
    if (e.type === 'BOOKMARK') return;
    const key = objectKey(o);
    const old = this.cache.get(key);
    if (e.type === 'DELETED') {
      if (!old) return;
      this.cache.delete(key);
      this.emit([{ type: 'delete', object: o, old }]);
      return;
    }
    this.cache.set(key, o);
    this.emit([old ? { type: 'update', object: o, old } : { type: 'add', object: o }]);
  }

  private emit(changes: Change<T>[]): void {
    if (changes.length === 0) return;
    for (const l of [...this.listeners]) l(changes);
  }
}
