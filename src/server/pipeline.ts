/**
 * The serving pipeline: resources in → mesh graph → Envoy resources per proxy group
 * → encoded snapshots in the xDS cache. One run per (debounced) change. Groups whose
 * bytes did not change are left alone by the cache's content hashing, so proxies see
 * a push only when their own configuration changed.
 *
 * SDS secrets the translation names without containing them (Amime's CA supplies the
 * group's certificate and the trust bundle) are added from `secrets` when a group is
 * published, and again by `secretsChanged` when the CA issues or rotates, without
 * translating anything.
 *
 * A long run can go in time slices (`runInSlices`): it gives the event loop a turn
 * every `sliceMs` of work, so the REST API and xDS streams are answered meanwhile, and
 * groups are published in batches as they are translated (`PUBLISH_BATCH`), so their
 * proxies get their push while later groups are still being worked on; groups with
 * connected proxies go first, groups nobody is waiting for last. When the first part
 * pushed to many proxies (`responsesInFlight`), the run waits for their answers before
 * it goes on with the rest (`FAN_OUT_WAIT_MIN`), so translating groups no proxy waits
 * for does not compete with the fan-out for the one thread. The run works
 * from the input it was given (the graph is built from it first, in one slice: a
 * spliced graph takes ~10–40 ms, a full build of a 4,500-resource mesh a few hundred);
 * the endpoint source is read live, so an endpoint change during a run reaches the groups translated after it, and
 * its fast path (`endpointsChanged`, which the caller queues behind the run) then
 * brings the others to it. One run at a time: between two slices the pipeline and its
 * Translator are mid-run, and `run`, `runInSlices`, `endpointsChanged` and
 * `secretsChanged` throw until the run has ended (src/server/pipeline-runs.ts orders
 * them for `amime serve`).
 *
 * Failures are per group: a group whose translation throws, whose output fails the
 * checks, or whose encoding throws keeps its last good snapshot, is listed in
 * `failures` (for /readyz, /debug/diagnostics and /metrics) until a later run serves it
 * again, and never stops the other groups from being published.
 */
import { performance } from 'node:perf_hooks';
import {
  IncrementalGraph,
  type GraphBuildKind,
  type IncrementalTuning,
  type GraphInput,
  type GraphOptions,
  type MeshGraph,
} from '../mesh/index.js';
import {
  edsServiceNames,
  encodeResources,
  type EncodedResources,
  Translator,
  type TranslatorResult,
  type EndpointSource,
  type VirtualNodeRef,
  type TranslateOptions,
  checkMemo,
  checkResources,
  formatCheckProblems,
  parseGroupKey,
} from '../envoy/index.js';
import type { EnvoyResources, GroupStep } from '../envoy/index.js';
import { TYPE_URL, type SnapshotCache } from '../xds/index.js';
import type { Diagnostic, ResourceId } from '../model/index.js';
import { DEFAULT_SLICE_MS, inSlices, SliceWait, toEnd } from './time-slices.js';

export interface PipelineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface PipelineOptions {
  cache: SnapshotCache;
  endpoints: EndpointSource;
  graph?: GraphOptions;
  translate?: TranslateOptions;
  /**
   * Check every generated resource (proto round trip, PGV rules, references) before
   * publishing it; a group that fails keeps its last good snapshot. On by default.
   */
  checkOutput?: boolean;
  /**
   * Splice the changes a run carries into the last graph when they are updates of a few
   * routers or nodes (src/mesh/incremental-graph.ts), instead of building the whole
   * graph again. On by default; off, every run builds in full (the benches' baseline).
   */
  incrementalGraph?: boolean | IncrementalTuning;
  logger: PipelineLogger;
  /** Called after every run and endpoint fast path, once it has ended (the pipeline accepts the next one). */
  onRun?: (run: PipelineRun) => void;
  /**
   * How long, in ms, a run of `runInSlices` works before giving the event loop a turn.
   * Default {@link DEFAULT_SLICE_MS}. Smaller: requests and streams wait less during a
   * long run, and the run takes a little longer (every turn runs what came meanwhile).
   */
  sliceMs?: number;
  /** Content of the SDS secrets the translation names but leaves to Amime's CA. */
  secrets?: SuppliedSecrets;
  /**
   * Responses the xDS server has sent and its proxies not yet ACKed or NACKed
   * (`XdsServer.responsesInFlight`). Without it, a run in slices never waits for a fan-out.
   */
  responsesInFlight?: () => number;
  /** Longest a run in slices waits for a fan-out to be answered, ms. Default {@link FAN_OUT_WAIT_MAX_MS}. */
  fanOutWaitMaxMs?: number;
}

