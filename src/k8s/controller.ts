/**
 * The Kubernetes controller: rebuilds the mesh graph from the informer cache whenever
 * App Mesh objects or Namespace labels change, hands it to listeners (translation,
 * endpoints, webhooks), and — on the elected leader only — writes App Mesh's status
 * and finalizers back. Status is written only when it differs from what is stored.
 */
import { buildMeshGraph, type GraphOptions, type MeshGraph } from '../mesh/index.js';
import { DEFAULT_ARN_CONTEXT, type ArnContext, type Kind } from '../model/index.js';
import { crdObjectPath } from './api-paths.js';
import { canonicalJson } from './canonical-json.js';
import type { ClusterCache } from './cluster-cache.js';
import { planFinalizers } from './finalizers.js';
import { idKey, type ConvertedInput } from './graph-input.js';
import type { LeaderElector } from './leader-election.js';
import type { KubeObject } from './objects.js';
import { placements, type Placement } from './placement.js';
import { isKubeError, type KubeClient } from './rest-client.js';
import { desiredStatus, statusMergePatch } from './status.js';

export interface ControllerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ControllerOptions {
  /** Region and account for `status.<kind>ARN`. */
  arn?: ArnContext;
  graphOptions?: GraphOptions;
  /** Without one, this controller always writes (single replica). */
  leaderElector?: LeaderElector;
  /** Coalesces bursts of changes; default 20 ms. */
  debounceMs?: number;
  /** Failed writes are retried after this long; default 1000 ms. */
  retryMs?: number;
  logger?: ControllerLogger;
}

export interface GraphUpdate {
  graph: MeshGraph;
  converted: ConvertedInput;
  placement: ReadonlyMap<string, Placement>;
}

const quiet: ControllerLogger = { info: () => {}, warn: () => {} };

