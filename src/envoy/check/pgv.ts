/**
 * protoc-gen-validate rules of the Envoy protos, checked against a decoded message,
 * plus the generic message checks Envoy runs on every config it loads (Duration
 * ranges, deprecated fields). Rules are read from the protobufjs reflection
 * (`field.parsedOptions` → `(validate.rules)`, `oneof.options` → `(validate.required)`)
 * and compiled once per type into closures; checking then only walks the fields that
 * have rules or lead to fields that have.
 *
 * Payloads of Anys are unpacked and checked when their type is in the loaded Root,
 * as Envoy validates a typed_config when it instantiates the extension.
 */
import protobuf from 'protobufjs';
import {
  unpackAny,
  type AnyCache,
  type UnpackedAny,
  envoyRoot,
  findType,
  isPlainObject,
  reaches,
  requireType,
  typeInfo,
  type FieldInfo,
  type TypeInfo,
} from '../../proto/index.js';
import {
  compileValueRules,
  toBig,
  toNum,
  type PgvViolation,
  type Rules,
  type ValueCheck,
  type ValueTarget,
} from './pgv-rules.js';

export type { PgvViolation } from './pgv-rules.js';

export interface PgvOptions {
  /** Also run Envoy's generic checks: Duration ranges, deprecated and disallowed fields. Default true. */
  envoy?: boolean;
  /** Deprecated fields that may be used, by full name (`envoy.config.cluster.v3.Cluster.http2_protocol_options`). */
  allowDeprecated?: Iterable<string>;
  /** Shares decoded Any payloads with other checks of the same resources. */
  anyCache?: AnyCache;
}

interface Ctx {
  out: PgvViolation[];
  envoy: boolean;
  allowDeprecated: ReadonlySet<string>;
  cache: AnyCache;
}

type FieldCheck = (obj: Record<string, unknown>, path: string, ctx: Ctx) => void;

interface TypePlan {
  info: TypeInfo;
  checks: FieldCheck[];
  requiredOneofs: { name: string; fields: readonly string[] }[];
  /** Has rules of its own (not counting those of the types below it). */
  hasLocal: boolean;
  visit?: boolean;
}

const plans = new WeakMap<protobuf.Type, TypePlan>();
const visitMemo = new Map<protobuf.Type, boolean>();
const unsupported = new Map<string, Set<string>>();

/** Envoy keeps durations as int64 nanoseconds, which holds at most this many seconds. */
const MAX_ENVOY_DURATION_SECONDS = 9_223_372_036n;
const MAX_PROTO_DURATION_SECONDS = 315_576_000_000n;

const join = (path: string, name: string): string => (path === '' ? name : `${path}.${name}`);

function noteUnsupported(rule: string, field: string): void {
  let fields = unsupported.get(rule);
  if (!fields) unsupported.set(rule, (fields = new Set()));
  fields.add(field);
}

function deepMerge(into: Rules, from: Rules): Rules {
  const out: Rules = { ...into };
  for (const [k, v] of Object.entries(from)) {
    const prev = out[k];
    if (isPlainObject(prev) && isPlainObject(v)) out[k] = deepMerge(prev, v);
    else if (prev !== undefined && (k === 'in' || k === 'not_in'))
      out[k] = [...(Array.isArray(prev) ? prev : [prev]), ...(Array.isArray(v) ? v : [v])];
    else out[k] = v;
  }
  return out;
}

/**
 * The field's `(validate.rules)` as one object. protobufjs 7 gives one parsedOptions
 * entry per option statement (`[(validate.rules).uint32 = {...}, (validate.rules).message.required = true]`
 * gives two), with single-element repeated values unwrapped (`not_in: [6]` → `6`).
 * A Root built from JSON has only the flattened `options` (`(validate.rules).string.min_len`).
 */
