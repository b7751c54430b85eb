/**
 * The mesh graph's input, kept from the process's one store mirror: the App Mesh
 * resources that pass their schema, and the Namespaces. Every change calls `onChange`;
 * the owner debounces. Watch failures are the mirror's business (it re-lists and
 * passes the difference on as changes), so nothing here can end the process.
 *
 * A change is only queued when the mirror delivers it, and checked against its schema
 * when the input is next read: the mirror delivers a REST write's record before the
 * write is answered, and re-checking a router of ten routes there was ~0.5 ms of an
 * UpdateRoute in `amime serve`. The queue is applied in the order of the changes, so
 * the input is the one an eager check would have built.
 */
import { checkObject, isKind, type AnyResource } from '../model/index.js';
import type { GraphInput, InputNamespace, InputResource } from '../mesh/index.js';
import { parseResourceKey, type StoredRecord } from './types.js';
import type { MirrorChange, StoreMirror } from './mirror.js';

interface NamespaceObject {
  metadata?: { name?: string; labels?: Record<string, string> };
}

export class StoreSource {
  private readonly resources = new Map<string, InputResource>();
  private readonly namespaces = new Map<string, InputNamespace>();
  private readonly invalid = new Map<string, string>();
  /** Changes delivered since the input was last read, oldest first. */
  private pending: MirrorChange[] = [];
  private readonly unsubscribe: () => void;

  constructor(mirror: StoreMirror, onChange: () => void) {
    for (const record of mirror.values()) this.upsert(record);
    this.unsubscribe = mirror.subscribe((change: MirrorChange) => {
      // The store also holds records that are not the mesh's (ClientToken, QuotaScope,
      // ProxyStatus, written every second by each replica): they must not start a translation.
      if (!isGraphInput(change.record.key)) return;
      this.pending.push(change);
      onChange();
    });
  }

  graphInput(): GraphInput {
    this.applyPending();
    return { resources: [...this.resources.values()], namespaces: [...this.namespaces.values()] };
  }

  get size(): number {
    this.applyPending();
    return this.resources.size;
  }

  /** Records the store holds that are not valid resources (written around the API), with why. */
  get rejected(): ReadonlyMap<string, string> {
    this.applyPending();
    return this.invalid;
  }

  close(): void {
    this.unsubscribe();
  }

  private applyPending(): void {
    if (this.pending.length === 0) return;
    const changes = this.pending;
    this.pending = [];
    for (const change of changes) {
      if (change.type === 'put') this.upsert(change.record);
      else this.remove(change.record.key);
    }
  }

  private upsert(record: StoredRecord): void {
    const kind = kindOf(record.key);
    if (kind === 'Namespace') {
      const meta = (record.value as NamespaceObject).metadata;
      if (meta?.name)
        this.namespaces.set(record.key, { name: meta.name, labels: { ...(meta.labels ?? {}) } });
      return;
    }
    if (!kind || !isKind(kind)) return;
    // Records were checked when written; API-created ones carry App Mesh names, which Kubernetes' name rule would refuse.
    const checked = checkObject(record.value, { kubernetesNames: false });
    if (!checked.resource) {
      this.invalid.set(record.key, checked.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; '));
      this.resources.delete(record.key);
      return;
    }
    this.invalid.delete(record.key);
    this.resources.set(record.key, { resource: checked.resource as AnyResource });
  }

  private remove(key: string): void {
    this.resources.delete(key);
    this.namespaces.delete(key);
    this.invalid.delete(key);
  }
}

/** Whether the record can be part of the graph's input: a Namespace or an App Mesh kind. */
function isGraphInput(key: string): boolean {
  const kind = kindOf(key);
  return kind === 'Namespace' || (kind !== undefined && isKind(kind));
}

function kindOf(key: string): string | undefined {
  try {
    return parseResourceKey(key).kind;
  } catch {
    return undefined;
  }
}
