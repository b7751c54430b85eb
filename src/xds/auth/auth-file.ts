/**
 * The proxy credentials file: who may connect, and under which IAM policies.
 *
 * ```yaml
 * principals:
 *   - name: envoy-fleet
 *     tokenSha256: 9f86d08...   # hex SHA-256 of the bearer token; the token itself is never stored
 *     policies:
 *       - ./01-proxy-auth-policy.json        # a path, relative to this file
 *       - { Version: "2012-10-17", Statement: [ ... ] }   # or the document inline
 *   - name: vnode-1
 *     certificate: { uriSan: "spiffe://mesh-1/vnode-1" }  # or subjectCN
 *     policies: [ ... ]
 *   - name: ecs-fleet
 *     accessKeyId: AKIAIOSFODNN7EXAMPLE    # SigV4-signed streams (the App Mesh image's agent);
 *     policies: [ ... ]                    # its secret is in --xds-sigv4-credentials-file
 * ```
 *
 * A top-level list of principals is accepted too. JSON is YAML, so either works.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { formatDiagnostic, type Diagnostic } from '../../model/index.js';
import { compilePolicy, type CompiledPolicy } from './iam-policy.js';

export interface CertificateMatch {
  readonly subjectCN?: string;
  readonly uriSan?: string;
}

export interface PrincipalEntry {
  readonly name: string;
  /** Raw 32-byte SHA-256 of the token. */
  readonly tokenSha256?: Buffer;
  readonly certificate?: CertificateMatch;
  /** SigV4 access key id whose verified signature authenticates this principal. */
  readonly accessKeyId?: string;
  readonly policies: readonly CompiledPolicy[];
}

export interface AuthConfig {
  readonly principals: readonly PrincipalEntry[];
}

