/**
 * The user's own Envoy configuration files, merged into the bootstrap the way the App
 * Mesh agent merged them (aws/amazon-ecs-service-connect-agent@1ba8235
 * agent/envoy_bootstrap/envoy_bootstrap.go l.1261-1414): ENVOY_TRACING_CFG_FILE,
 * ENVOY_STATS_CONFIG_FILE and ENVOY_STATS_SINKS_CFG_FILE in that order (each must hold
 * something), then ENVOY_RESOURCES_CONFIG_FILE (an empty one is skipped). `tracing` and
 * `stats_config` may be given once; `stats_sinks` and `static_resources`' listeners,
 * clusters and secrets are appended; any other top-level key replaces the generated
 * one, with a warning. Keys may be snake_case or lowerCamelCase, not both.
 *
 * This works on the bootstrap's JSON form (snake_case, as `amime bootstrap` prints it):
 * like the agent, the files are not checked against Envoy's protos; Envoy checks them
 * when it starts.
 */
import { parse as parseYaml } from 'yaml';
import type { JsonObject, JsonValue } from '../proto/index.js';
import { BootstrapEnvError, EnvReader, type AgentEnvironment } from './bootstrap-env.js';
import type { FileReader } from './bootstrap-tracing.js';

const CONFIG_FILE_VARIABLES = [
  'ENVOY_TRACING_CFG_FILE',
  'ENVOY_STATS_CONFIG_FILE',
  'ENVOY_STATS_SINKS_CFG_FILE',
];
const RESOURCES_VARIABLE = 'ENVOY_RESOURCES_CONFIG_FILE';
const STATIC_KINDS = ['listeners', 'clusters', 'secrets'];

/** Variables whose files are merged; their files must be readable where the bootstrap is written. */
export const CUSTOM_CONFIG_VARIABLES: readonly string[] = [...CONFIG_FILE_VARIABLES, RESOURCES_VARIABLE];

const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface MergeResult {
  bootstrap: JsonObject;
  /** Generated settings a file replaced (the agent logged these too). */
  warnings: string[];
}

export function mergeCustomConfigs(
  generated: JsonObject,
  environment: AgentEnvironment,
  readFile: FileReader,
): MergeResult {
  const env = new EnvReader(environment);
  const warnings: string[] = [];
  let out: JsonObject = { ...generated };
  const load = (variable: string, file: string): JsonObject | undefined => {
    let doc: unknown;
    try {
      doc = parseYaml(readFile(file));
    } catch (e) {
      throw new BootstrapEnvError(variable, `failure to read ${variable} ${file}: ${(e as Error).message}`);
    }
    if (doc === null || doc === undefined || (isObject(doc) && Object.keys(doc).length === 0))
      return undefined;
    if (!isObject(doc))
      throw new BootstrapEnvError(
        variable,
        `${variable} ${file} must hold a YAML or JSON object (Envoy bootstrap fields)`,
      );
    return doc;
  };
  for (const variable of CONFIG_FILE_VARIABLES) {
    const file = env.get(variable);
    if (file === '') continue;
    const custom = load(variable, file);
    if (!custom) throw new BootstrapEnvError(variable, `Specified ${variable} ${file} is empty.`);
    out = mergeInto(out, custom, variable, file, warnings);
    if (variable === 'ENVOY_STATS_SINKS_CFG_FILE' && out.stats_sinks === undefined)
      throw new BootstrapEnvError(
        variable,
        `${variable} was specified as ${file}, but contained no valid stats_sinks configuration.`,
      );
  }
  const resources = env.get(RESOURCES_VARIABLE);
  if (resources !== '') {
    const custom = load(RESOURCES_VARIABLE, resources);
    if (custom) out = mergeInto(out, custom, RESOURCES_VARIABLE, resources, warnings);
    else
      warnings.push(`Specified ${RESOURCES_VARIABLE} ${resources} is empty, but will ignore and continue.`);
  }
  return { bootstrap: out, warnings };
}

function mergeInto(
  dst: JsonObject,
  src: JsonObject,
  variable: string,
  file: string,
  warnings: string[],
): JsonObject {
  const fail = (why: string) =>
    new BootstrapEnvError(
      variable,
      `failure to merge ${variable} ${file} into envoy config for the reason: ${why}`,
    );
  const custom: JsonObject = {};
  const spelled = new Map<string, string>();
  for (const [key, value] of Object.entries(src)) {
    const k = snake(key);
    const first = spelled.get(k);
    if (first !== undefined)
      throw fail(`the config contains both ${first} and ${key}, specify only one of them`);
    spelled.set(k, key);
    custom[k] = value;
  }
  const out: JsonObject = { ...dst };
  for (const [k, value] of Object.entries(custom)) {
    if (k === 'tracing' || k === 'stats_config') {
      if (out[k] !== undefined)
        throw fail(`multiple ${k === 'tracing' ? 'tracing' : 'stats'} configurations were specified`);
      out[k] = value;
    } else if (k === 'stats_sinks') {
      out[k] = [...asList(out[k]), ...asList(value)];
    } else if (k === 'static_resources') {
      out[k] = mergeStaticResources(out[k], value);
    } else {
      if (out[k] !== undefined) warnings.push(`${variable} ${file}: replacing the generated ${k} config`);
      out[k] = value;
    }
  }
  return out;
}

function asList(v: JsonValue | undefined): JsonValue[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

function mergeStaticResources(dst: JsonValue | undefined, src: JsonValue): JsonValue {
  if (!isObject(src)) return dst ?? src;
  if (!isObject(dst)) return src;
  const out: JsonObject = { ...dst };
  for (const kind of STATIC_KINDS) {
    if (src[kind] !== undefined) out[kind] = [...asList(dst[kind]), ...asList(src[kind])];
  }
  return out;
}
