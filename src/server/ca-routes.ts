/**
 * `GET /ca` (what `amime ca` shows: chain, fingerprints, expiry, workload certificates)
 * and `POST /ca/rotate` (start a root rotation). Rotation is a write: when the REST
 * API requires SigV4 (`--api-credentials-file`), so does it.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { createSigV4Verifier, loadCredentialsFile, type SigV4Verifier } from '../api/index.js';
import { CaError, type CaRuntime } from '../ca/index.js';

export const CA_PATH = '/ca';
export const CA_ROTATE_PATH = '/ca/rotate';

export interface RotateBody {
  /** Seconds between trusting the new root and signing with it (default 60). */
  activateAfterSeconds?: number;
  /** Seconds the old root stays trusted after that (default twice the certificate lifetime). */
  overlapSeconds?: number;
}

export interface CaRoutesOptions {
  /** The REST API's SigV4 credentials file, if it has one. */
  credentialsFile?: string;
}

function problem(reply: FastifyReply, status: number, type: string, message: string): FastifyReply {
  return reply.code(status).header('x-amzn-errortype', type).send({ message });
}

const seconds = (v: unknown, what: string): number | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new CaError(`${what}: expected a number of seconds ≥ 0, got ${JSON.stringify(v)}`);
  return v * 1000;
};

export function registerCaRoutes(app: FastifyInstance, ca: CaRuntime, options: CaRoutesOptions = {}): void {
  const verifier: SigV4Verifier | undefined = options.credentialsFile
    ? createSigV4Verifier({ credentials: loadCredentialsFile(options.credentialsFile) })
    : undefined;
  void app.register(async (scope) => {
    // The signature covers the body's bytes: keep them as sent.
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );
    scope.get(CA_PATH, async () => ca.describe());
    scope.post(CA_ROTATE_PATH, async (req, reply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : undefined;
      if (verifier) {
        try {
          await verifier.verify({
            method: req.method,
            url: req.raw.url ?? req.url,
            headers: req.headers,
            ...(raw ? { body: raw } : {}),
          });
        } catch (err) {
          return problem(reply, 403, 'ForbiddenException', (err as Error).message);
        }
      }
      try {
        let body: RotateBody = {};
        try {
          body = raw && raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as RotateBody) : {};
        } catch {
          throw new CaError('the request body is not JSON');
        }
        const activateAfterMs = seconds(body.activateAfterSeconds, 'activateAfterSeconds');
        const overlapMs = seconds(body.overlapSeconds, 'overlapSeconds');
        return await ca.rotate({
          ...(activateAfterMs !== undefined ? { activateAfterMs } : {}),
          ...(overlapMs !== undefined ? { overlapMs } : {}),
        });
      } catch (err) {
        if (err instanceof CaError) return problem(reply, 400, 'BadRequestException', err.message);
        throw err;
      }
    });
  });
}
