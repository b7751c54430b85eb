/**
 * The CA as `amime serve` runs it: the authority (built-in, from the store, or the
 * operator's), the workload certificates it keeps current, reloads when another
 * replica rotates the root, and the `amime ca` view and rotation.
 */
import type { CertificateAuthority } from './authority.js';
import { openBuiltIn, reopenBuiltIn, rotateBuiltIn, type KekSource } from './built-in.js';
import { describeAuthority, type CaView } from './describe.js';
import { CaError } from './errors.js';
import { describeOperatorFiles, openOperatorFiles, type OperatorFiles } from './operator-files.js';
import type { AuthorityRecord } from './record.js';
import {
  DEFAULT_LIFETIME_MS,
  DEFAULT_RENEW_AT,
  WorkloadCertificates,
  type CertificateChange,
} from './workloads.js';

export interface CaLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface CaRuntimeOptions {
  trustDomain: string;
  lifetimeMs?: number;
  renewAt?: number;
  /** An operator's CA; otherwise the built-in one, kept in `record` and sealed with `kek`. */
  operator?: OperatorFiles;
  record: AuthorityRecord;
  kek: KekSource;
  logger: CaLogger;
  onChange: (change: CertificateChange) => void;
  onFailure?: (group: string, error: Error) => void;
  now?: () => number;
}

export interface RotateRequest {
  /** Default 1 minute: time for every proxy to receive the new root before it signs. */
  activateAfterMs?: number;
  /** Default twice the workload certificate lifetime. */
  overlapMs?: number;
}

export const DEFAULT_ACTIVATE_AFTER_MS = 60_000;

export class CaRuntime {
  private stopWatch: (() => void) | undefined;
  private reloading: Promise<void> = Promise.resolve();

  private constructor(
    private authority: CertificateAuthority,
    readonly certificates: WorkloadCertificates,
    private readonly options: CaRuntimeOptions,
  ) {}

  static async start(options: CaRuntimeOptions): Promise<CaRuntime> {
    const now = options.now ?? Date.now;
    const { logger } = options;
    let authority: CertificateAuthority;
    if (options.operator) {
      authority = await openOperatorFiles(options.operator);
      logger.info(
        { ca: describeOperatorFiles(options.operator) },
        'certificate authority: the operator-supplied CA',
      );
    } else {
      const opened = await openBuiltIn({ record: options.record, kek: options.kek, now: new Date(now()) });
      authority = opened.authority;
      const root = authority.signer(now());
      logger.info(
        { record: options.record.name, key: options.kek.name, root: root.fingerprint },
        opened.created
          ? 'certificate authority: created a new root'
          : 'certificate authority: loaded its roots',
      );
    }
    const certificates = new WorkloadCertificates(authority, {
      ...(options.lifetimeMs ? { lifetimeMs: options.lifetimeMs } : {}),
      ...(options.renewAt ? { renewAt: options.renewAt } : {}),
      now,
      onChange: options.onChange,
      onFailure: (group, error) => {
        logger.error({ group, err: error.message }, 'workload certificate could not be issued; retrying');
        options.onFailure?.(group, error);
      },
    });
    const runtime = new CaRuntime(authority, certificates, options);
    if (!options.operator) runtime.stopWatch = await options.record.watch(() => runtime.reload());
    return runtime;
  }

  get kind(): CertificateAuthority['kind'] {
    return this.authority.kind;
  }

  describe(): CaView {
    return describeAuthority({
      authority: this.authority,
      trustDomain: this.options.trustDomain,
      lifetimeMs: this.options.lifetimeMs ?? DEFAULT_LIFETIME_MS,
      renewAt: this.options.renewAt ?? DEFAULT_RENEW_AT,
      stats: this.certificates.stats(),
      now: (this.options.now ?? Date.now)(),
    });
  }

  async rotate(request: RotateRequest = {}): Promise<CaView> {
    if (this.options.operator)
      throw new CaError(
        `the CA is the operator's (${describeOperatorFiles(this.options.operator)}): rotate it there, then restart Amime`,
      );
    const lifetime = this.options.lifetimeMs ?? DEFAULT_LIFETIME_MS;
    const overlapMs = request.overlapMs ?? 2 * lifetime;
    if (overlapMs < lifetime)
      throw new CaError(
        `overlap ${overlapMs / 1000}s is shorter than the workload certificate lifetime (${lifetime / 1000}s): certificates of the old root would stop verifying before they expire`,
      );
    const opened = await rotateBuiltIn(
      this.options.record,
      this.options.kek,
      new Date((this.options.now ?? Date.now)()),
      {
        activateAfterMs: request.activateAfterMs ?? DEFAULT_ACTIVATE_AFTER_MS,
        overlapMs,
      },
    );
    this.use(opened.authority);
    this.options.logger.info(
      { roots: this.describe().roots.map((r) => `${r.sha256} ${r.status}`) },
      'certificate authority: root rotation started',
    );
    return this.describe();
  }

  close(): void {
    this.stopWatch?.();
    this.certificates.close();
  }

  private use(authority: CertificateAuthority): void {
    this.authority = authority;
    this.certificates.setAuthority(authority);
  }

  /** Another replica (or this one) wrote the record: load what is there now. */
  private reload(): void {
    this.reloading = this.reloading.then(async () => {
      try {
        const opened = await reopenBuiltIn(this.options.record, this.options.kek);
        if (opened) this.use(opened.authority);
      } catch (err) {
        this.options.logger.error(
          { record: this.options.record.name, err: (err as Error).message },
          'certificate authority: the changed CA record cannot be loaded; keeping the roots already loaded',
        );
      }
    });
  }
}
