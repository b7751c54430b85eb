import { XDS_SHORT_NAME, type XdsKind } from '../../proto/index.js';

/**
 * One way a set of generated Envoy resources is wrong. These are translation bugs,
 * not user errors: tests fail on them so that no proxy ever receives such a config.
 */
export interface CheckProblem {
  /** Which collection of the set the resource is in. */
  kind: XdsKind;
  /** Position of the resource in that collection. */
  index: number;
  /** The resource's name (`name`, or `cluster_name` for endpoints); '' if it has none. */
  name: string;
  /** Field path inside the resource, e.g. `virtual_hosts[0].routes[2].route.cluster`; '' for the whole resource. */
  path: string;
  /** What was broken: a PGV rule (`string.min_len`), `proto.*` (encoding), `envoy.*` or `xds.*` (references). */
  rule: string;
  message: string;
}

/** `Cluster "cds_x" (clusters[3]): connect_timeout: must be greater than 0s (is 0s) [duration.gt]`. */
export function formatCheckProblem(p: CheckProblem): string {
  const where = p.path ? `${p.path}: ` : '';
  return `${XDS_SHORT_NAME[p.kind]} ${JSON.stringify(p.name)} (${p.kind}[${p.index}]): ${where}${p.message} [${p.rule}]`;
}

/** One problem per line; '' for none. Handy in `expect(formatCheckProblems(ps)).toBe('')`. */
export function formatCheckProblems(problems: readonly CheckProblem[]): string {
  return problems.map(formatCheckProblem).join('\n');
}