/** Secrets the pipeline adds to a group's snapshot (src/ca). */
export interface SuppliedSecrets {
  /** The encoded Secret `name` for `group`; undefined while there is none yet (its proxies wait for it). */
  encoded(group: string, name: string): Uint8Array | undefined;
}

/** A proxy group that is not served its current configuration, and why. */
export interface GroupFailure {
  group: string;
  /** translate: translating it threw; check: its output failed the checks; publish: encoding it threw. */
  stage: 'translate' | 'check' | 'publish';
  message: string;
  /** Whether its proxies still get an earlier configuration (false: they get none yet). */
  servedLastGood: boolean;
}

export interface PipelineRun {
  graph: MeshGraph;
  /** How the graph was made: in full, by splicing the run's updates, or kept (the input did not change). */
  graphBuild: GraphBuildKind;
  diagnostics: ReadonlyArray<Diagnostic>;
  groups: number;
  changedGroups: number;
  removedGroups: number;
  /** Groups that failed in this run and kept their last good snapshot. */
  failedGroups: string[];
  /** Every group failing now (this run's and earlier runs' not yet served again). */
  failures: ReadonlyArray<GroupFailure>;
  /** From its start to its end: with `runInSlices`, the turns it gave the event loop included. */
  durationMs: number;
  /** Of `durationMs`, the time it waited for its proxies to answer a fan-out (`runInSlices`). */
  fanOutWaitMs: number;
}

const SECRET_TYPE_URL = TYPE_URL.Secret;
const CLUSTER_TYPE_URL = TYPE_URL.Cluster;
/** Distinct warnings remembered as logged (forgotten all at once beyond this). */
const MAX_WARNED = 10_000;

/**
 * Groups translated in a row before they are published. Translating one group after
 * another, then checking and encoding them one after another, costs ~8 % less CPU than
 * alternating the two for each group (a change every proxy sees, 4,000 groups); a batch
 * is still published long before the run ends.
 */
const PUBLISH_BATCH = 100;

/**
 * A run in slices that has published the groups with connected proxies, and finds at
 * least this many responses unanswered, waits (polling every {@link FAN_OUT_POLL_MS})
 * until fewer are, a newer change or other work is waiting for the pipeline, a proxy
 * connects to a group that had none, or {@link FAN_OUT_WAIT_MAX_MS} has passed; then it
 * translates the groups no proxy is connected to. At 10,000 proxies those groups are
 * ~200–250 ms of CPU (bench:propagation) that would otherwise run while the proxies'
 * ACKs come in; below a few hundred proxies their answers take milliseconds and the run
 * does not wait.
 */
export const FAN_OUT_WAIT_MIN = 256;
export const FAN_OUT_WAIT_MAX_MS = 3000;
const FAN_OUT_POLL_MS = 10;

/** At most this many check problems are kept in a failure's message (the log has them all). */
const PROBLEMS_IN_MESSAGE = 10;

export class MeshPipeline {
  private state: IncrementalGraph | undefined;
  private readonly translator: Translator;
  private readonly failing = new Map<string, GroupFailure>();
  /**
   * The last published output of each group: to add supplied secrets again without
   * translating, and to keep the encoding of what the next translation leaves unchanged.
   */
  private readonly published = new Map<
    string,
    {
      resources: EnvoyResources;
      encoded: EncodedResources;
      edsNames: ReadonlyMap<string, string>;
      /** The supplied secrets `resources` passed the output check with (none when it is off). */
      checkedWith?: readonly string[];
    }
  >();
  /** Warnings already logged: each is logged once, not at every run of every group. */
  private readonly warned = new Set<string>();
  /** Check results of resources the translation shares across groups and runs: each is checked once. */
  private readonly checked = checkMemo();
  /** Whether a run is under way (between two of its slices, too). */
  private running = false;

  constructor(private readonly options: PipelineOptions) {
    this.translator = new Translator(options.translate);
  }

