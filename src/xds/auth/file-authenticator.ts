import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthConfig, PrincipalEntry } from './auth-file.js';
import { loadAuthConfig } from './auth-file.js';
import {
  bearerToken,
  certificateNames,
  PolicyPrincipal,
  type AuthenticationResult,
  type Authenticator,
  type Credentials,
} from './authenticator.js';

/**
 * Authenticates with the principals of a credentials file: a bearer token when
 * one is sent, else a verified client certificate. Tokens are compared by hash in
 * constant time, and every entry is compared so timing does not reveal which one
 * matched.
 */
export class FileAuthenticator implements Authenticator {
  private config: AuthConfig;
  private tokenPrincipals: { hash: Buffer; principal: PolicyPrincipal }[] = [];
  private certPrincipals: { entry: PrincipalEntry; principal: PolicyPrincipal }[] = [];

  constructor(
    config: AuthConfig,
    private readonly file?: string,
  ) {
    this.config = config;
    this.rebuild();
  }

  static async fromFile(file: string): Promise<FileAuthenticator> {
    return new FileAuthenticator(await loadAuthConfig(file), file);
  }

  /** Re-reads the file; on error the old configuration stays in force and the error is thrown. */
  async reload(): Promise<void> {
    if (!this.file) throw new Error('FileAuthenticator.reload: created without a file');
    this.config = await loadAuthConfig(this.file);
    this.rebuild();
  }

  private rebuild(): void {
    this.tokenPrincipals = [];
    this.certPrincipals = [];
    for (const entry of this.config.principals) {
      if (entry.tokenSha256) {
        this.tokenPrincipals.push({
          hash: entry.tokenSha256,
          principal: new PolicyPrincipal(entry.name, 'token', entry.policies),
        });
      }
      if (entry.certificate) {
        this.certPrincipals.push({
          entry,
          principal: new PolicyPrincipal(entry.name, 'certificate', entry.policies),
        });
      }
    }
  }

  authenticate(credentials: Credentials): AuthenticationResult {
    const token = bearerToken(credentials);
    if (token !== undefined) {
      const hash = createHash('sha256').update(token, 'utf8').digest();
      let found: PolicyPrincipal | undefined;
      for (const t of this.tokenPrincipals) {
        if (timingSafeEqual(hash, t.hash) && !found) found = t.principal;
      }
      return found ? { ok: true, principal: found } : { ok: false, message: 'bearer token not recognised' };
    }
    if (credentials.peerCertificate) {
      const { subjectCN, uriSans } = certificateNames(credentials.peerCertificate);
      for (const c of this.certPrincipals) {
        const m = c.entry.certificate!;
        const cnOk = m.subjectCN === undefined || m.subjectCN === subjectCN;
        const uriOk = m.uriSan === undefined || uriSans.includes(m.uriSan);
        if (cnOk && uriOk) return { ok: true, principal: c.principal };
      }
      const shown = [subjectCN ? `CN=${subjectCN}` : '', ...uriSans.map((u) => `URI:${u}`)]
        .filter(Boolean)
        .join(', ');
      return {
        ok: false,
        message: `client certificate (${shown || 'no CN or URI SAN'}) is not mapped to a principal`,
      };
    }
    return {
      ok: false,
      message: 'missing credentials: send "authorization: Bearer <token>" metadata or a client certificate',
    };
  }
}
