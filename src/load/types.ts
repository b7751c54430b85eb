import type { Diagnostic, SourcePosition } from '../model/index.js';

export type FieldPath = ReadonlyArray<string | number>;

/** Finds fields of one loaded object in the text it came from. */
export interface SourceMap {
  /**
   * Map entries answer with their key (where a human looks), sequence entries with the
   * item. A path that does not exist answers with its deepest existing ancestor.
   */
  positionOf(path: FieldPath): SourcePosition | undefined;
  /** Where the object starts (first line of its content, after comments). */
  documentPosition(): SourcePosition;
}

/** Same shape as the model's `PathLocator`, so it can be handed over as is. */
export type Locator = (path: FieldPath) => SourcePosition | undefined;

export interface LoadedObject {
  /** Plain JSON value (a mapping for every object that reaches a LoadResult). */
  object: unknown;
  /** As the user gave it (relative stays relative). */
  file: string;
  /** 0-based index of the YAML document in the file. */
  docIndex: number;
  /** 0-based index inside a top-level array or a Kubernetes `List`, when it came from one. */
  itemIndex?: number;
  source: SourceMap;
}

export interface NamespaceInfo {
  name: string;
  labels: Readonly<Record<string, string>>;
  /** Position of `metadata.labels` (or the nearest ancestor): what selectors are matched against. */
  source: SourcePosition;
  /** Locates paths of the Namespace object. */
  locate: Locator;
  loaded: LoadedObject;
}

export const POD_ORIGINS = [
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'CronJob',
] as const;

export type PodOrigin = (typeof POD_ORIGINS)[number];

export interface PodInfo {
  namespace: string;
  /** The Pod's name, or the name of the workload whose template it is. */
  name: string;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  /** Position of the pod's `metadata.labels` (or the nearest ancestor). */
  source: SourcePosition;
  origin: PodOrigin;
  /** The pod `spec` (from the template for workloads); `{}` when absent. */
  podSpec: Readonly<Record<string, unknown>>;
  /** Locates pod-relative paths (`['metadata','labels','app']`) inside the template. */
  locate: Locator;
  loaded: LoadedObject;
}

export interface LoadResult {
  /** `apiVersion: appmesh.k8s.aws/v1beta2` objects of a known kind. */
  meshObjects: LoadedObject[];
  namespaces: NamespaceInfo[];
  pods: PodInfo[];
  diagnostics: Diagnostic[];
  /** Well-formed objects of kinds the mesh does not read (Service, ConfigMap, ...). */
  ignored: number;
}

export interface LoadOptions {
  /** Files of more bytes (texts of more characters) are refused. Default 64 MiB. */
  maxBytes?: number;
  /** Passed to the YAML library: bounds alias expansion (billion laughs). Default 100. */
  maxAliasCount?: number;
  /** Deepest collection nesting accepted (indentation is capped at 4x this). Default 200. */
  maxDepth?: number;
  /** The namespace of namespaced objects (App Mesh kinds, pods) that name none: the CLI's `-n`. Default `default`. */
  defaultNamespace?: string;
}

export const DEFAULT_LOAD_OPTIONS: Readonly<Required<LoadOptions>> = {
  maxBytes: 64 * 1024 * 1024,
  maxAliasCount: 100,
  maxDepth: 200,
  defaultNamespace: 'default',
};