  /** The graph of the newest run: during a run in slices, that run's (its groups are still being published). */
  get graph(): MeshGraph | undefined {
    return this.state?.graph;
  }

  /** The groups not served their current configuration, by group key, sorted. */
  get failures(): GroupFailure[] {
    return [...this.failing.values()].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  }

  /** The failures as diagnostics on the virtual node or gateway of each group (for /debug/diagnostics). */
  failureDiagnostics(): Diagnostic[] {
    return this.failures.map((f) => {
      const resource = this.resourceOf(f.group);
      const served = f.servedLastGood ? 'keeps its last good configuration' : 'has no configuration yet';
      return {
        severity: 'error',
        code: `translate.${f.stage}-failed`,
        ...(resource ? { resource } : {}),
        path: '',
        message: `proxy group ${f.group} ${served}: ${f.message}`,
      };
    });
  }

  /** A full run: new resources in, changed groups re-translated and published, without pausing. */
  run(input: GraphInput): PipelineRun {
    return this.announce(toEnd(this.steps(input)));
  }

  /**
   * `run` in time slices of `sliceMs` (see the header): the same snapshots, published a
   * batch of groups at a time. Resolves once the run has ended.
   */
  async runInSlices(
    input: GraphInput,
    sliceMs = this.options.sliceMs ?? DEFAULT_SLICE_MS,
    /** Whether other work waits for the pipeline: the run then stops waiting for a fan-out. */
    interrupted: () => boolean = () => false,
  ): Promise<PipelineRun> {
    return this.announce(await inSlices(this.steps(input, interrupted), sliceMs));
  }

  /** Whether a run is under way (started and not yet ended). */
  get busy(): boolean {
    return this.running;
  }

