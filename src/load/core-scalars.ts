import jsyaml from 'js-yaml';

/*
 * js-yaml's own schemas resolve plain scalars differently from the `yaml` library's
 * YAML 1.2 core schema, which the slow path uses (js-yaml reads `1_000` and `0b11` as
 * numbers, for one). So the fast path gets a schema whose one implicit type copies the
 * `yaml` core tests and conversions, in the same order: a plain scalar becomes the same
 * value on both paths by construction.
 */
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** Resolves a plain scalar as `yaml`'s core schema does; undefined when it stays a string. */
export function coreScalar(s: string): { value: unknown } | undefined {
  const c = s.charCodeAt(0);
  // Every core pattern starts with one of `~ n N t T f F + - .` or a digit; most strings do not.
  const candidate =
    c === 0x7e ||
    c === 0x6e ||
    c === 0x4e ||
    c === 0x74 ||
    c === 0x54 ||
    c === 0x66 ||
    c === 0x46 ||
    c === 0x2b ||
    c === 0x2d ||
    c === 0x2e ||
    (c >= 0x30 && c <= 0x39);
  if (!candidate) return undefined;
  if (NULL.test(s)) return { value: null };
  if (BOOL.test(s)) return { value: c === 0x74 || c === 0x54 };
  if (INT_OCT.test(s)) return { value: parseInt(s.substring(2), 8) };
  if (INT.test(s)) return { value: parseInt(s, 10) };
  if (INT_HEX.test(s)) return { value: parseInt(s.substring(2), 16) };
  if (FLOAT_NAN.test(s))
    return {
      value:
        s.slice(-3).toLowerCase() === 'nan'
          ? NaN
          : c === 0x2d
            ? Number.NEGATIVE_INFINITY
            : Number.POSITIVE_INFINITY,
    };
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return { value: parseFloat(s) };
  return undefined;
}

const coreScalarType = new jsyaml.Type('tag:amime,2026:core-scalar', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && coreScalar(data) !== undefined,
  construct: (data: string) => coreScalar(data)!.value,
});

/** Strings, sequences and mappings, plus plain scalars resolved as `yaml`'s core schema resolves them. */
export const CORE_SCALARS_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({ implicit: [coreScalarType] });
