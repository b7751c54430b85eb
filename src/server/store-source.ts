/**
 * Keeps an in-memory copy of the store's App Mesh resources and Namespaces (list,
 * then watch from the list's revision) and turns it into the mesh graph's input.
 * Every change calls `onChange`; the owner debounces.
 */
import { checkObject, isKind, type AnyResource } from '../model/index.js';
import type { GraphInput, InputNamespace, InputResource } from '../mesh/index.js';
import { parseResourceKey, type ResourceStore, type StoredRecord, type WatchStream } from '../store/index.js';

interface NamespaceObject {
  metadata?: { name?: string; labels?: Record<string, string> };
}

export class StoreSource {
  private readonly resources = new Map<string, InputResource>();
  private readonly namespaces = new Map<string, InputNamespace>();
  private watch: WatchStream | undefined;
  private closed = false;
  /** Records the store holds that are not valid resources (written around the API); logged once each. */
  readonly rejected = new Map<string, string>();

  private constructor(
    private readonly store: ResourceStore,
    private readonly onChange: () => void,
  ) {}

  static async open(store: ResourceStore, onChange: () => void): Promise<StoreSource> {
    const source = new StoreSource(store, onChange);
    let token: string | undefined;
    let revision = 0;
    do {
      const page = await store.list({ limit: 500, ...(token ? { continueToken: token } : {}) });
      if (revision === 0) revision = page.revision;
      for (const record of page.items) source.upsert(record);
      token = page.nextToken;
    } while (token);
    source.watch = await store.watch({ fromRevision: revision });
    void source.follow(source.watch);
    return source;
  }

  graphInput(): GraphInput {
    return { resources: [...this.resources.values()], namespaces: [...this.namespaces.values()] };
  }

  get size(): number {
    return this.resources.size;
  }

  close(): void {
    this.closed = true;
    this.watch?.close();
  }

  private async follow(watch: WatchStream): Promise<void> {
    try {
      for await (const event of watch) {
        if (event.type === 'put') this.upsert(event.record);
        else this.remove(event.record.key);
        this.onChange();
      }
    } catch (err) {
      if (!this.closed) throw err;
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

function kindOf(key: string): string | undefined {
  try {
    return parseResourceKey(key).kind;
  } catch {
    return undefined;
  }
}