export class AuthConfigError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(`invalid proxy credentials file:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
    this.name = 'AuthConfigError';
  }
}

const PRINCIPAL_KEYS = new Set(['name', 'tokenSha256', 'certificate', 'accessKeyId', 'policies']);

function d(file: string, p: string, code: string, message: string): Diagnostic {
  return { severity: 'error', code, path: p, message, resource: { kind: 'ProxyCredentials', name: file } };
}

/**
 * Parses and validates file contents. `baseDir` resolves policy paths; `readPolicy`
 * loads them (injected so parsing stays synchronous and testable).
 */
export function parseAuthConfig(
  text: string,
  file: string,
  readPolicy: (policyPath: string) => unknown,
): AuthConfig {
  const diags: Diagnostic[] = [];
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new AuthConfigError([d(file, '', 'auth.syntax', (e as Error).message)]);
  }
  const list: unknown = Array.isArray(doc)
    ? doc
    : typeof doc === 'object' && doc !== null
      ? (doc as Record<string, unknown>).principals
      : undefined;
  if (!Array.isArray(list)) {
    throw new AuthConfigError([
      d(file, '', 'auth.shape', 'expected a list of principals, or an object with a "principals" list'),
    ]);
  }
  const base = Array.isArray(doc) ? '' : 'principals';
  const principals: PrincipalEntry[] = [];
  const names = new Set<string>();
  const tokens = new Set<string>();
  const accessKeys = new Set<string>();
  list.forEach((raw: unknown, i: number) => {
    const at = base ? `${base}[${i}]` : `[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      diags.push(d(file, at, 'auth.shape', 'a principal must be an object'));
      return;
    }
    const r = raw as Record<string, unknown>;
    const before = diags.length;
    for (const k of Object.keys(r)) {
      if (!PRINCIPAL_KEYS.has(k))
        diags.push(d(file, `${at}.${k}`, 'auth.unknown-field', `unknown field "${k}"`));
    }
    const name = r.name;
    if (typeof name !== 'string' || name === '') {
      diags.push(d(file, `${at}.name`, 'auth.required', 'name is required'));
    } else if (names.has(name)) {
      diags.push(d(file, `${at}.name`, 'auth.duplicate', `principal "${name}" is listed twice`));
    } else names.add(name);
    let tokenSha256: Buffer | undefined;
    if (r.tokenSha256 !== undefined) {
      if (typeof r.tokenSha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(r.tokenSha256)) {
        diags.push(
          d(
            file,
            `${at}.tokenSha256`,
            'auth.token',
            'tokenSha256 must be 64 hex characters (the SHA-256 of the token, not the token)',
          ),
        );
      } else if (tokens.has(r.tokenSha256.toLowerCase())) {
        diags.push(
          d(file, `${at}.tokenSha256`, 'auth.duplicate', 'the same token hash is listed for two principals'),
        );
      } else {
        tokens.add(r.tokenSha256.toLowerCase());
        tokenSha256 = Buffer.from(r.tokenSha256, 'hex');
      }
    }
    let certificate: CertificateMatch | undefined;
    if (r.certificate !== undefined) {
      const c = r.certificate as Record<string, unknown>;
      const ok =
        typeof c === 'object' &&
        c !== null &&
        Object.keys(c).every(
          (k) => (k === 'subjectCN' || k === 'uriSan') && typeof c[k] === 'string' && c[k] !== '',
        ) &&
        Object.keys(c).length > 0;
      if (!ok)
        diags.push(
          d(
            file,
            `${at}.certificate`,
            'auth.certificate',
            'certificate must be { subjectCN: string } and/or { uriSan: string }',
          ),
        );
      else
        certificate = {
          ...(c.subjectCN ? { subjectCN: c.subjectCN as string } : {}),
          ...(c.uriSan ? { uriSan: c.uriSan as string } : {}),
        };
    }
    let accessKeyId: string | undefined;
    if (r.accessKeyId !== undefined) {
      if (typeof r.accessKeyId !== 'string' || !/^[A-Za-z0-9]{1,128}$/.test(r.accessKeyId)) {
        diags.push(
          d(
            file,
            `${at}.accessKeyId`,
            'auth.access-key',
            'accessKeyId must be an AWS access key id (letters and digits)',
          ),
        );
      } else if (accessKeys.has(r.accessKeyId)) {
        diags.push(
          d(
            file,
            `${at}.accessKeyId`,
            'auth.duplicate',
            `access key ${r.accessKeyId} is listed for two principals`,
          ),
        );
      } else {
        accessKeys.add(r.accessKeyId);
        accessKeyId = r.accessKeyId;
      }
    }
    if (r.tokenSha256 === undefined && r.certificate === undefined && r.accessKeyId === undefined) {
      diags.push(
        d(file, at, 'auth.credentials', 'a principal needs tokenSha256, certificate or accessKeyId'),
      );
    }
    const policies: CompiledPolicy[] = [];
    if (!Array.isArray(r.policies)) {
      diags.push(
        d(
          file,
          `${at}.policies`,
          'auth.required',
          'policies must be a list of IAM policy documents (or paths to them)',
        ),
      );
    } else {
      r.policies.forEach((p: unknown, j: number) => {
        const pAt = `${at}.policies[${j}]`;
        let docValue: unknown = p;
        let source = `${file}:${pAt}`;
        if (typeof p === 'string') {
          source = p;
          try {
            docValue = readPolicy(p);
          } catch (e) {
            diags.push(
              d(file, pAt, 'auth.policy-file', `cannot read policy "${p}": ${(e as Error).message}`),
            );
            return;
          }
        }
        const compiled = compilePolicy(docValue, source);
        diags.push(...compiled.diagnostics);
        if (compiled.policy) policies.push(compiled.policy);
      });
    }
    if (diags.length > before || typeof name !== 'string') return;
    principals.push({
      name,
      ...(tokenSha256 ? { tokenSha256 } : {}),
      ...(certificate ? { certificate } : {}),
      ...(accessKeyId ? { accessKeyId } : {}),
      policies,
    });
  });
  if (diags.length > 0) throw new AuthConfigError(diags);
  return { principals };
}

/** Reads, parses and validates a credentials file; policy paths are relative to it. */
export async function loadAuthConfig(file: string): Promise<AuthConfig> {
  const text = await readFile(file, 'utf8');
  const dir = path.dirname(path.resolve(file));
  const policyTexts = new Map<string, unknown>();
  // Pre-read referenced policy files so the parser itself stays synchronous.
  const probe = (() => {
    try {
      const doc: unknown = parseYaml(text);
      const list = Array.isArray(doc) ? doc : (doc as Record<string, unknown> | null)?.principals;
      return Array.isArray(list) ? list : [];
    } catch {
      return [];
    }
  })();
  for (const p of probe) {
    const pols = (p as Record<string, unknown> | null)?.policies;
    if (!Array.isArray(pols)) continue;
    for (const ref of pols) {
      if (typeof ref !== 'string' || policyTexts.has(ref)) continue;
      try {
        policyTexts.set(ref, parseYaml(await readFile(path.resolve(dir, ref), 'utf8')));
      } catch (e) {
        policyTexts.set(ref, e instanceof Error ? e : new Error(String(e)));
      }
    }
  }
  return parseAuthConfig(text, file, (ref) => {
    const v = policyTexts.get(ref);
    if (v instanceof Error) throw v;
    return v;
  });
}