export function fieldRules(field: protobuf.Field): Rules | undefined {
  let merged: Rules | undefined;
  const parsed: unknown = field.parsedOptions;
  if (Array.isArray(parsed)) {
    for (const entry of parsed) {
      const r = isPlainObject(entry) ? entry['(validate.rules)'] : undefined;
      if (isPlainObject(r)) merged = deepMerge(merged ?? {}, r);
    }
  }
  if (!merged && field.options) {
    const prefix = '(validate.rules).';
    for (const [k, v] of Object.entries(field.options)) {
      if (!k.startsWith(prefix)) continue;
      const keys = k.slice(prefix.length).split('.');
      let node: Rules = (merged ??= {});
      for (const key of keys.slice(0, -1))
        node = isPlainObject(node[key]) ? (node[key] as Rules) : (node[key] = {});
      node[keys[keys.length - 1] as string] = v;
    }
  }
  return merged;
}

function isDefaultScalar(f: FieldInfo, v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === '0' || v === false) return true;
  if (v instanceof Uint8Array) return v.length === 0;
  if (f.kind === 'enum' && typeof v === 'string') return f.enumType?.values[v] === 0;
  return false;
}

function deprecatedEnumValues(e: protobuf.Enum | undefined): Map<string, boolean> | undefined {
  if (!e?.valuesOptions) return undefined;
  const out = new Map<string, boolean>();
  for (const [name, opts] of Object.entries(e.valuesOptions)) {
    if (opts?.['deprecated'] === true)
      out.set(name, opts['(envoy.annotations.disallowed_by_default_enum)'] === true);
  }
  return out.size > 0 ? out : undefined;
}

function reportDeprecated(
  ctx: Ctx,
  path: string,
  fullName: string,
  disallowed: boolean,
  what = 'field',
): void {
  if (!ctx.envoy || ctx.allowDeprecated.has(fullName)) return;
  ctx.out.push({
    path,
    rule: disallowed ? 'envoy.disallowed_by_default' : 'envoy.deprecated',
    message: disallowed
      ? `${what} ${fullName} is deprecated and Envoy rejects it by default`
      : `${what} ${fullName} is deprecated`,
  });
}

function checkEnumValue(
  ctx: Ctx,
  deprecatedValues: Map<string, boolean> | undefined,
  enumName: string,
  v: unknown,
  path: string,
): void {
  if (!deprecatedValues || typeof v !== 'string') return;
  const disallowed = deprecatedValues.get(v);
  if (disallowed !== undefined) reportDeprecated(ctx, path, `${enumName}.${v}`, disallowed, 'enum value');
}

function pick(rules: Rules, key: string): Rules | undefined {
  const v = rules[key];
  return isPlainObject(v) ? v : undefined;
}

function knownKeys(
  r: Rules | undefined,
  prefix: string,
  keys: readonly string[],
  track: (rule: string) => void,
): void {
  if (r) for (const k of Object.keys(r)) if (!keys.includes(k)) track(`${prefix}.${k}`);
}

