/**
 * The one check every translation and golden test runs on generated resources:
 * encode each resource (proving the plain object maps 1:1 onto its proto), decode it,
 * check the PGV rules and Envoy's own message checks, then check the resources
 * against each other. A translation bug fails a test here, never a proxy.
 */
import {
  decodeMessage,
  encodeMessage,
  type AnyCache,
  type ProtoObject,
  isPlainObject,
  XDS_KINDS,
  XDS_TYPE_NAME,
  resourceNameOf,
  type XdsKind,
} from '../../proto/index.js';
import { checkPgv, type PgvViolation } from './pgv.js';
import { formatCheckProblems, type CheckProblem } from './problem.js';
import { checkReferences, type ResourceSet } from './references.js';
import { checkShape } from './structure.js';

export type { CheckProblem } from './problem.js';
export { formatCheckProblem, formatCheckProblems } from './problem.js';
export type { ResourceSet } from './references.js';
export { checkReferences } from './references.js';
export {
  checkPgv,
  unsupportedPgvRules,
  type PgvOptions,
  type PgvViolation,
  type UnsupportedRule,
} from './pgv.js';
export { checkShape } from './structure.js';

export interface CheckOptions {
  /**
   * Deprecated fields the translation may use on purpose (e.g. for older Envoys), by
   * full name: `envoy.config.cluster.v3.Cluster.http2_protocol_options`. Any other
   * deprecated field is a problem (`envoy.deprecated`).
   */
  allowDeprecated?: Iterable<string>;
  /** SDS secrets delivered over ADS with the group but not part of `set` (Amime's CA supplies them). */
  suppliedSecrets?: Iterable<string>;
  /**
   * Results of earlier checks by resource object (see `checkMemo`): the translation
   * shares unchanged resources across groups and runs as the same objects, so each is
   * checked once, not once per group and change.
   */
  memo?: CheckMemo;
}

/** Per-resource results of checkResources, by the (never mutated) resource object. */
export type CheckMemo = WeakMap<object, { problems: PgvViolation[]; decoded?: ProtoObject }>;

/** A memo for checkResources calls with the same `allowDeprecated`. */
export function checkMemo(): CheckMemo {
  return new WeakMap();
}

/**
 * Encoding, shape and PGV problems of one message given as a plain object: the
 * per-resource part of checkResources, usable for any type (e.g. one HCM).
 * Returns the decoded message too (undefined if it could not be encoded).
 */
export function checkMessage(
  typeName: string,
  input: object,
  options: CheckOptions = {},
  anyCache: AnyCache = new WeakMap(),
): { problems: PgvViolation[]; decoded?: ProtoObject } {
  if (!isPlainObject(input))
    return { problems: [{ path: '', rule: 'proto.type', message: 'must be a plain object' }] };
  let bytes: Uint8Array;
  try {
    bytes = encodeMessage(typeName, input);
  } catch (e) {
    // Walk it anyway: the shape check usually names the field protobufjs choked on.
    const shape = checkShape(typeName, input, {}, '', anyCache).filter((p) => p.rule !== 'proto.round_trip');
    return {
      problems: [
        {
          path: '',
          rule: 'proto.encode',
          message: `does not encode as ${typeName}: ${(e as Error).message}`,
        },
        ...shape,
      ],
    };
  }
  const decoded = decodeMessage(typeName, bytes);
  const problems = checkShape(typeName, input, decoded, '', anyCache);
  problems.push(
    ...checkPgv(typeName, decoded, {
      anyCache,
      ...(options.allowDeprecated ? { allowDeprecated: options.allowDeprecated } : {}),
    }),
  );
  return { problems, decoded };
}

/** checkMessage for one resource of an xDS kind, as CheckProblems. */
export function checkResource(
  kind: XdsKind,
  resource: object,
  index = 0,
  options: CheckOptions = {},
): CheckProblem[] {
  return checkMessage(XDS_TYPE_NAME[kind], resource, options).problems.map((p) => ({
    kind,
    index,
    name: resourceNameOf(kind, resource),
    ...p,
  }));
}

/**
 * Checks all resources of one proxy group: each encodes 1:1 (no unknown or misspelled
 * field, no value lost in the round trip), passes the PGV rules and Envoy's message
 * checks, and the set is consistent (see checkReferences). Returns [] when all is well.
 */
export function checkResources(set: ResourceSet, options: CheckOptions = {}): CheckProblem[] {
  const anyCache: AnyCache = new WeakMap();
  const problems: CheckProblem[] = [];
  const decoded: Record<XdsKind, object[]> = {
    listeners: [],
    routes: [],
    clusters: [],
    endpoints: [],
    secrets: [],
  };
  for (const kind of XDS_KINDS) {
    const typeName = XDS_TYPE_NAME[kind];
    (set[kind] ?? []).forEach((resource, index) => {
      const name = isPlainObject(resource) ? resourceNameOf(kind, resource) : '';
      let result = options.memo?.get(resource);
      if (!result) {
        result = checkMessage(typeName, resource, options, anyCache);
        options.memo?.set(resource, result);
      }
      for (const p of result.problems) problems.push({ kind, index, name, ...p });
      // Keep indexes aligned for the reference pass; an unencodable resource is used as written.
      decoded[kind].push(result.decoded ?? (isPlainObject(resource) ? resource : {}));
    });
  }
  problems.push(...checkReferences(decoded, anyCache, options.suppliedSecrets));
  return problems;
}

/** Throws an Error listing every problem, if there is any. */
export function assertResources(set: ResourceSet, options: CheckOptions = {}): void {
  const problems = checkResources(set, options);
  if (problems.length > 0)
    throw new Error(
      `${problems.length} problem(s) in generated Envoy resources:\n${formatCheckProblems(problems)}`,
    );
}
