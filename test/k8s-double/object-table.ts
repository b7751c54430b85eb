/**
 * The API-server test double's storage: objects by (type, namespace, name), one
 * global resourceVersion counter (as etcd's revision is in a real cluster), and a
 * bounded event log so watches can resume from a resourceVersion until it is
 * compacted away (then the watch gets 410 Expired).
 */
import type { ResourceType } from './resource-types.js';

export interface KObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** Any Kubernetes object as JSON. */
export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: KObjectMeta;
  [key: string]: unknown;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface TableEvent {
  type: EventType;
  resource: ResourceType;
  object: KObject;
  rv: number;
}

export type SinceResult = { ok: true; events: TableEvent[] } | { ok: false; oldest: number };

function keyOf(t: ResourceType, namespace: string | undefined, name: string): string {
  return `${t.group}/${t.resource}\u0000${t.namespaced ? (namespace ?? '') : ''}\u0000${name}`;
}

export class ObjectTable {
  private readonly objects = new Map<string, KObject>();
  private rv = 0;
  private log: TableEvent[] = [];
  /** Events with rv <= compacted are gone from the log. */
  private compacted = 0;
  private readonly listeners = new Set<(e: TableEvent) => void>();

  constructor(private readonly historyLimit: number) {}

  get revision(): number {
    return this.rv;
  }

  get(t: ResourceType, namespace: string | undefined, name: string): KObject | undefined {
    const o = this.objects.get(keyOf(t, namespace, name));
    return o ? structuredClone(o) : undefined;
  }

  /** Objects of a type, optionally in one namespace, ordered by namespace then name. */
  list(t: ResourceType, namespace?: string): KObject[] {
    const prefix = `${t.group}/${t.resource}\u0000`;
    const out: KObject[] = [];
    for (const [k, o] of this.objects) {
      if (!k.startsWith(prefix)) continue;
      if (namespace !== undefined && t.namespaced && o.metadata.namespace !== namespace) continue;
      out.push(structuredClone(o));
    }
    return out.sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
      ),
    );
  }

  /** Stores `obj` under a new resourceVersion and returns the stored copy. */
  put(t: ResourceType, obj: KObject, type: 'ADDED' | 'MODIFIED'): KObject {
    const rv = ++this.rv;
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(rv);
    this.objects.set(keyOf(t, stored.metadata.namespace, stored.metadata.name ?? ''), stored);
    this.emit({ type, resource: t, object: structuredClone(stored), rv });
    return structuredClone(stored);
  }

  /** Removes the object; the DELETED event carries it with the deletion's resourceVersion, as Kubernetes does. */
  remove(t: ResourceType, obj: KObject): KObject {
    const rv = ++this.rv;
    this.objects.delete(keyOf(t, obj.metadata.namespace, obj.metadata.name ?? ''));
    const gone = structuredClone(obj);
    gone.metadata.resourceVersion = String(rv);
    this.emit({ type: 'DELETED', resource: t, object: structuredClone(gone), rv });
    return gone;
  }

  /** Events after `rv`, or the oldest resumable revision when that history is gone. */
  since(rv: number): SinceResult {
    if (rv < this.compacted) return { ok: false, oldest: this.compacted };
    return { ok: true, events: this.log.filter((e) => e.rv > rv) };
  }

  /** Drops history up to `rv` (default: everything so far), so older watches get 410. */
  compact(rv: number = this.rv): void {
    this.compacted = Math.max(this.compacted, Math.min(rv, this.rv));
    this.log = this.log.filter((e) => e.rv > this.compacted);
  }

  subscribe(listener: (e: TableEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: TableEvent): void {
    this.log.push(e);
    if (this.log.length > this.historyLimit) {
      const dropped = this.log.splice(0, this.log.length - this.historyLimit);
      this.compacted = dropped[dropped.length - 1]!.rv;
    }
    for (const l of [...this.listeners]) l(e);
  }
}