/** Compiles one field into a check, or undefined if it has nothing to check and nothing below it. */
function compileField(info: TypeInfo, f: FieldInfo): { check?: FieldCheck; local: boolean } {
  const rules = fieldRules(f.field) ?? {};
  const fullName = `${info.fullName}.${f.name}`;
  const track = (rule: string): void => noteUnsupported(rule, fullName);
  const name = f.name;
  const sub = f.messageType;
  const target: ValueTarget = {
    kind: f.kind,
    ...(f.enumType ? { enumType: f.enumType } : {}),
    ...(sub && typeInfo(sub).wellKnown ? { wellKnown: typeInfo(sub).wellKnown as string } : {}),
  };
  const deprecated = f.deprecated || f.disallowed;
  const enumName = f.enumType ? f.enumType.fullName.replace(/^\./, '') : '';
  const depValues = deprecatedEnumValues(f.enumType);
  const msgRules = pick(rules, 'message');
  knownKeys(msgRules, 'message', ['required', 'skip'], track);
  const skip = msgRules?.['skip'] === true;
  const requiredBy =
    msgRules?.['required'] === true
      ? 'message.required'
      : pick(rules, 'duration')?.['required'] === true
        ? 'duration.required'
        : pick(rules, 'timestamp')?.['required'] === true
          ? 'timestamp.required'
          : pick(rules, 'any')?.['required'] === true
            ? 'any.required'
            : undefined;

  if (f.map) {
    const mr = pick(rules, 'map');
    knownKeys(mr, 'map', ['min_pairs', 'max_pairs', 'no_sparse', 'keys', 'values', 'ignore_empty'], track);
    const keyRules = mr ? pick(mr, 'keys') : undefined;
    const valRules = mr ? pick(mr, 'values') : undefined;
    const keyCheck = keyRules
      ? compileValueRules(keyRules, { kind: f.keyKind ?? 'string' }, track)
      : undefined;
    const valCheck = valRules ? compileValueRules(valRules, target, track) : undefined;
    const valSkip = skip || (valRules ? pick(valRules, 'message')?.['skip'] === true : false);
    const minPairs = mr?.['min_pairs'] !== undefined ? toNum(mr['min_pairs']) : undefined;
    const maxPairs = mr?.['max_pairs'] !== undefined ? toNum(mr['max_pairs']) : undefined;
    const noSparse = mr?.['no_sparse'] === true;
    const ignoreEmpty = mr?.['ignore_empty'] === true;
    const local = !!(
      keyCheck ||
      valCheck ||
      minPairs !== undefined ||
      maxPairs !== undefined ||
      noSparse ||
      deprecated ||
      depValues
    );
    if (!local && !sub) return { local };
    const check: FieldCheck = (obj, path, ctx) => {
      const v = obj[name];
      const m = isPlainObject(v) ? v : undefined;
      const keys = m ? Object.keys(m) : [];
      if (keys.length === 0 && (ignoreEmpty || minPairs === undefined)) return;
      const p = join(path, name);
      if (deprecated && keys.length > 0) reportDeprecated(ctx, p, fullName, f.disallowed);
      if (minPairs !== undefined && keys.length < minPairs)
        ctx.out.push({
          path: p,
          rule: 'map.min_pairs',
          message: `must have at least ${minPairs} entries (has ${keys.length})`,
        });
      if (maxPairs !== undefined && keys.length > maxPairs)
        ctx.out.push({
          path: p,
          rule: 'map.max_pairs',
          message: `must have at most ${maxPairs} entries (has ${keys.length})`,
        });
      for (const k of keys) {
        const kp = `${p}[${JSON.stringify(k)}]`;
        const val = (m as Record<string, unknown>)[k];
        keyCheck?.(k, kp, ctx.out);
        if (noSparse && (val === undefined || val === null))
          ctx.out.push({ path: kp, rule: 'map.no_sparse', message: 'must have a value' });
        valCheck?.(val, kp, ctx.out);
        checkEnumValue(ctx, depValues, enumName, val, kp);
        if (sub && !valSkip) visitMessage(sub, val, kp, ctx);
      }
    };
    return { check, local };
  }

  if (f.repeated) {
    const rr = pick(rules, 'repeated');
    knownKeys(rr, 'repeated', ['min_items', 'max_items', 'unique', 'items', 'ignore_empty'], track);
    const itemRules = rr ? pick(rr, 'items') : undefined;
    const itemCheck = itemRules ? compileValueRules(itemRules, target, track) : undefined;
    const itemSkip = skip || (itemRules ? pick(itemRules, 'message')?.['skip'] === true : false);
    const minItems = rr?.['min_items'] !== undefined ? toNum(rr['min_items']) : undefined;
    const maxItems = rr?.['max_items'] !== undefined ? toNum(rr['max_items']) : undefined;
    const unique = rr?.['unique'] === true;
    const ignoreEmpty = rr?.['ignore_empty'] === true;
    const local = !!(
      itemCheck ||
      minItems !== undefined ||
      maxItems !== undefined ||
      unique ||
      deprecated ||
      depValues
    );
    if (!local && !sub) return { local };
    const check: FieldCheck = (obj, path, ctx) => {
      const v = obj[name];
      const arr = Array.isArray(v) ? (v as unknown[]) : [];
      if (arr.length === 0 && (ignoreEmpty || minItems === undefined)) return;
      const p = join(path, name);
      if (deprecated && arr.length > 0) reportDeprecated(ctx, p, fullName, f.disallowed);
      if (minItems !== undefined && arr.length < minItems)
        ctx.out.push({
          path: p,
          rule: 'repeated.min_items',
          message:
            minItems === 1
              ? 'must have at least 1 item'
              : `must have at least ${minItems} items (has ${arr.length})`,
        });
      if (maxItems !== undefined && arr.length > maxItems)
        ctx.out.push({
          path: p,
          rule: 'repeated.max_items',
          message: `must have at most ${maxItems} items (has ${arr.length})`,
        });
      const seen = unique ? new Set<string>() : undefined;
      for (let i = 0; i < arr.length; i++) {
        const el = arr[i];
        const ip = `${p}[${i}]`;
        if (seen) {
          const key =
            el instanceof Uint8Array
              ? Buffer.from(el).toString('hex')
              : typeof el === 'object'
                ? JSON.stringify(el)
                : String(el);
          if (seen.has(key))
            ctx.out.push({
              path: ip,
              rule: 'repeated.unique',
              message: `duplicates an earlier item (${key})`,
            });
          seen.add(key);
        }
        itemCheck?.(el, ip, ctx.out);
        checkEnumValue(ctx, depValues, enumName, el, ip);
        if (sub && !itemSkip) visitMessage(sub, el, ip, ctx);
      }
    };
    return { check, local };
  }

  const valueCheck: ValueCheck | undefined = compileValueRules(rules, target, track);
  if (sub) {
    const local = !!(valueCheck || requiredBy || deprecated);
    const check: FieldCheck = (obj, path, ctx) => {
      const v = obj[name];
      if (v === undefined || v === null) {
        // A oneof member's rules apply only when it is the member that is set.
        if (requiredBy && !f.explicitPresence)
          ctx.out.push({ path: join(path, name), rule: requiredBy, message: 'is required' });
        return;
      }
      const p = join(path, name);
      if (deprecated) reportDeprecated(ctx, p, fullName, f.disallowed);
      valueCheck?.(v, p, ctx.out);
      if (!skip) visitMessage(sub, v, p, ctx);
    };
    return { check, local };
  }

  const local = !!(valueCheck || deprecated || depValues);
  if (!local) return { local };
  const presence = f.explicitPresence;
  const check: FieldCheck = (obj, path, ctx) => {
    const v = obj[name];
    if (presence && (v === undefined || v === null)) return;
    if (deprecated && !isDefaultScalar(f, v)) reportDeprecated(ctx, join(path, name), fullName, f.disallowed);
    if (depValues && v !== undefined) checkEnumValue(ctx, depValues, enumName, v, join(path, name));
    valueCheck?.(v, join(path, name), ctx.out);
  };
  return { check, local };
}

