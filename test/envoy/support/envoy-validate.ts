/**
 * `envoy --mode validate`: Envoy builds every listener, route, cluster and secret of a
 * configuration without opening a socket or dialling a server, and exits 0 or prints
 * why it refused.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Verdict {
  readonly ok: boolean;
  /** Envoy's own words, trimmed to the lines that say why. */
  readonly message: string;
  readonly ms: number;
}

export async function envoyValidate(
  envoy: string,
  config: unknown,
  dir: string,
  name = 'config',
): Promise<Verdict> {
  const work = mkdtempSync(path.join(dir, `${name.replace(/[^\w.-]/g, '_')}-`));
  const file = path.join(work, 'envoy.json');
  writeFileSync(file, JSON.stringify(config, null, 1));
  // A file, not a pipe, for Envoy's output: a configuration may log to /dev/stdout.
  const log = path.join(work, 'envoy.log');
  const fd = openSync(log, 'w');
  const started = performance.now();
  const proc = spawn(envoy, ['--mode', 'validate', '-c', file, '-l', 'warning', '--concurrency', '1'], {
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const code = await new Promise<number | null>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', resolve);
  });
  const ms = performance.now() - started;
  const output = readFileSync(log, 'utf8');
  const why = output
    .split('\n')
    .filter((l) => /\]\[(critical|error)\]/.test(l))
    .map((l) => l.replace(/^\[[^\]]*\]\[\d+\]/, '').trim());
  return { ok: code === 0, message: why.length > 0 ? why.join('\n') : output.trim(), ms };
}

export interface Judged {
  /** Number of Envoy runs it took. */
  readonly runs: number;
  readonly ms: number;
  /** The first configuration Envoy refused, by label, with Envoy's message; undefined when all passed. */
  readonly rejected?: { readonly label: string; readonly message: string };
}

/**
 * Judges many configurations with as few Envoy starts as possible: all at once, then,
 * only if Envoy refuses, one at a time to name the first one refused.
 */
export async function judgeAll<T extends { readonly label: string }>(
  items: readonly T[],
  build: (items: readonly T[]) => unknown,
  envoy: string,
  dir: string,
): Promise<Judged> {
  const all = await envoyValidate(envoy, build(items), dir, 'all');
  if (all.ok) return { runs: 1, ms: all.ms };
  let runs = 1;
  let ms = all.ms;
  for (const item of items) {
    const one = await envoyValidate(envoy, build([item]), dir, item.label);
    runs++;
    ms += one.ms;
    if (!one.ok) return { runs, ms, rejected: { label: item.label, message: one.message } };
  }
  return { runs, ms, rejected: { label: 'the configurations together', message: all.message } };
}
