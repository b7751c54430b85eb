/**
 * Reads the console's JSON (`/ui/api/*`) of a running server for `amime proxy-status`
 * and `amime proxy-config`: with the console token when given (`--token-file` or
 * AMIME_CONSOLE_TOKEN), else signed with the AWS variables like `amime get`.
 */
import { readFileSync } from 'node:fs';
import { AppMeshClientError, credentialsFromEnv } from '../api/index.js';
import { CliError } from './failure.js';
import { clientFor, serverUrl, unreachable } from './server-client.js';

export interface ConsoleClientOptions {
  server: string;
  region?: string;
  tokenFile?: string;
}

function token(options: ConsoleClientOptions): string | undefined {
  if (options.tokenFile) {
    try {
      return readFileSync(options.tokenFile, 'utf8').split('\n', 1)[0]!.trim();
    } catch (err) {
      throw new CliError(`--token-file ${options.tokenFile}: ${(err as Error).message}`, 2);
    }
  }
  return process.env.AMIME_CONSOLE_TOKEN || undefined;
}

/** Thrown for an answer that is not 2xx: the server's message, and its body's extra fields. */
export class ConsoleAnswerError extends CliError {
  constructor(
    message: string,
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(message, 1);
  }
}

export async function getConsoleJson<T>(
  options: ConsoleClientOptions,
  path: string,
  query: Record<string, string | undefined> = {},
): Promise<T> {
  const server = serverUrl(options.server);
  const bearer = token(options);
  try {
    if (!bearer && credentialsFromEnv())
      return await clientFor(server, options.region).request<T>('GET', path, undefined, query);
    const q = new URLSearchParams(
      Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const res = await fetch(`${server}${path}${q.size ? `?${q}` : ''}`, {
      headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) throw new ConsoleAnswerError(String(body.message ?? `HTTP ${res.status}`), res.status, body);
    return body as T;
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (err instanceof AppMeshClientError) throw new ConsoleAnswerError(err.message, err.status, {});
    throw unreachable(err, server) ?? err;
  }
}