function planOf(type: protobuf.Type): TypePlan {
  const cached = plans.get(type);
  if (cached) return cached;
  const info = typeInfo(type);
  const plan: TypePlan = { info, checks: [], requiredOneofs: [], hasLocal: false };
  plans.set(type, plan);
  if (info.wellKnown) return plan; // google.protobuf.* carry no PGV rules
  for (const o of info.oneofs) {
    if (o.required) {
      plan.requiredOneofs.push({ name: o.name, fields: o.fields });
      plan.hasLocal = true;
    }
  }
  for (const f of info.fields) {
    const { check, local } = compileField(info, f);
    if (check) plan.checks.push(check);
    if (local) plan.hasLocal = true;
  }
  return plan;
}

function needsVisit(plan: TypePlan): boolean {
  if (plan.visit === undefined) {
    plan.visit = reaches(
      plan.info.type,
      (info) => info.wellKnown === 'Any' || info.wellKnown === 'Duration' || planOf(info.type).hasLocal,
      visitMemo,
    );
  }
  return plan.visit;
}

function checkEnvoyDuration(v: Record<string, unknown>, path: string, out: PgvViolation[]): void {
  const s = toBig(v['seconds'] ?? 0);
  const n = toBig(v['nanos'] ?? 0);
  const shown = `${s}s ${n}ns`;
  if (s < 0n || n < 0n)
    out.push({ path, rule: 'envoy.duration', message: `must not be negative (is ${shown})` });
  else if (n > 999_999_999n || s > MAX_PROTO_DURATION_SECONDS)
    out.push({
      path,
      rule: 'envoy.duration',
      message: `is out of range for google.protobuf.Duration (is ${shown})`,
    });
  else if (s > MAX_ENVOY_DURATION_SECONDS)
    out.push({
      path,
      rule: 'envoy.duration',
      message: `is out of range: Envoy holds durations as 64-bit nanoseconds, at most ${MAX_ENVOY_DURATION_SECONDS}s (is ${shown})`,
    });
}

