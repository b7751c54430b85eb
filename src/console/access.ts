/**
 * Who may read the console (`/ui`, `/ui/api/*`). The console shows node ids, peers,
 * the whole Envoy configuration and Envoy's errors, so it is guarded like the API:
 *
 * - with `--console-token-file`, every request needs that token, as
 *   `Authorization: Bearer <token>` (the CLI, scripts) or as the session cookie that
 *   `POST /ui/login` sets for a browser; a SigV4-signed request also passes when the
 *   API has `--api-credentials-file` (so `amime proxy-status` works with the same
 *   AWS variables as `amime get`);
 * - without a token file, the console answers only when the API listens on loopback
 *   (the default, like the API: reach it through an SSH tunnel or port-forward) and
 *   the API requires no signature; exposed without a credential, it answers 401 and
 *   shows no data. There is no default password.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, type SigV4Verifier } from '../api/index.js';

export const SESSION_COOKIE = 'amime_console';

export interface ConsoleAccessOptions {
  /** The token from `--console-token-file`. */
  token?: string;
  /** The REST API's SigV4 verifier, when the API requires signatures. */
  verifier?: SigV4Verifier;
  /** The API listener is reachable from other machines. */
  exposed: boolean;
}

export type AccessDecision = { ok: true } | { ok: false; status: 401; message: string };

/** Reads a token file: its first line, trimmed; an empty or short token is refused. */
export function readTokenFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`--console-token-file ${file}: ${(err as Error).message}`);
  }
  const token = (text.split('\n', 1)[0] ?? '').trim();
  if (token.length < 16)
    throw new Error(
      `--console-token-file ${file}: expected a token of at least 16 characters on its first line (e.g. openssl rand -hex 32 > ${file})`,
    );
  return token;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

/** The session cookie's value for a token: an HMAC, so the cookie is not the token itself. */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('amime console session').digest('hex');
}

function cookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

export class ConsoleAccess {
  constructor(private readonly options: ConsoleAccessOptions) {}

  /** Whether a browser has to log in (a token is configured). */
  get needsLogin(): boolean {
    return this.options.token !== undefined;
  }

  /** The session cookie's value when `given` is the console's token (the login form), else undefined. */
  sessionFor(given: string): string | undefined {
    const { token } = this.options;
    return token !== undefined && sameSecret(given, token) ? sessionValue(token) : undefined;
  }

  async check(req: FastifyRequest): Promise<AccessDecision> {
    const { token, verifier, exposed } = this.options;
    const auth = req.headers.authorization ?? '';
    if (token !== undefined) {
      const bearer = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
      if (bearer !== undefined && sameSecret(bearer.trim(), token)) return { ok: true };
      const session = cookie(req, SESSION_COOKIE);
      if (session !== undefined && sameSecret(session, sessionValue(token))) return { ok: true };
    }
    if (verifier && auth.startsWith('AWS4-HMAC-SHA256')) {
      try {
        await verifier.verify({ method: req.method, url: req.raw.url ?? req.url, headers: req.headers });
        return { ok: true };
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        return { ok: false, status: 401, message: `the request's signature was refused: ${err.message}` };
      }
    }
    if (token !== undefined)
      return {
        ok: false,
        status: 401,
        message:
          'the console needs its token (--console-token-file): log in at /ui/login, or send Authorization: Bearer <token> (amime proxy-status --token-file)',
      };
    if (verifier)
      return {
        ok: false,
        status: 401,
        message:
          'the API requires SigV4 (--api-credentials-file): sign the request (amime reads AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or give the server --console-token-file for browsers',
      };
    if (exposed)
      return {
        ok: false,
        status: 401,
        message:
          'the console is off on a non-loopback --api-listen until it has a credential: give amime serve --console-token-file <file> (docs/console.md)',
      };
    return { ok: true };
  }
}

/**
 * An onRequest hook that answers 401 (and no data) for requests `access` refuses: a
 * browser asking for a page gets `loginPage` (when there is a token to log in with),
 * anything else the reason as JSON.
 */
export function guard(access: ConsoleAccess, loginPage: (message: string) => string) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const decision = await access.check(req);
    if (decision.ok) return;
    reply.code(decision.status).header('cache-control', 'no-store');
    if (access.needsLogin && (req.headers.accept ?? '').includes('text/html'))
      await reply.type('text/html; charset=utf-8').send(loginPage('Log in with the console token.'));
    else await reply.send({ message: decision.message });
  };
}
