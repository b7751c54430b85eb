/**
 * Informers on everything Amime reads from a cluster: the seven App Mesh kinds,
 * Namespaces, and (optionally) Pods and EndpointSlices. Listeners hear what kind of
 * thing changed, so status-only writes (Amime's own) do not trigger a graph rebuild.
 */
import { KINDS, type Kind } from '../model/index.js';
import { crdCollectionPath, ENDPOINT_SLICES_PATH, NAMESPACES_PATH, PODS_PATH } from './api-paths.js';
import { canonicalJson } from './canonical-json.js';
import { toGraphInput, type ConvertedInput } from './graph-input.js';
import type { EndpointSlice, KubeObject, Namespace, Pod } from './objects.js';
import { Reflector, type Change } from './reflector.js';
import type { KubeClient } from './rest-client.js';

export interface CacheChange {
  /** App Mesh objects (other than status) or Namespace labels changed: the graph must be rebuilt. */
  graph: boolean;
  pods: boolean;
  endpointSlices: boolean;
}

export interface ClusterCacheOptions {
  /** Watch Pods (endpoints, xDS authorization). Default true. */
  pods?: boolean;
  /** Watch EndpointSlices (endpoints). Default true. */
  endpointSlices?: boolean;
  onError?: (error: unknown) => void;
}

/** What makes an App Mesh object different for the graph: everything but status and bookkeeping. */
function graphShape(o: KubeObject): string {
  const { status: _s, metadata, ...rest } = o as KubeObject & { status?: unknown };
  const {
    resourceVersion: _rv,
    managedFields: _mf,
    ...meta
  } = metadata as typeof metadata & { managedFields?: unknown };
  return canonicalJson({ ...rest, metadata: meta });
}

export class ClusterCache {
  readonly appMesh: ReadonlyMap<Kind, Reflector<KubeObject>>;
  readonly namespaces: Reflector<Namespace>;
  readonly pods?: Reflector<Pod>;
  readonly endpointSlices?: Reflector<EndpointSlice>;
  private readonly listeners = new Set<(c: CacheChange) => void>();

  constructor(client: KubeClient, options: ClusterCacheOptions = {}) {
    const ro = options.onError ? { onError: options.onError } : {};
    const appMesh = new Map<Kind, Reflector<KubeObject>>();
    for (const kind of KINDS) {
      const r = new Reflector<KubeObject>(client, crdCollectionPath(kind), ro);
      r.onChange((changes) => {
        if (changes.some((c) => c.type !== 'update' || !c.old || graphShape(c.old) !== graphShape(c.object)))
          this.emit({ graph: true, pods: false, endpointSlices: false });
      });
      appMesh.set(kind, r);
    }
    this.appMesh = appMesh;
    this.namespaces = new Reflector<Namespace>(client, NAMESPACES_PATH, ro);
    this.namespaces.onChange((changes) => {
      if (
        changes.some(
          (c: Change<Namespace>) =>
            c.type !== 'update' ||
            canonicalJson(c.old?.metadata.labels ?? {}) !== canonicalJson(c.object.metadata.labels ?? {}),
        )
      ) {
        this.emit({ graph: true, pods: false, endpointSlices: false });
      }
    });
    if (options.pods ?? true) {
      this.pods = new Reflector<Pod>(client, PODS_PATH, ro);
      this.pods.onChange(() => this.emit({ graph: false, pods: true, endpointSlices: false }));
    }
    if (options.endpointSlices ?? true) {
      this.endpointSlices = new Reflector<EndpointSlice>(client, ENDPOINT_SLICES_PATH, ro);
      this.endpointSlices.onChange(() => this.emit({ graph: false, pods: false, endpointSlices: true }));
    }
  }

  private all(): Reflector<KubeObject>[] {
    return [
      ...this.appMesh.values(),
      this.namespaces,
      ...(this.pods ? [this.pods] : []),
      ...(this.endpointSlices ? [this.endpointSlices] : []),
    ];
  }

  start(): void {
    for (const r of this.all()) r.start();
  }

  /** Resolves once every informer has loaded its first list. */
  async synced(): Promise<void> {
    await Promise.all(this.all().map((r) => r.synced()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((r) => r.stop()));
  }

  onChange(listener: (c: CacheChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(kind: Kind, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.appMesh.get(kind)?.get(kind === 'Mesh' ? undefined : namespace, name);
  }

  /** Every App Mesh object, kinds in reconcile order, each kind sorted by namespace/name (stable graph input). */
  appMeshObjects(): KubeObject[] {
    const out: KubeObject[] = [];
    for (const kind of KINDS) {
      const list = this.appMesh.get(kind)?.list() ?? [];
      list.sort((a, b) =>
        `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
          `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
        ),
      );
      for (const o of list) out.push({ ...o, kind, apiVersion: o.apiVersion ?? 'appmesh.k8s.aws/v1beta2' });
    }
    return out;
  }

  graphInput(): ConvertedInput {
    return toGraphInput({ appMesh: this.appMeshObjects(), namespaces: this.namespaces.list() });
  }

  private emit(c: CacheChange): void {
    for (const l of [...this.listeners]) l(c);
  }
}