function visitAny(v: Record<string, unknown>, path: string, ctx: Ctx): void {
  const url = v['type_url'];
  const value = v['value'];
  const bytes =
    value instanceof Uint8Array
      ? value
      : typeof value === 'string'
        ? Buffer.from(value, 'base64')
        : undefined;
  if (typeof url !== 'string' || url === '') {
    if (bytes && bytes.length > 0)
      ctx.out.push({ path, rule: 'any.type_url', message: 'has a payload but no type_url' });
    return;
  }
  const type = findType(url);
  if (!type) {
    ctx.out.push({
      path,
      rule: 'any.type_url',
      message: `type ${url} is not in the loaded Envoy protos, so its payload cannot be checked`,
    });
    return;
  }
  let unpacked: UnpackedAny | undefined;
  try {
    unpacked = unpackAny({ type_url: url, value: bytes ?? new Uint8Array() }, ctx.cache);
  } catch (e) {
    ctx.out.push({
      path,
      rule: 'any.decode',
      message: `payload is not a valid ${url}: ${(e as Error).message}`,
    });
    return;
  }
  if (unpacked) visitMessage(type, unpacked.message, path, ctx);
}

function visitMessage(type: protobuf.Type, v: unknown, path: string, ctx: Ctx): void {
  if (!isPlainObject(v)) return;
  const plan = planOf(type);
  if (!needsVisit(plan)) return;
  const wk = plan.info.wellKnown;
  if (wk === 'Any') return visitAny(v, path, ctx);
  if (wk === 'Duration') {
    if (ctx.envoy) checkEnvoyDuration(v, path, ctx.out);
    return;
  }
  for (const o of plan.requiredOneofs) {
    if (!o.fields.some((n) => v[n] !== undefined && v[n] !== null)) {
      ctx.out.push({
        path: join(path, o.name),
        rule: 'oneof.required',
        message: `one of ${o.fields.join(', ')} must be set`,
      });
    }
  }
  for (const c of plan.checks) c(v, path, ctx);
}

/**
 * Checks `message` (a decoded plain object, as decodeMessage gives) of type `typeName`
 * against the PGV rules of its type and of everything below it, Any payloads included.
 * `basePath` prefixes every reported path.
 */
export function checkPgv(
  typeName: string,
  message: object,
  options: PgvOptions = {},
  basePath = '',
): PgvViolation[] {
  const ctx: Ctx = {
    out: [],
    envoy: options.envoy !== false,
    allowDeprecated: new Set(options.allowDeprecated ?? []),
    cache: options.anyCache ?? new WeakMap(),
  };
  visitMessage(requireType(typeName), message, basePath, ctx);
  return ctx.out;
}

export interface UnsupportedRule {
  /** The rule key, e.g. `timestamp.lt_now` or `string.well_known_regex(FOO)`. */
  rule: string;
  /** Fields that carry it, by full name. */
  fields: string[];
}

/**
 * Rules present in the loaded Envoy protos that checkPgv does not evaluate (it lets
 * them pass). Compiles the rule tables of every message type in the Root.
 */
export function unsupportedPgvRules(): UnsupportedRule[] {
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Type) planOf(nested);
      if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) visit(nested);
    }
  };
  visit(envoyRoot());
  return [...unsupported.entries()]
    .map(([rule, fields]) => ({ rule, fields: [...fields].sort() }))
    .sort((a, b) => (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
}
