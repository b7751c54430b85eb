/**
 * The REST client of the commands that talk to a running Amime (`apply`, `get`):
 * `--server` as people type it, SigV4 from the usual AWS variables, and failures to
 * reach the server said as what to do about them.
 */
import { AppMeshHttpClient, credentialsFromEnv } from '../api/index.js';
import { CliError } from './failure.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:9080';

/** `127.0.0.1:9080` and `localhost:9080` mean http://; anything else must be an http(s) URL. */
export function serverUrl(raw: string): string {
  const text = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CliError(`--server "${raw}": expected the REST API's URL, e.g. ${DEFAULT_SERVER}`, 2);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError(`--server "${raw}": expected an http:// or https:// URL, e.g. ${DEFAULT_SERVER}`, 2);
  return url.href.replace(/\/$/, '');
}

export function clientFor(server: string, region: string | undefined): AppMeshHttpClient {
  const credentials = credentialsFromEnv();
  return new AppMeshHttpClient({
    server,
    region: region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-west-2',
    ...(credentials ? { credentials } : {}),
  });
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ETIMEDOUT',
]);

/** A network failure (not an answer from the server) as one line that says what to check. */
export function unreachable(err: unknown, server: string): CliError | undefined {
  const cause = (err as { cause?: { code?: string } }).cause;
  const code = cause?.code ?? (err as { code?: string }).code;
  if ((err as Error).name === 'TimeoutError')
    return new CliError(`${server} did not answer in time: is it the Amime REST API? (--server)`);
  if (code && UNREACHABLE.has(code))
    return new CliError(
      `cannot connect to ${server} (${code}): is "amime serve" running, and is this its REST API address? (--server)`,
    );
  if (err instanceof TypeError && err.message === 'fetch failed')
    return new CliError(`cannot connect to ${server}: is "amime serve" running? (--server)`);
  return undefined;
}
