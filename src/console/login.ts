/**
 * `/ui/login`: a browser exchanges the console token for a session cookie once (the
 * console's pages cannot send a bearer header on every navigation). The cookie holds
 * an HMAC of the token, is HTTP-only and same-site, and lives for the browser session.
 */
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE, type ConsoleAccess } from './access.js';

export const LOGIN_PATH = '/ui/login';

export const loginPage = (message: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Amime console: log in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 28rem; margin: 4rem auto">
<h1>Amime console</h1>
<p>${message}</p>
<form method="post" action="${LOGIN_PATH}">
<label>Token <input name="token" type="password" autocomplete="current-password" required autofocus></label>
<button type="submit">Log in</button>
</form></body></html>
`;

export function registerLogin(app: FastifyInstance, access: ConsoleAccess): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 4096 },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  app.get(LOGIN_PATH, async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .send(loginPage('Give the token in the file the server was started with (--console-token-file).')),
  );
  app.post(LOGIN_PATH, async (req, reply) => {
    const given = (req.body as { token?: unknown } | undefined)?.token;
    const session = typeof given === 'string' ? access.sessionFor(given) : undefined;
    if (session === undefined)
      return reply
        .code(401)
        .type('text/html; charset=utf-8')
        .send(
          loginPage(
            access.needsLogin
              ? 'That is not the token.'
              : 'This server has no console token (--console-token-file): nothing to log in with.',
          ),
        );
    return reply
      .header('set-cookie', `${SESSION_COOKIE}=${session}; Path=/ui; HttpOnly; SameSite=Strict`)
      .redirect('/ui/', 303);
  });
}
