/**
 * The one check every translation and golden test runs on generated resources:
 * encode each resource (proving the plain object maps 1:1 onto its proto), decode it,
 * check the PGV rules and Envoy's own message checks, then check the resources
 * against each other. A translation bug fails a test here, never a proxy.
 */
import {
  decodeMessage,
  type AnyCache,
  type ProtoObject,
  isPlainObject,
  XDS_KINDS,
  XDS_TYPE_NAME,
  resourceNameOf,
  type XdsKind,
} from '../../proto/index.js';
import { encodePlain } from '../encode-plain.js';
import { checkPgv, type PgvViolation } from './pgv.js';
import { formatCheckProblems, type CheckProblem } from './problem.js';
import { changedSince, keptHosts, type PassedSet } from './changed.js';
import { checkChangedReferences, checkReferences, type ResourceSet } from './references.js';
import { checkShape } from './structure.js';

export type { CheckProblem } from './problem.js';
export { formatCheckProblem, formatCheckProblems } from './problem.js';
export type { ResourceSet } from './references.js';
export type { PassedSet } from './changed.js';
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
  /**
   * The same group's resources as they last passed this check (with the same options):
   * only the resources that changed since are checked, when that gives the whole check's
   * verdict (see changedSince); otherwise the whole set is.
   */
  passed?: PassedSet;
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
    // The encoder whose bytes are served (same bytes as encodeMessage, faster; shared parts' bytes kept).
    bytes = encodePlain(typeName, input);
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
  const onlyChanged = options.passed && checkChangesSince(options.passed, set, options);
  if (onlyChanged) return onlyChanged;
  // For this call only: a resource checked before comes from the memo with its reference
  // findings, so its Anys are not unpacked again. (Kept per memo, keyed by the decoded
  // objects only the memo's entries hold, these caches made V8's collector resolve
  // ~70,000 weak-map entries in chains in every full collection's pause: 100–400 ms.)
  const anyCache: AnyCache = new WeakMap();
  // Resources used as written (they did not encode): not the memo's, nothing is kept on them.
  const asWritten = new Set<object>();
  const problems: CheckProblem[] = [];
  const decoded: Record<XdsKind, object[]> = {
    listeners: [],
    routes: [],
    clusters: [],
    endpoints: [],
    secrets: [],
  };
  for (const kind of XDS_KINDS) {
    (set[kind] ?? []).forEach((resource, index) => {
      const name = isPlainObject(resource) ? resourceNameOf(kind, resource) : '';
      const result = checkInParts(kind, resource, options, anyCache);
      for (const p of result.problems) problems.push({ kind, index, name, ...p });
      // Keep indexes aligned for the reference pass; an unencodable resource is used as written.
      const subject = result.decoded ?? (isPlainObject(resource) ? resource : {});
      if (result.decoded === undefined) asWritten.add(subject);
      decoded[kind].push(subject);
    });
  }
  problems.push(
    ...checkReferences(decoded, anyCache, options.suppliedSecrets, options.memo ? { asWritten } : undefined),
  );
  return problems;
}

/**
 * checkResources of a set by checking only what changed since `passed` (the same
 * problems in the same order), or undefined when the whole set must be checked: what
 * changed is more than changedSince allows, or a changed resource did not encode (the
 * whole check reports it, with the references of its as-written form).
 */
function checkChangesSince(
  passed: PassedSet,
  set: ResourceSet,
  options: CheckOptions,
): CheckProblem[] | undefined {
  const changed = changedSince(passed, set, options.suppliedSecrets ?? []);
  if (!changed) return undefined;
  const anyCache: AnyCache = new WeakMap();
  const problems: CheckProblem[] = [];
  const decoded: Record<XdsKind, readonly object[]> = { ...set };
  for (const kind of XDS_KINDS) {
    const at = changed[kind];
    if (!at) continue;
    const items = [...set[kind]];
    for (const index of at) {
      const resource = items[index]!;
      const result = checkInParts(kind, resource, options, anyCache);
      if (result.decoded === undefined) return undefined;
      const name = resourceNameOf(kind, resource);
      for (const p of result.problems) problems.push({ kind, index, name, ...p });
      items[index] = result.decoded;
    }
    decoded[kind] = items;
  }
  problems.push(
    ...checkChangedReferences(
      decoded,
      changed,
      keptHosts(passed, set),
      anyCache,
      options.suppliedSecrets ?? [],
      options.memo ? { asWritten: new Set() } : undefined,
    ),
  );
  return problems;
}

type CheckResult = ReturnType<typeof checkMessage>;

/**
 * Repeated fields whose items are checked one by one, each memoised on its own: the
 * translation shares these sub-messages across groups and runs (the virtual host every
 * caller of a service gets), so a route configuration that changed in one virtual host
 * re-checks that one. The fields carry no PGV rule of their own, so checking the items
 * apart finds exactly what checking them in place finds.
 */
const CHECKED_APART: Partial<Record<XdsKind, { field: string; typeName: string }>> = {
  routes: { field: 'virtual_hosts', typeName: 'envoy.config.route.v3.VirtualHost' },
};

function memoised(typeName: string, input: object, options: CheckOptions, anyCache: AnyCache): CheckResult {
  let result = options.memo?.get(input);
  if (!result) {
    result = checkMessage(typeName, input, options, anyCache);
    options.memo?.set(input, result);
  }
  return result;
}

/** checkMessage of one resource, with the CHECKED_APART items checked (and memoised) apart. */
function checkInParts(
  kind: XdsKind,
  resource: object,
  options: CheckOptions,
  anyCache: AnyCache,
): CheckResult {
  const part = CHECKED_APART[kind];
  const items = part && isPlainObject(resource) ? resource[part.field] : undefined;
  if (!part || !Array.isArray(items) || items.length === 0 || !items.every(isPlainObject))
    return memoised(XDS_TYPE_NAME[kind], resource, options, anyCache);
  const hit = options.memo?.get(resource);
  if (hit) return hit;
  const { [part.field]: _, ...rest } = resource as Record<string, unknown>;
  const head = checkMessage(XDS_TYPE_NAME[kind], rest, options, anyCache);
  const problems = [...head.problems];
  const decodedItems: ProtoObject[] = [];
  items.forEach((item: object, i) => {
    const r = memoised(part.typeName, item, options, anyCache);
    const at = `${part.field}[${i}]`;
    for (const p of r.problems) problems.push({ ...p, path: p.path === '' ? at : `${at}.${p.path}` });
    if (r.decoded) decodedItems.push(r.decoded);
  });
  const whole = head.decoded && decodedItems.length === items.length;
  const result: CheckResult = {
    problems,
    ...(whole ? { decoded: { ...head.decoded, [part.field]: decodedItems } } : {}),
  };
  options.memo?.set(resource, result);
  return result;
}

/** Throws an Error listing every problem, if there is any. */
export function assertResources(set: ResourceSet, options: CheckOptions = {}): void {
  const problems = checkResources(set, options);
  if (problems.length > 0)
    throw new Error(
      `${problems.length} problem(s) in generated Envoy resources:\n${formatCheckProblems(problems)}`,
    );
}
