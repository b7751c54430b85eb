/**
 * The certificate authority as the rest of Amime sees it: who signs now, which roots
 * peers trust now, and when either changes next. Two kinds: Amime's own roots, kept in
 * the store (built-in), or a CA the operator supplies (files or a Kubernetes Secret,
 * cert-manager's included), which Amime only reads.
 */
import { X509Certificate } from 'node:crypto';
import { CaError } from './errors.js';
import { makeSigner, type Signer } from './signer.js';
import { unseal, UnsealError } from './seal.js';
import { nextTransition, signingRoot, trustedRoots, type AuthorityState, type StoredRoot } from './state.js';
import { splitPem } from './pem.js';

export interface CertificateAuthority {
  readonly kind: 'built-in' | 'operator';
  /** Where it comes from, for messages: a store record, files, a Secret. */
  readonly source: string;
  signer(now: number): Signer;
  /** PEM of every root peers must trust at `now`. */
  trustBundle(now: number): string;
  /** When `signer` or `trustBundle` next changes, if ever. */
  nextTransition(now: number): number | undefined;
  /** The stored state (built-in only). */
  readonly state?: AuthorityState;
}

/** Fingerprint of a root certificate: what its sealed key is bound to. */
export function rootBinding(certificatePem: string): string {
  return new X509Certificate(certificatePem).fingerprint256;
}

/** Amime's own roots, unsealed with the key-encryption key. */
export class BuiltInAuthority implements CertificateAuthority {
  readonly kind = 'built-in';

  private constructor(
    readonly source: string,
    readonly state: AuthorityState,
    private readonly signers: ReadonlyMap<StoredRoot, Signer>,
  ) {}

  /**
   * `where` names the record, `kekName` the key file or Secret: both appear in the
   * errors, which never include key material.
   */
  static async open(
    state: AuthorityState,
    kek: Buffer,
    where: string,
    kekName: string,
  ): Promise<BuiltInAuthority> {
    const signers = new Map<StoredRoot, Signer>();
    for (const [i, root] of state.roots.entries()) {
      const label = `root ${i + 1} of the CA record ${where}`;
      let binding: string;
      try {
        binding = rootBinding(root.certificate);
      } catch (err) {
        throw new CaError(
          `${label} is corrupted: its certificate does not parse (${(err as Error).message})`,
        );
      }
      let keyPem: string;
      try {
        keyPem = unseal(kek, root.key, binding);
      } catch (err) {
        if (!(err instanceof UnsealError)) throw err;
        throw new CaError(
          err.reason === 'wrong-key'
            ? `the private key of ${label} cannot be opened with ${kekName}: ${err.message}; give the key-encryption key the CA was created with (nothing was changed)`
            : `the private key of ${label} is corrupted: ${err.message}; restore the record from a backup (nothing was changed)`,
        );
      }
      try {
        signers.set(root, await makeSigner([root.certificate], keyPem));
      } catch (err) {
        throw new CaError(`${label} is unusable: ${(err as Error).message}`);
      }
    }
    return new BuiltInAuthority(where, state, signers);
  }

  signer(now: number): Signer {
    return this.signers.get(signingRoot(this.state, now))!;
  }

  trustBundle(now: number): string {
    return trustedRoots(this.state, now)
      .filter((r) => this.signers.get(r)!.notAfter.getTime() > now)
      .map((r) => this.signers.get(r)!.pem)
      .join('');
  }

  nextTransition(now: number): number | undefined {
    return nextTransition(this.state, now);
  }
}

/** PEM material of an operator-supplied CA. */
export interface OperatorCaMaterial {
  /** The signing CA certificate, then the intermediates above it (`tls.crt`). */
  chain: string;
  /** Its private key (`tls.key`). */
  key: string;
  /** The roots peers trust (`ca.crt`); absent: the self-signed certificate at the end of `chain`. */
  bundle?: string;
}

/** A CA the operator runs (an intermediate under their root, or cert-manager's CA Issuer). */
export class OperatorAuthority implements CertificateAuthority {
  readonly kind = 'operator';

  private constructor(
    readonly source: string,
    private readonly signing: Signer,
    private readonly bundle: string,
  ) {}

  static async open(material: OperatorCaMaterial, source: string): Promise<OperatorAuthority> {
    const chain = splitPem(material.chain, `the certificate of ${source}`);
    let signer: Signer;
    try {
      signer = await makeSigner(chain, material.key);
    } catch (err) {
      throw new CaError(`the CA of ${source} is unusable: ${(err as Error).message}`);
    }
    let roots: string[];
    if (material.bundle?.trim()) {
      roots = splitPem(material.bundle, `the CA bundle of ${source}`);
    } else {
      const last = new X509Certificate(chain[chain.length - 1]!);
      if (last.issuer !== last.subject)
        throw new CaError(
          `${source} has no CA bundle (ca.crt) and its chain does not end in a self-signed root; give the root that peers should trust`,
        );
      roots = [last.toString()];
    }
    const anchors = roots.map((r) => new X509Certificate(r));
    if (
      !chainReaches(
        chain.map((c) => new X509Certificate(c)),
        anchors,
      )
    )
      throw new CaError(`the CA of ${source} does not chain to any certificate of its CA bundle`);
    return new OperatorAuthority(source, signer, anchors.map((a) => a.toString()).join(''));
  }

  signer(): Signer {
    return this.signing;
  }

  trustBundle(): string {
    return this.bundle;
  }

  nextTransition(): number | undefined {
    return undefined;
  }
}

/** Whether the last certificate of `chain` is signed by one of `anchors` (each link checked on the way). */
function chainReaches(chain: X509Certificate[], anchors: X509Certificate[]): boolean {
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i]!.checkIssued(chain[i + 1]!) || !chain[i]!.verify(chain[i + 1]!.publicKey)) return false;
  }
  const top = chain[chain.length - 1]!;
  return anchors.some(
    (a) => top.fingerprint256 === a.fingerprint256 || (top.checkIssued(a) && top.verify(a.publicKey)),
  );
}