export class KubernetesController {
  private latest?: GraphUpdate;
  private readonly listeners = new Set<(u: GraphUpdate) => void>();
  private timer?: NodeJS.Timeout;
  /** The finalizer and status writes under way. */
  private running?: Promise<void>;
  /** A newer graph than the one being written: write again after. */
  private dirty = false;
  private stopped = true;
  /** The cache has loaded every informer's first list: no graph is built before. */
  private synced = false;
  private unsubscribe: Array<() => void> = [];
  private readonly log: ControllerLogger;
  /** Status we wrote, by key, with the resourceVersion the write produced (the cache may lag). */
  private readonly written = new Map<string, { rv: number; status: string }>();
  /** Completed reconcile passes (for tests and metrics). */
  passes = 0;
  /** Status writes made (for tests and metrics). */
  statusWrites = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly cache: ClusterCache,
    private readonly options: ControllerOptions = {},
  ) {
    this.log = options.logger ?? quiet;
  }

  /** The latest graph, once the cache has synced. */
  get current(): GraphUpdate | undefined {
    return this.latest;
  }

  onGraph(listener: (u: GraphUpdate) => void): () => void {
    this.listeners.add(listener);
    if (this.latest) listener(this.latest);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.unsubscribe.push(this.cache.onChange((c) => c.graph && this.trigger()));
    if (this.options.leaderElector)
      this.unsubscribe.push(this.options.leaderElector.onChange((leader) => leader && this.trigger()));
    // Changes heard before every informer has listed are not acted on: a graph of the
    // kinds listed so far (the Mesh without its nodes) would deny their proxies and
    // write statuses and finalizers from half the cluster.
    await this.cache.synced();
    if (this.stopped) return;
    this.synced = true;
    // The first pass builds the graph before its first write: `current` is whole once start() resolves.
    void this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Runs a pass now (after any running one) and waits for it. */
  async reconcileNow(): Promise<void> {
    while (this.running) await this.running;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.run();
  }

  private trigger(delay = this.options.debounceMs ?? 20): void {
    if (this.stopped || !this.synced) return;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, delay);
  }

  /**
   * A pass: the graph from the cache, handed to the listeners at once, then written
   * back. The graph never waits for writes (slow on a busy API server): xDS
   * authorization and the endpoints read it. Writes go one pass at a time, and a
   * pass that comes while another writes has its graph written after it.
   */
  private run(): Promise<void> {
    try {
      this.rebuild();
    } catch (e) {
      this.log.warn({ err: String(e) }, 'reconcile pass failed');
      return Promise.resolve();
    }
    return this.write();
  }

  private rebuild(): void {
    const converted = this.cache.graphInput();
    const graph = buildMeshGraph(converted.input, this.options.graphOptions);
    this.latest = { graph, converted, placement: placements(graph) };
    for (const l of [...this.listeners]) l(this.latest);
  }

  /** Writes the latest graph's finalizers and statuses; while a write runs, once more after it. */
  private write(): Promise<void> {
    if (this.running) {
      this.dirty = true;
      return this.running;
    }
    const p = this.writeLatest()
      .catch((e: unknown) => this.log.warn({ err: String(e) }, 'reconcile pass failed'))
      .finally(() => {
        this.running = undefined;
        if (this.dirty && !this.stopped) {
          this.dirty = false;
          void this.write();
        }
      });
    this.running = p;
    return p;
  }

  private async writeLatest(): Promise<void> {
    const update = this.latest!;
    if (!this.options.leaderElector || this.options.leaderElector.isLeader()) {
      const ok = (await this.writeFinalizers(update.placement)) && (await this.writeStatuses(update));
      if (!ok && !this.stopped) setTimeout(() => this.trigger(0), this.options.retryMs ?? 1000);
    }
    this.passes++;
  }

  private async writeFinalizers(placement: ReadonlyMap<string, Placement>): Promise<boolean> {
    let ok = true;
    for (const u of planFinalizers(this.cache.appMeshObjects(), placement)) {
      try {
        await this.client.patch(crdObjectPath(u.kind, u.namespace, u.name), 'json', [
          { op: 'test', path: '/metadata/resourceVersion', value: u.resourceVersion },
          { op: 'add', path: '/metadata/finalizers', value: u.finalizers },
        ]);
        this.log.info({ kind: u.kind, namespace: u.namespace, name: u.name }, u.reason);
      } catch (e) {
        // A stale plan (the object changed) is redone on the next pass, which that change triggers.
        if (!isKubeError(e, 404) && !isKubeError(e, 409) && !isKubeError(e, 422)) {
          ok = false;
          this.log.warn({ kind: u.kind, name: u.name, err: String(e) }, 'finalizer update failed');
        }
      }
    }
    return ok;
  }

  private async writeStatuses(u: GraphUpdate): Promise<boolean> {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const arn = this.options.arn ?? DEFAULT_ARN_CONTEXT;
    let ok = true;
    for (const obj of this.cache.appMeshObjects()) {
      const key = idKey(String(obj.kind), obj.metadata.namespace, obj.metadata.name);
      const problems = u.converted.schemaProblems.get(key);
      const placement = u.placement.get(key);
      let current = (obj as { status?: Record<string, unknown> }).status;
      const mine = this.written.get(key);
      if (mine && mine.rv > Number(obj.metadata.resourceVersion ?? 0))
        current = JSON.parse(mine.status) as Record<string, unknown>;
      const desired = desiredStatus({ ...obj, ...(current ? { status: current } : {}) } as KubeObject, {
        graph: u.graph,
        ...(placement ? { placement } : {}),
        ...(problems ? { schemaProblems: problems } : {}),
        arn,
        now,
      });
      if (!desired || canonicalJson(current ?? {}) === canonicalJson(desired)) continue;
      try {
        const res = await this.client.patch<KubeObject & { status?: unknown }>(
          `${crdObjectPath(obj.kind as Kind, obj.metadata.namespace, obj.metadata.name)}/status`,
          'merge',
          statusMergePatch(current, desired),
        );
        this.statusWrites++;
        this.written.set(key, {
          rv: Number(res.metadata.resourceVersion ?? 0),
          status: canonicalJson(res.status ?? {}),
        });
      } catch (e) {
        if (isKubeError(e, 404)) continue;
        ok = false;
        this.log.warn({ key, err: String(e) }, 'status update failed');
      }
    }
    return ok;
  }
}
