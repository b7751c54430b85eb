/**
 * The settings of `amime serve` as a flat list walked from ServeConfigSchema: the
 * config-file key, the flag, the flag's value placeholder, description and default.
 * `amime serve` registers its flags from this list and docs/configuration.md is
 * generated from it, so every key has a flag and every flag a key.
 */
import { Kind, type TSchema } from '@sinclair/typebox';
import {
  ConfigError,
  ServeConfigSchema,
  schemaErrors,
  type ServeConfigInput,
  type SettingOptions,
} from './config.js';

export type SettingType = 'string' | 'integer' | 'number' | 'boolean' | 'list' | 'map' | 'choice';

export interface Setting extends SettingOptions {
  /** Dotted config-file key: `xds.authFile`. */
  key: string;
  type: SettingType;
  choices?: string[];
}

function typeOf(schema: TSchema): Pick<Setting, 'type' | 'choices'> {
  switch (schema[Kind]) {
    case 'String':
      return { type: 'string' };
    case 'Integer':
      return { type: 'integer' };
    case 'Number':
      return { type: 'number' };
    case 'Boolean':
      return { type: 'boolean' };
    case 'Array':
      return { type: 'list' };
    case 'Record':
      return { type: 'map' };
    case 'Union':
      return { type: 'choice', choices: (schema.anyOf as Array<{ const: string }>).map((s) => s.const) };
    default:
      throw new Error(`settings: no flag type for schema kind ${String(schema[Kind])}`);
  }
}

function walk(schema: TSchema, prefix: string): Setting[] {
  const out: Setting[] = [];
  for (const [name, child] of Object.entries(schema.properties as Record<string, TSchema>)) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (child[Kind] === 'Object') {
      out.push(...walk(child, key));
      continue;
    }
    const o = child as TSchema & Partial<SettingOptions>;
    if (!o.flag || !o.description) throw new Error(`settings: ${key} needs a flag and a description`);
    out.push({
      key,
      flag: o.flag,
      description: o.description,
      ...(o.arg ? { arg: o.arg } : {}),
      ...(o.default !== undefined ? { default: o.default } : {}),
      ...typeOf(child),
    });
  }
  return out;
}

export const SERVE_SETTINGS: readonly Setting[] = walk(ServeConfigSchema, '');

/** The setting a config path (`/xds/authFile`) or key (`xds.authFile`) belongs to. */
export function settingAt(path: string): Setting | undefined {
  const key = path.replace(/^\//, '').replace(/\//g, '.');
  return SERVE_SETTINGS.find((s) => key === s.key || key.startsWith(`${s.key}.`));
}

function parseFlagValue(s: Setting, raw: unknown): unknown {
  const text = String(raw);
  switch (s.type) {
    case 'integer':
      if (!/^\d+$/.test(text)) throw new ConfigError(`${s.flag}: expected a whole number, got "${text}"`);
      return Number(text);
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n))
        throw new ConfigError(`${s.flag}: expected a number, got "${text}"`);
      return n;
    }
    case 'list':
      return text
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
    case 'map': {
      const out: Record<string, number> = {};
      for (const pair of raw as string[]) {
        const m = /^([^=]+)=(\d+)$/.exec(pair.trim());
        if (!m) throw new ConfigError(`${s.flag} ${pair}: expected NAME=NUMBER`);
        out[m[1]!] = Number(m[2]);
      }
      return out;
    }
    case 'boolean':
      return raw === true;
    default:
      return text;
  }
}

/**
 * The config input the command line gives: `given(setting)` is the flag's raw value
 * when it was on the command line (undefined otherwise, so file values stay).
 */
export function inputFromFlags(given: (s: Setting) => unknown): ServeConfigInput {
  const input: Record<string, unknown> = {};
  for (const s of SERVE_SETTINGS) {
    const raw = given(s);
    if (raw === undefined) continue;
    const parts = s.key.split('.');
    let at = input;
    for (const part of parts.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
    at[parts[parts.length - 1]!] = parseFlagValue(s, raw);
  }
  const errors = schemaErrors(input, (p) => settingAt(p)?.flag ?? p);
  if (errors.length > 0) throw new ConfigError(errors.join('\n'));
  return input as ServeConfigInput;
}