  /**
   * A run as steps: the graph, then the groups translated and published (checked,
   * encoded, set in the cache) a batch at a time, yielding after each group; then the
   * removed groups.
   */
  private *steps(
    input: GraphInput,
    /** In slices only: when the run may wait for a fan-out, and what ends the wait early. */
    interrupted?: () => boolean,
  ): Generator<void | SliceWait, PipelineRun, undefined> {
    this.assertIdle('run');
    this.running = true;
    try {
      const started = performance.now();
      this.state =
        this.state && this.options.incrementalGraph !== false
          ? this.state.next(input)
          : IncrementalGraph.build(input, this.options.graph, tuningOf(this.options.incrementalGraph));
      const graph = this.state.graph;
      yield;
      // Groups with connected proxies first: they get their push before the run goes
      // through groups no proxy waits for (at 1,000 proxies of a 4,000-group mesh, an
      // rt-all change reaches them all after a quarter of the run instead of its end).
      const cache = this.options.cache;
      const translation = this.translator.updateInSteps(graph, this.options.endpoints, (key) =>
        cache.watched(key),
      );
      // In the order `publish` gives: translation failures as they come, then the others by key.
      const translateFailed: string[] = [];
      const publishFailed: string[] = [];
      const batch: GroupStep[] = [];
      const inFlight = interrupted && this.options.responsesInFlight;
      // 'none': no group with a proxy translated yet; 'some': some; 'done': waited (or never will).
      let fanOut: 'none' | 'some' | 'done' = inFlight ? 'none' : 'done';
      let fanOutWaitMs = 0;
      for (;;) {
        let step: IteratorResult<GroupStep, TranslatorResult>;
        try {
          step = translation.next();
        } catch (err) {
          // Not a group's failure (the Translator catches those): finding the groups itself failed.
          this.options.logger.error(
            { err },
            'translation failed; every proxy keeps its last good configuration',
          );
          const nothing: TranslatorResult = {
            groups: new Map(),
            changed: [],
            removed: [],
            failed: new Map(),
          };
          return this.report(graph, nothing, [], started);
        }
        // The first group nobody waits for, after some that proxies do: the fan-out's turn.
        let fanOutEnds = false;
        if (!step.done) {
          batch.push(step.value);
          if (fanOut !== 'done') {
            if (step.value.first) fanOut = 'some';
            else if (fanOut === 'some') fanOutEnds = true;
            else fanOut = 'done';
          }
          if (!fanOutEnds && batch.length < PUBLISH_BATCH) {
            yield;
            continue;
          }
        }
        for (const { key, failure } of batch.splice(0)) {
          if (failure !== undefined) {
            this.fail(key, 'translate', failure);
            translateFailed.push(key);
          } else {
            const resources = this.translator.translation(key)?.resources;
            if (resources && !this.publishGroup(key, resources)) publishFailed.push(key);
          }
          yield;
        }
        if (fanOutEnds && inFlight && interrupted) {
          fanOut = 'done';
          const since = performance.now();
          yield new SliceWait(() => this.fanOutAnswered(inFlight, interrupted));
          fanOutWaitMs = performance.now() - since;
        }
        if (step.done) {
          this.removeGroups(step.value.removed);
          const failed = [...translateFailed, ...publishFailed.sort()];
          return this.report(graph, step.value, failed, started, undefined, fanOutWaitMs);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** The endpoint fast path: only ClusterLoadAssignments built from `nodes` are rebuilt. */
  endpointsChanged(nodes: Iterable<VirtualNodeRef>): PipelineRun | undefined {
    this.assertIdle('endpointsChanged');
    if (!this.state) return undefined;
    const started = performance.now();
    const result = this.translator.updateEndpoints(this.options.endpoints, nodes);
    return this.announce(this.report(this.state.graph, result, this.publish(result), started, 'unchanged'));
  }

  /** The supplied secrets each published group names (which groups need a certificate). */
  suppliedSecretNames(): Map<string, readonly string[]> {
    const out = new Map<string, readonly string[]>();
    for (const key of this.published.keys()) {
      const names = this.translator.translation(key)?.caSecrets ?? [];
      if (names.length > 0) out.set(key, names);
    }
    return out;
  }

  /** Publishes the groups again with the current supplied secrets (all groups when `groups` is absent). */
  secretsChanged(groups?: Iterable<string>): void {
    // Mid-run, a group's last published bytes and its new translation's secret names may disagree.
    this.assertIdle('secretsChanged');
    for (const key of groups ?? [...this.published.keys()]) {
      const p = this.published.get(key);
      if (p)
        this.options.cache.setSnapshot(key, this.withSuppliedSecrets(key, p.encoded), {
          edsNames: p.edsNames,
        });
    }
  }

  private withSuppliedSecrets(key: string, encoded: EncodedResources): EncodedResources {
    const names = this.translator.translation(key)?.caSecrets ?? [];
    const supplier = this.options.secrets;
    if (names.length === 0 || !supplier) return encoded;
    const secrets = new Map(encoded[SECRET_TYPE_URL]);
    for (const name of names) {
      const bytes = supplier.encoded(key, name);
      if (bytes) secrets.set(name, bytes);
    }
    return { ...encoded, [SECRET_TYPE_URL]: secrets };
  }

  private warnOnce(group: string, message: string): void {
    if (this.warned.has(message)) return;
    if (this.warned.size >= MAX_WARNED) this.warned.clear();
    this.warned.add(message);
    this.options.logger.warn({ group }, message);
  }

  /** Checks and encodes changed groups into the cache; returns the groups that failed in this run. */
  private publish(result: TranslatorResult): string[] {
    const failed: string[] = [];
    for (const [key, message] of result.failed) {
      this.fail(key, 'translate', message);
      failed.push(key);
    }
    for (const key of result.changed) {
      const resources = result.groups.get(key);
      if (resources && !this.publishGroup(key, resources)) failed.push(key);
    }
    this.removeGroups(result.removed);
    return failed;
  }

  /** Checks, encodes and sets one translated group's snapshot; false when it failed (and was recorded so). */
  private publishGroup(key: string, resources: EnvoyResources): boolean {
    const { cache } = this.options;
    try {
      const before = this.published.get(key);
      let checkedWith: readonly string[] | undefined;
      if (this.options.checkOutput !== false) {
        const suppliedSecrets = this.translator.translation(key)?.caSecrets ?? [];
        // What the group was last served passed: what is unchanged since is not checked again.
        const passed = before?.checkedWith && { set: before.resources, suppliedSecrets: before.checkedWith };
        const problems = checkResources(resources, {
          suppliedSecrets,
          memo: this.checked,
          ...(passed ? { passed } : {}),
        });
        if (problems.length > 0) {
          const shown = formatCheckProblems(problems.slice(0, PROBLEMS_IN_MESSAGE));
          const more = problems.length - PROBLEMS_IN_MESSAGE;
          this.fail(key, 'check', more > 0 ? `${shown}\n… and ${more} more` : shown);
          return false;
        }
        checkedWith = suppliedSecrets;
      }
      const encoded = encodeResources(resources, before);
      const warnings = this.translator.translation(key)?.warnings ?? [];
      for (const message of warnings) this.warnOnce(key, message);
      // The same clusters (the map kept) read the same endpoints: the cache sees the same object.
      const sameClusters =
        before !== undefined && before.encoded[CLUSTER_TYPE_URL] === encoded[CLUSTER_TYPE_URL];
      const edsNames = sameClusters ? before.edsNames : edsServiceNames(resources);
      const published = { resources, encoded, edsNames, ...(checkedWith ? { checkedWith } : {}) };
      cache.setSnapshot(key, this.withSuppliedSecrets(key, encoded), { edsNames: published.edsNames });
      this.published.set(key, published);
      this.failing.delete(key);
      return true;
    } catch (err) {
      this.fail(key, 'publish', err instanceof Error ? err.message : String(err));
      return false;
    }
  }

  /** Records that `group` is not served its current configuration, and logs why. */
  private fail(group: string, stage: GroupFailure['stage'], message: string): void {
    const servedLastGood = this.options.cache.getSnapshot(group) !== undefined;
    this.failing.set(group, { group, stage, message, servedLastGood });
    const keeps = servedLastGood ? 'keeping its last good snapshot' : 'it has no snapshot yet';
    this.options.logger.error(
      { group, stage },
      `proxy group ${group}: ${stage} failed; ${keeps}:\n${message}`,
    );
  }

  private removeGroups(removed: readonly string[]): void {
    for (const key of removed) {
      this.options.cache.removeGroup(key);
      this.published.delete(key);
      this.failing.delete(key);
    }
  }

  private assertIdle(what: string): void {
    if (this.running)
      throw new Error(`MeshPipeline.${what}: a run is in progress; wait for it to end (one run at a time)`);
  }

  /** Tells `onRun` about a run that has ended. */
  private announce(run: PipelineRun): PipelineRun {
    this.options.onRun?.(run);
    return run;
  }

  private resourceOf(group: string): ResourceId | undefined {
    const g = parseGroupKey(group);
    const view = g ? this.state?.graph.meshes.get(g.mesh) : undefined;
    if (!g || !view) return undefined;
    return (g.kind === 'virtualNode' ? view.virtualNodes : view.virtualGateways).get(g.name)?.id;
  }

  private report(
    graph: MeshGraph,
    result: TranslatorResult,
    failedGroups: string[],
    started: number,
    graphBuild: GraphBuildKind = this.state?.how ?? 'full',
    fanOutWaitMs = 0,
  ): PipelineRun {
    return {
      graph,
      graphBuild,
      diagnostics: graph.diagnostics,
      groups: result.groups.size,
      changedGroups: result.changed.length - failedGroups.length,
      removedGroups: result.removed.length,
      failedGroups,
      failures: this.failures,
      durationMs: performance.now() - started,
      fanOutWaitMs,
    };
  }

  /**
   * Resolves once the fan-out is (nearly) answered, other work is waiting, a proxy has
   * come for a group that had none (it may be one of those still to translate), or the
   * longest wait has passed.
   */
  private async fanOutAnswered(inFlight: () => number, interrupted: () => boolean): Promise<void> {
    const { cache } = this.options;
    const until = performance.now() + (this.options.fanOutWaitMaxMs ?? FAN_OUT_WAIT_MAX_MS);
    const watchedGroups = cache.watchedGroupsAdded;
    // The xDS server sends on the loop's check phase: count after it.
    await new Promise((resolve) => setImmediate(resolve));
    while (
      inFlight() >= FAN_OUT_WAIT_MIN &&
      !interrupted() &&
      cache.watchedGroupsAdded === watchedGroups &&
      performance.now() < until
    )
      await new Promise((resolve) => setTimeout(resolve, FAN_OUT_POLL_MS));
  }
}

function tuningOf(option: PipelineOptions['incrementalGraph']): IncrementalTuning {
  return typeof option === 'object' ? option : {};
}
