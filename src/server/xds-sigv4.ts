/**
 * SigV4 on the xDS server (`--xds-sigv4-credentials-file`): the REST API's verifier
 * (same credentials file format, service `appmesh`) checks signed streams; the proxy
 * credentials file's `accessKeyId` principals carry their IAM policies; every other
 * stream goes to `fallback` (tokens, client certificates).
 */
import { ApiError, createSigV4Verifier, loadCredentialsFile } from '../api/index.js';
import { loadAuthConfig, SigV4Authenticator, sigv4Principals, type Authenticator } from '../xds/index.js';
import { ConfigError } from './config.js';

export async function sigv4Authenticator(
  credentialsFile: string,
  authFile: string | undefined,
  fallback: Authenticator | undefined,
): Promise<Authenticator> {
  if (!authFile)
    throw new ConfigError(
      '--xds-sigv4-credentials-file needs --xds-auth-file: its principals name the access keys (accessKeyId) and carry the IAM policies',
    );
  const verifier = createSigV4Verifier({
    credentials: loadCredentialsFile(credentialsFile),
    service: 'appmesh',
  });
  return new SigV4Authenticator({
    // AWS's error names (InvalidSignatureException, …) say what is wrong as they do for the REST API.
    verify: (request) =>
      verifier.verify(request).catch((e: unknown) => {
        throw e instanceof ApiError ? new Error(`${e.errorType}: ${e.message}`) : e;
      }),
    principals: sigv4Principals(await loadAuthConfig(authFile)),
    ...(fallback ? { fallback } : {}),
  });
}
