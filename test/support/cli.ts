/**
 * Runs the built `amime` CLI (dist/cli/main.js) as a user does, in a child process.
 * The built one, not the sources through tsx: a tsx start costs a second or more of
 * CPU per call, which the e2e suites paid dozens of times. test/support/build-dist.ts
 * (vitest globalSetup) builds dist/ first when a source changed.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './fixtures.js';

export const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** Added to the environment (after `withoutEnv` is applied). */
  env?: Record<string, string>;
  /** Variables removed from the inherited environment, by prefix (e.g. 'AWS_'). */
  withoutEnv?: readonly string[];
  timeoutMs?: number;
}

export function amime(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !(options.withoutEnv ?? []).some((p) => k.startsWith(p))),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd: options.cwd ?? REPO_ROOT,
        env: { ...inherited, NODE_OPTIONS: '', NO_COLOR: '1', ...options.env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
