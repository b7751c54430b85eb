/**
 * The serving pipeline: resources in → mesh graph → Envoy resources per proxy group
 * → encoded snapshots in the xDS cache. One run per (debounced) change. Groups whose
 * bytes did not change are left alone by the cache's content hashing, so proxies see
 * a push only when their own configuration changed.
 */
import { performance } from 'node:perf_hooks';
import { buildMeshGraph, type GraphInput, type GraphOptions, type MeshGraph } from '../mesh/index.js';
import { encodeResources } from '../envoy/translate.js';
import { Translator, type TranslatorResult } from '../envoy/translator.js';
import type { EndpointSource, VirtualNodeRef } from '../envoy/endpoints.js';
import type { TranslateOptions } from '../envoy/options.js';
import { checkResources, formatCheckProblems } from '../envoy/check/index.js';
import type { SnapshotCache } from '../xds/index.js';
import type { Diagnostic } from '../model/index.js';

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
  logger: PipelineLogger;
  onRun?: (run: PipelineRun) => void;
}

export interface PipelineRun {
  graph: MeshGraph;
  diagnostics: ReadonlyArray<Diagnostic>;
  groups: number;
  changedGroups: number;
  removedGroups: number;
  /** Groups whose output failed the checks and kept their last good snapshot. */
  failedGroups: string[];
  durationMs: number;
}

export class MeshPipeline {
  private current: MeshGraph | undefined;
  private readonly translator: Translator;

  constructor(private readonly options: PipelineOptions) {
    this.translator = new Translator(options.translate);
  }

  get graph(): MeshGraph | undefined {
    return this.current;
  }

  /** A full run: new resources in, changed groups re-translated and published. */
  run(input: GraphInput): PipelineRun {
    const started = performance.now();
    const graph = buildMeshGraph(input, this.options.graph);
    this.current = graph;
    let result: TranslatorResult;
    try {
      result = this.translator.update(graph, this.options.endpoints);
    } catch (err) {
      this.options.logger.error({ err }, 'translation failed; every proxy keeps its last good configuration');
      return this.report(graph, { groups: new Map(), changed: [], removed: [] }, [], started);
    }
    return this.report(graph, result, this.publish(result), started);
  }

  /** The endpoint fast path: only ClusterLoadAssignments built from `nodes` are rebuilt. */
  endpointsChanged(nodes: Iterable<VirtualNodeRef>): PipelineRun | undefined {
    if (!this.current) return undefined;
    const started = performance.now();
    const result = this.translator.updateEndpoints(this.options.endpoints, nodes);
    return this.report(this.current, result, this.publish(result), started);
  }

  /** Checks and encodes changed groups into the cache; returns the groups that failed the checks. */
  private publish(result: TranslatorResult): string[] {
    const { cache, logger } = this.options;
    const failed: string[] = [];
    for (const key of result.changed) {
      const resources = result.groups.get(key);
      if (!resources) continue;
      if (this.options.checkOutput !== false) {
        const problems = checkResources(resources);
        if (problems.length > 0) {
          failed.push(key);
          logger.error(
            { group: key, problems: problems.length },
            `translation produced invalid Envoy configuration; keeping the last good snapshot:\n${formatCheckProblems(problems)}`,
          );
          continue;
        }
      }
      const warnings = this.translator.translation(key)?.warnings ?? [];
      for (const message of warnings) logger.warn({ group: key }, message);
      cache.setSnapshot(key, encodeResources(resources));
    }
    for (const key of result.removed) cache.removeGroup(key);
    return failed;
  }

  private report(
    graph: MeshGraph,
    result: TranslatorResult,
    failedGroups: string[],
    started: number,
  ): PipelineRun {
    const run: PipelineRun = {
      graph,
      diagnostics: graph.diagnostics,
      groups: result.groups.size,
      changedGroups: result.changed.length - failedGroups.length,
      removedGroups: result.removed.length,
      failedGroups,
      durationMs: performance.now() - started,
    };
    this.options.onRun?.(run);
    return run;
  }
}
