/** Builders for mesh-stage tests: raw manifests → checkObject → buildMeshGraph, like the CLI does. */
import type { AnyResource, Diagnostic } from '../model/index.js';
import { API_VERSION, checkObject } from '../model/index.js';
import { buildMeshGraph } from './build.js';
import type { ResourceEntry } from './context.js';
import type {
  GraphOptions,
  InputInvalid,
  InputNamespace,
  InputPod,
  InputResource,
  MeshGraph,
} from './graph.js';

export type Raw = Record<string, unknown>;

export const NS = 'ns';

/**
 * An entry as a rule sees it, for testing one rule function directly: `kind` `name` in
 * namespace ns with `spec` (left as given: partial and schema-invalid specs included).
 */
export function entryOf(
  kind: ResourceEntry['kind'],
  name: string,
  spec: object = {},
  more: Partial<ResourceEntry> = {},
): ResourceEntry {
  return {
    index: 0,
    resource: { kind, metadata: { name, namespace: NS }, spec } as unknown as AnyResource,
    kind,
    id: { kind, namespace: NS, name },
    key: 'k',
    awsName: `${name}_${NS}`,
    waitsFor: [],
    ...more,
  };
}

export function mesh(name = 'm', spec: Raw = { namespaceSelector: { matchLabels: { mesh: 'm' } } }): Raw {
  return { apiVersion: API_VERSION, kind: 'Mesh', metadata: { name }, spec };
}

function namespaced(
  kind: string,
  name: string,
  spec: Raw,
  extra: { namespace?: string; labels?: Record<string, string> } = {},
): Raw {
  return {
    apiVersion: API_VERSION,
    kind,
    metadata: { name, namespace: extra.namespace ?? NS, ...(extra.labels ? { labels: extra.labels } : {}) },
    spec,
  };
}

export const listener = (port = 8080, protocol = 'http', more: Raw = {}): Raw => ({
  portMapping: { port, protocol },
  ...more,
});
export const dns = (host = 'x.ns.svc.cluster.local'): Raw => ({ dns: { hostname: host } });

export function vn(
  name: string,
  spec: Raw = { listeners: [listener()], serviceDiscovery: dns() },
  extra?: { namespace?: string; labels?: Record<string, string> },
): Raw {
  return namespaced('VirtualNode', name, spec, extra);
}
export function vs(name: string, spec: Raw = {}, extra?: { namespace?: string }): Raw {
  return namespaced('VirtualService', name, spec, extra);
}
export function vr(name: string, spec: Raw, extra?: { namespace?: string }): Raw {
  return namespaced('VirtualRouter', name, spec, extra);
}
export function vg(
  name: string,
  spec: Raw = { namespaceSelector: {}, listeners: [listener(8088)] },
  extra?: { namespace?: string },
): Raw {
  return namespaced('VirtualGateway', name, spec, extra);
}
export function gr(
  name: string,
  spec: Raw,
  extra?: { namespace?: string; labels?: Record<string, string> },
): Raw {
  return namespaced('GatewayRoute', name, spec, extra);
}
export function bg(name: string, spec: Raw, extra?: { namespace?: string }): Raw {
  return namespaced('BackendGroup', name, spec, extra);
}

/** An http route `name` sending everything to the given nodes (weight 1 each). */
export function httpRoute(name: string, targets: string[], more: Raw = {}): Raw {
  return {
    name,
    httpRoute: {
      match: { prefix: '/' },
      action: { weightedTargets: targets.map((t) => ({ virtualNodeRef: { name: t }, weight: 1 })) },
      ...more,
    },
  };
}

export const vsRef = (name: string): Raw => ({ virtualService: { virtualServiceRef: { name } } });

export interface CheckOptions {
  namespaces?: InputNamespace[];
  pods?: InputPod[];
  options?: GraphOptions;
  /** Add Mesh `m` and Namespace `ns` (labels mesh=m); default true. */
  base?: boolean;
}

export interface Checked {
  graph: MeshGraph;
  /** Schema and graph diagnostics together. */
  diagnostics: Diagnostic[];
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

export function check(objects: Raw[], o: CheckOptions = {}): Checked {
  const base = o.base ?? true;
  const all = base ? [mesh(), ...objects] : objects;
  const diagnostics: Diagnostic[] = [];
  const resources: InputResource[] = [];
  const invalid: InputInvalid[] = [];
  for (const raw of all) {
    const r = checkObject(raw, { defaultNamespace: NS });
    diagnostics.push(...r.diagnostics);
    if (r.resource) resources.push({ resource: r.resource });
    else {
      const md = raw.metadata as { name: string; namespace?: string };
      invalid.push({
        id: {
          kind: String(raw.kind),
          name: md.name,
          ...(raw.kind === 'Mesh' ? {} : { namespace: md.namespace ?? NS }),
        },
      });
      if (r.partial)
        resources.push({ resource: r.partial.resource, schemaErrors: { removed: r.partial.removed } });
    }
  }
  const namespaces = o.namespaces ?? (base ? [{ name: NS, labels: { mesh: 'm' } }] : []);
  // Like the CLI: refs in manifests are compared with the selectors, not obeyed.
  const graph = buildMeshGraph(
    { resources, namespaces, pods: o.pods ?? [], invalid },
    { refsFromFiles: true, ...o.options },
  );
  diagnostics.push(...graph.diagnostics);
  return {
    graph,
    diagnostics,
    errors: diagnostics.filter((d) => d.severity === 'error'),
    warnings: diagnostics.filter((d) => d.severity === 'warning'),
  };
}

/** `severity code @ path` lines, for readable assertions. */
export function summarize(list: ReadonlyArray<Diagnostic>): string[] {
  return list.map((d) => `${d.severity} ${d.code} @ ${d.path}`);
}

export interface RuleCase {
  /** What the rule says, e.g. "listeners need serviceDiscovery". */
  rule: string;
  good: Raw[];
  bad: Raw[];
  /** The diagnostic the bad input must produce, at this field path. */
  code: string;
  path: string;
  severity?: 'error' | 'warning';
  /** Text the message must contain. */
  message?: string | RegExp;
  options?: CheckOptions;
}

/**
 * The good input passes without errors (and without the rule's diagnostic); the bad
 * one produces exactly that diagnostic, at the field path, with a message.
 */
export function verifyRule(c: RuleCase): { good: Checked; bad: Checked } {
  const good = check(c.good, c.options);
  const bad = check(c.bad, c.options);
  const severity = c.severity ?? 'error';
  const goodProblems = good.diagnostics.filter((d) => d.severity === 'error' || d.code === c.code);
  if (goodProblems.length > 0)
    throw new Error(
      `good input of "${c.rule}" was rejected:\n${summarize(goodProblems).join('\n')}\n${goodProblems.map((d) => d.message).join('\n')}`,
    );
  const hit = bad.diagnostics.find((d) => d.code === c.code && d.path === c.path && d.severity === severity);
  if (!hit)
    throw new Error(
      `bad input of "${c.rule}" did not produce ${severity} ${c.code} @ ${c.path}; got:\n${summarize(bad.diagnostics).join('\n')}`,
    );
  if (!hit.message) throw new Error(`"${c.rule}": empty message`);
  if (c.message !== undefined) {
    const ok = typeof c.message === 'string' ? hit.message.includes(c.message) : c.message.test(hit.message);
    if (!ok)
      throw new Error(
        `"${c.rule}": message ${JSON.stringify(hit.message)} does not match ${String(c.message)}`,
      );
  }
  return { good, bad };
}
