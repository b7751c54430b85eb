/**
 * The mesh graph's input, kept from the process's one store mirror: the App Mesh
 * resources that pass their schema, and the Namespaces. Every change calls `onChange`;
 * the owner debounces. Watch failures are the mirror's business (it re-lists and
 * passes the difference on as changes), so nothing here can end the process.
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
  private readonly unsubscribe: () => void;
  /** Records the store holds that are not valid resources (written around the API); logged once each. */
  readonly rejected = new Map<string, string>();

  constructor(mirror: StoreMirror, onChange: () => void) {
    for (const record of mirror.values()) this.upsert(record);
    this.unsubscribe = mirror.subscribe((change: MirrorChange) => {
      // The store also holds records that are not the mesh's (ClientToken, QuotaScope,
      // ProxyStatus, written every second by each replica): they must not start a translation.
      if (!isGraphInput(change.record.key)) return;
      if (change.type === 'put') this.upsert(change.record);
      else this.remove(change.record.key);
      onChange();
    });
  }

  graphInput(): GraphInput {
    return { resources: [...this.resources.values()], namespaces: [...this.namespaces.values()] };
  }

  get size(): number {
    return this.resources.size;
  }

  close(): void {
    this.unsubscribe();
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
      this.rejected.set(record.key, checked.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; '));
      this.resources.delete(record.key);
      return;
    }
    this.rejected.delete(record.key);
    this.resources.set(record.key, { resource: checked.resource as AnyResource });
  }

  private remove(key: string): void {
    this.resources.delete(key);
    this.namespaces.delete(key);
    this.rejected.delete(key);
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
