/**
 * The App Mesh Envoy image's environment variables, read with the agent's own rules so
 * a task definition or pod spec written for App Mesh means the same thing here: values
 * are trimmed, an empty value is the default, booleans are Go's `strconv.ParseBool`
 * spellings, integers Go's `ParseInt`, and a bad value is an error that names the
 * variable (aws/amazon-ecs-service-connect-agent@1ba8235
 * agent/envoy_bootstrap/env/env.go l.23-57).
 */

/** Environment variables by name, as `process.env` or a container's `env` holds them. */
export type AgentEnvironment = Readonly<Record<string, string | undefined>>;

export class BootstrapEnvError extends Error {
  constructor(
    /** The variable (or file) at fault, for the message's reader. */
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'BootstrapEnvError';
  }
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export class EnvReader {
  constructor(private readonly env: AgentEnvironment) {}

  /** The trimmed value; '' when unset. */
  get(key: string): string {
    return (this.env[key] ?? '').trim();
  }

  or(key: string, orElse: string): string {
    return this.get(key) || orElse;
  }

  int(key: string, orElse: number): number {
    const v = this.get(key);
    if (v === '') return orElse;
    if (!/^[+-]?\d+$/.test(v) || !Number.isSafeInteger(Number(v)))
      throw new BootstrapEnvError(key, `${key} environment variable ("${v}") must be an integer value.`);
    return Number(v);
  }

  /** An integer that must be a TCP/UDP port. */
  port(key: string, orElse: number): number {
    const n = this.int(key, orElse);
    if (n < 1 || n > 65535)
      throw new BootstrapEnvError(key, `${key} environment variable ("${n}") must be a port, 1-65535.`);
    return n;
  }

  truthy(key: string, orElse = false): boolean {
    const v = this.get(key);
    if (v === '') return orElse;
    if (TRUE.has(v)) return true;
    if (FALSE.has(v)) return false;
    throw new BootstrapEnvError(key, `${key} environment variable ("${v}") must be a boolean value.`);
  }
}

const UNIT_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Go's `time.ParseDuration` (`10s`, `1m30s`, `250ms`, `1.5h`), as the agent reads
 * ENVOY_STATS_FLUSH_INTERVAL (envoy_bootstrap.go l.1207-1218); nanoseconds, or
 * undefined when the text is not a duration.
 */
export function parseGoDuration(text: string): number | undefined {
  const m = /^([+-]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+|0)$/.exec(text);
  if (!m) return undefined;
  if (m[2] === '0') return 0;
  let total = 0;
  for (const part of (m[2] as string).matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * (UNIT_NS[part[2] as string] as number);
  }
  return m[1] === '-' ? -total : total;
}
