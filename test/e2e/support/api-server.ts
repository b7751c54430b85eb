/** The App Mesh API on loopback for black-box tests: in-process fastify, SQLite store in a temp dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { createApiServer, type ApiServerOptions } from '../../../src/api/index.js';
import { createStore } from '../../../src/store/index.js';
import type { ResourceStore } from '../../../src/store/types.js';
import { AWS_CLI_V2, findProgram } from '../../support/system-programs.js';

export interface RunningApi {
  url: string;
  store: ResourceStore;
  dataDir: string;
  close(): Promise<void>;
}

export async function startApiServer(options: Omit<ApiServerOptions, 'store'> = {}): Promise<RunningApi> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'amime-api-'));
  const store = createStore({ kind: 'sqlite', dataDir });
  const app = createApiServer({ store, ...options });
  const close = async (): Promise<void> => {
    try {
      await app.close();
      await store.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  const url = await app.listen({ host: '127.0.0.1', port: 0 }).catch(async (err: unknown) => {
    await close();
    throw err;
  });
  return { url, store, dataDir, close };
}

/** The aws CLI v2 the tests run (AWS_CLI, else PATH); only called inside suites that require it. */
export function awsCliPath(): string {
  const r = findProgram(AWS_CLI_V2);
  if (!r.found) throw new Error(r.reason);
  return r.path;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Parsed stdout when it is JSON. */
  json: Record<string, unknown> | undefined;
}

/**
 * Runs Debian's awscli v2 against `url`, isolated from any user configuration. The CLI
 * retries throttling and 5xx answers itself; pass `AWS_MAX_ATTEMPTS` to change that (it
 * then adds "(reached max retries: N)" to error messages).
 */
export function awsCli(
  url: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const home = tmpdir();
  const fullEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'dummysecret',
    AWS_DEFAULT_REGION: 'us-west-2',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    ...env,
  };
  return new Promise((resolve) => {
    execFile(
      awsCliPath(),
      ['--endpoint-url', url, '--output', 'json', 'appmesh', ...args],
      { env: fullEnv, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        let json: Record<string, unknown> | undefined;
        try {
          json = stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ code, stdout, stderr, json });
      },
    );
  });
}
