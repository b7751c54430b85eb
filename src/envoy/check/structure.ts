/**
 * Proves that a plain object maps 1:1 onto its proto: every key is a field of the
 * type, every value has the field's shape, and encoding then decoding gives the same
 * values back (modulo unset defaults). protobufjs' fromObject drops unknown keys,
 * unknown enum names and the loser of a doubly-set oneof without a word, and wraps
 * out-of-range integers; this walk is where those become visible.
 *
 * Walks the object the translator wrote next to its decoded round trip; inside Anys
 * made by typedConfig/anyOf it walks the source object kept on the Any.
 */
import {
  anySourceOf,
  unpackAny,
  type AnyCache,
  type PlainAny,
  bareTypeName,
  findType,
  isPlainObject,
  LONG_KINDS,
  typeInfo,
  type FieldInfo,
  type TypeInfo,
} from '../../proto/index.js';
import type { PgvViolation } from './pgv-rules.js';

type Out = PgvViolation[];

const join = (path: string, name: string): string => (path === '' ? name : `${path}.${name}`);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'bytes';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string')
    return `the string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  return `${typeof v} ${String(v)}`;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing (unset)';
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number;
      prev[j] = Math.min(
        (prev[j] as number) + 1,
        (prev[j - 1] as number) + 1,
        diag + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diag = tmp;
    }
  }
  return prev[b.length] as number;
}

const norm = (s: string): string => s.replace(/_/g, '').toLowerCase();

function suggestion(names: Iterable<string>, key: string): string {
  let best: string | undefined;
  let bestScore = 3;
  for (const name of names) {
    const score = norm(name) === norm(key) ? 0 : editDistance(name, key);
    if (score < bestScore) {
      best = name;
      bestScore = score;
    }
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const INT_RANGE: Record<string, [number, number]> = {
  int32: [-2147483648, 2147483647],
  sint32: [-2147483648, 2147483647],
  sfixed32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  fixed32: [0, 4294967295],
};

function longOf(v: unknown): bigint | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : undefined;
  if (typeof v === 'string') return /^-?\d+$/.test(v) ? BigInt(v) : undefined;
  if (isPlainObject(v) && typeof v['low'] === 'number' && typeof v['high'] === 'number') {
    const raw = (BigInt(v['high'] as number) << 32n) | BigInt((v['low'] as number) >>> 0);
    return v['unsigned'] === true ? BigInt.asUintN(64, raw) : BigInt.asIntN(64, raw);
  }
  return undefined;
}

class Walker {
  constructor(
    private readonly out: Out,
    private readonly cache: AnyCache,
  ) {}

  private push(path: string, rule: string, message: string): void {
    this.out.push({ path, rule, message });
  }

  private mismatch(path: string, wrote: unknown, got: unknown): void {
    this.push(path, 'proto.round_trip', `wrote ${show(wrote)}, but the encoded message holds ${show(got)}`);
  }

  message(info: TypeInfo, input: unknown, decoded: unknown, path: string): void {
    if (!isPlainObject(input)) {
      this.push(path, 'proto.type', `must be an object (message ${info.fullName}), not ${describe(input)}`);
      return;
    }
    const dec = isPlainObject(decoded) ? decoded : {};
    if (info.wellKnown === 'Any' && '@type' in input) {
      this.push(
        path,
        'proto.any',
        `write an Any as typedConfig(typeName, obj), i.e. { type_url, value }, not { '@type': ... }`,
      );
      return;
    }
    for (const key of Object.keys(input)) {
      const v = input[key];
      if (v === undefined) continue;
      const f = info.byName.get(key);
      if (!f) {
        // toObject({ oneofs: true }) output fed back in: `cluster_specifier: 'cluster'` is harmless.
        const members = info.virtualKeys.get(key);
        if (members && typeof v === 'string' && members.includes(v)) continue;
        this.push(
          join(path, key),
          'proto.unknown_field',
          `${info.fullName} has no field "${key}"${suggestion(info.byName.keys(), key)}`,
        );
        continue;
      }
      if (v === null) continue;
      this.field(f, v, dec[key], join(path, key));
    }
    for (const o of info.oneofs) {
      const set = o.fields.filter((n) => input[n] !== undefined && input[n] !== null);
      if (set.length > 1)
        this.push(
          join(path, o.name),
          'proto.oneof',
          `only one of ${set.join(', ')} may be set (oneof ${o.name}); Envoy would keep only the last`,
        );
    }
    for (const key of Object.keys(dec)) {
      if (!info.byName.has(key)) continue;
      if (input[key] === undefined || input[key] === null)
        this.mismatch(join(path, key), undefined, dec[key]);
    }
    if (info.wellKnown === 'Any') this.anySource(input, path);
  }

  /** Inside an Any made by typedConfig: walk what the translator wrote against the payload. */
  private anySource(input: Record<string, unknown>, path: string): void {
    const source = anySourceOf(input);
    if (!source || typeof input['type_url'] !== 'string' || !(input['value'] instanceof Uint8Array)) return;
    const any = input as unknown as PlainAny;
    if (bareTypeName(any.type_url) !== source.typeName) {
      this.push(
        join(path, 'type_url'),
        'proto.any',
        `names ${any.type_url} but the payload was made as ${source.typeName}`,
      );
      return;
    }
    const type = findType(source.typeName);
    if (!type) return; // typedConfig cannot have made it; nothing to compare against
    let payload;
    try {
      payload = unpackAny(any, this.cache);
    } catch (e) {
      this.push(
        join(path, 'value'),
        'any.decode',
        `payload does not decode as ${source.typeName}: ${(e as Error).message}`,
      );
      return;
    }
    this.message(typeInfo(type), source.object, payload?.message, path);
  }

  private field(f: FieldInfo, v: unknown, d: unknown, path: string): void {
    if (f.map) {
      if (!isPlainObject(v)) {
        this.push(path, 'proto.type', `must be an object (map<${f.keyKind}, ${f.kind}>), not ${describe(v)}`);
        return;
      }
      const dm = isPlainObject(d) ? d : {};
      for (const k of Object.keys(v)) {
        const kp = `${path}[${JSON.stringify(k)}]`;
        const x = v[k];
        if (f.keyKind === 'bool' && k !== 'true' && k !== 'false')
          this.push(kp, 'proto.type', 'map key must be "true" or "false"');
        else if (f.keyKind !== 'string' && f.keyKind !== 'bool' && !/^-?\d+$/.test(k))
          this.push(kp, 'proto.type', `map key must be an integer (${f.keyKind})`);
        if (x === undefined || x === null) {
          this.push(kp, 'proto.type', 'map value must not be null');
          continue;
        }
        this.value(f, x, dm[k], kp);
      }
      return;
    }
    if (f.repeated) {
      if (!Array.isArray(v)) {
        this.push(
          path,
          'proto.type',
          `must be an array (repeated ${f.kind === 'message' ? f.messageType?.name : f.kind}), not ${describe(v)}`,
        );
        return;
      }
      const da = Array.isArray(d) ? d : [];
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x === undefined || x === null) {
          this.push(`${path}[${i}]`, 'proto.type', 'array item must not be null');
          return;
        }
        this.value(f, x, da[i], `${path}[${i}]`);
      }
      if (v.length !== da.length)
        this.push(
          path,
          'proto.round_trip',
          `wrote ${v.length} items, but the encoded message holds ${da.length}`,
        );
      return;
    }
    this.value(f, v, d, path);
  }

  private value(f: FieldInfo, v: unknown, d: unknown, path: string): void {
    switch (f.kind) {
      case 'message':
        this.message(typeInfo(f.messageType as NonNullable<FieldInfo['messageType']>), v, d, path);
        return;
      case 'enum': {
        const e = f.enumType;
        if (!e) return;
        let expected: string | number;
        if (typeof v === 'string') {
          const n = e.values[v];
          if (n === undefined) {
            this.push(
              path,
              'proto.enum',
              `${JSON.stringify(v)} is not a value of ${e.fullName.replace(/^\./, '')}${suggestion(Object.keys(e.values), v)}`,
            );
            return;
          }
          expected = e.valuesById[n] ?? n;
        } else if (typeof v === 'number' && Number.isInteger(v)) {
          expected = e.valuesById[v] ?? v;
        } else {
          this.push(path, 'proto.type', `must be an enum value name (or number), not ${describe(v)}`);
          return;
        }
        const got = d ?? e.valuesById[0] ?? 0;
        if (got !== expected) this.mismatch(path, v, d);
        return;
      }
      case 'string':
        if (typeof v !== 'string') this.push(path, 'proto.type', `must be a string, not ${describe(v)}`);
        else if ((d ?? '') !== v) this.mismatch(path, v, d);
        return;
      case 'bool':
        if (typeof v !== 'boolean') this.push(path, 'proto.type', `must be a boolean, not ${describe(v)}`);
        else if ((d ?? false) !== v) this.mismatch(path, v, d);
        return;
      case 'bytes': {
        const b = v instanceof Uint8Array ? v : typeof v === 'string' ? Buffer.from(v, 'base64') : undefined;
        if (!b)
          this.push(path, 'proto.type', `must be bytes (Uint8Array or base64 string), not ${describe(v)}`);
        else if (!bytesEqual(b, d instanceof Uint8Array ? d : new Uint8Array())) this.mismatch(path, v, d);
        return;
      }
      case 'double':
      case 'float': {
        if (typeof v !== 'number') {
          this.push(path, 'proto.type', `must be a number, not ${describe(v)}`);
          return;
        }
        const want = f.kind === 'float' ? Math.fround(v) : v;
        const got = typeof d === 'number' ? d : 0;
        if (!(got === want || (Number.isNaN(got) && Number.isNaN(want)))) this.mismatch(path, v, d);
        return;
      }
      default:
        if (LONG_KINDS.has(f.kind)) return this.long(f, v, d, path);
        return this.int32(f, v, d, path);
    }
  }

  private int32(f: FieldInfo, v: unknown, d: unknown, path: string): void {
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.push(path, 'proto.type', `must be an integer (${f.kind}), not ${describe(v)}`);
      return;
    }
    const [lo, hi] = INT_RANGE[f.kind] ?? [-Infinity, Infinity];
    if (v < lo || v > hi) {
      this.push(path, 'proto.range', `${v} does not fit in ${f.kind} [${lo}, ${hi}]`);
      return;
    }
    if ((typeof d === 'number' ? d : 0) !== v) this.mismatch(path, v, d);
  }

  private long(f: FieldInfo, v: unknown, d: unknown, path: string): void {
    const n = longOf(v);
    if (n === undefined) {
      const why =
        typeof v === 'number' && Number.isInteger(v) ? ' (beyond 2^53: write it as a decimal string)' : '';
      this.push(
        path,
        'proto.type',
        `must be an integer (${f.kind}) as a number or decimal string, not ${describe(v)}${why}`,
      );
      return;
    }
    const unsigned = f.kind === 'uint64' || f.kind === 'fixed64';
    if (
      unsigned ? n < 0n || n > 18446744073709551615n : n < -9223372036854775808n || n > 9223372036854775807n
    ) {
      this.push(path, 'proto.range', `${n} does not fit in ${f.kind}`);
      return;
    }
    if (String(d ?? '0') !== n.toString()) this.mismatch(path, v, d);
  }
}

/**
 * Compares `input` (what the translator wrote) with `decoded` (decodeMessage of its
 * encoding) field by field. Reports unknown keys (`proto.unknown_field`), values of
 * the wrong JS type (`proto.type`), integers out of range (`proto.range`), unknown
 * enum names (`proto.enum`), two members of one oneof (`proto.oneof`), Anys not in
 * the `{ type_url, value }` convention (`proto.any`) and anything else that did not
 * survive encoding (`proto.round_trip`).
 */
export function checkShape(
  typeName: string,
  input: object,
  decoded: object,
  basePath = '',
  anyCache: AnyCache = new WeakMap(),
): PgvViolation[] {
  const type = findType(typeName);
  if (!type) return [{ path: basePath, rule: 'proto.type', message: `unknown message type ${typeName}` }];
  const out: Out = [];
  new Walker(out, anyCache).message(typeInfo(type), input, decoded, basePath);
  return out;
}
