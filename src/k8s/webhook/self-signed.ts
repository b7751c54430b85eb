/**
 * `--webhook-self-signed` (deploy/kubernetes/README.md, "Webhook TLS, mode (a)"): each
 * replica makes sure Secret `amime-webhook-tls` in its namespace holds a CA and a
 * serving certificate it can use (creating or renewing them; a replica that loses the
 * write race takes the winner's), sets both webhook configurations' `caBundle` to that
 * CA, and hands the pair to the webhook server. It does this again every minute, so a
 * certificate another replica wrote is picked up, renewal happens when due (also in a
 * pod that runs for a year), and a `caBundle` someone reset is restored.
 *
 * The pair is served from memory: the Secret's volume is read-only, optional, and
 * filled in by the kubelet about a minute after the Secret appears.
 */
import type { ControllerLogger } from '../controller.js';
import { isKubeError, KubeApiError, type KubeClient } from '../rest-client.js';
import { syncCaBundle, type CaBundleSync, type WebhookConfigurationNames } from './ca-bundle.js';
import {
  checkWebhookCertificate,
  generateWebhookCertificate,
  webhookDnsNames,
  type CertificateCheck,
  type WebhookCertificate,
} from './certificate.js';

export const WEBHOOK_TLS_SECRET = 'amime-webhook-tls';
export const WEBHOOK_SERVICE = 'amime-webhook';
/** The configurations deploy/kubernetes/base/webhooks.yaml installs (a test keeps them equal). */
export const WEBHOOK_CONFIGURATIONS: WebhookConfigurationNames = {
  mutating: ['amime-mutating-webhook-configuration'],
  validating: ['amime-validating-webhook-configuration'],
};

export interface SelfSignedOptions {
  /** Where the Secret and the webhook Service live: the pod's namespace (`POD_NAMESPACE`). */
  namespace: string;
  /** Default `amime-webhook-tls`. */
  secretName?: string;
  /** The webhook Service, whose DNS names the certificate carries. Default `amime-webhook`. */
  serviceName?: string;
  /** Default `cluster.local`. */
  clusterDomain?: string;
  /** Default: WEBHOOK_CONFIGURATIONS. */
  configurations?: WebhookConfigurationNames;
  /** How often the Secret is read again. Default 60 s. */
  resyncMs?: number;
  /** Renew when the certificate expires within this. Default 30 days. */
  renewBeforeMs?: number;
  /** Validity of a new serving certificate. Default one year. */
  leafValidityMs?: number;
  now?: () => Date;
  logger?: ControllerLogger;
}

export type SecretAction = 'reused' | 'created' | 'renewed' | 'adopted';

export interface SyncResult {
  certificate: WebhookCertificate;
  /** reused: the stored set was good; created/renewed: this replica wrote it; adopted: another replica won the write. */
  action: SecretAction;
  /** Why the stored set was not used, when this replica wrote a new one. */
  reason?: string;
  /** What step 4 did; undefined when it failed (logged, and tried again at the next resync). */
  caBundle?: CaBundleSync;
}

interface Secret {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    [k: string]: unknown;
  };
  type?: string;
  data?: Record<string, string>;
}

const WRITE_ATTEMPTS = 4;
const LABELS = {
  'app.kubernetes.io/name': 'amime',
  'app.kubernetes.io/part-of': 'amime',
  'app.kubernetes.io/managed-by': 'amime',
};

/** True when an API failure means "cannot reach the API" rather than "the API refused". */
export function apiUnreachable(e: unknown): boolean {
  return !(e instanceof KubeApiError) || e.code >= 500 || e.code === 429;
}

export class SelfSignedWebhookCertificate {
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<SyncResult>;
  /** cert + key last handed to the server, to call onChange only on a change. */
  private served?: string;
  private onChange?: (certificate: WebhookCertificate) => void;
  private lastMissing = '';
  private readonly namespace: string;
  private readonly secretName: string;
  private readonly host: string;
  private readonly dnsNames: string[];

  constructor(
    private readonly client: KubeClient,
    private readonly options: SelfSignedOptions,
  ) {
    this.namespace = options.namespace;
    this.secretName = options.secretName ?? WEBHOOK_TLS_SECRET;
    const service = options.serviceName ?? WEBHOOK_SERVICE;
    this.dnsNames = webhookDnsNames(service, this.namespace, options.clusterDomain);
    this.host = `${service}.${this.namespace}.svc`;
  }

  /**
   * The first sync, then one every `resyncMs` until stop(); `onChange` gets every
   * later pair that differs from the one served. Rejects when the first sync fails;
   * the resyncs keep trying, so a caller that serves a fallback gets the pair later.
   */
  async start(onChange: (certificate: WebhookCertificate) => void): Promise<WebhookCertificate> {
    this.onChange = onChange;
    this.timer = setInterval(() => void this.resync(), this.options.resyncMs ?? 60_000);
    this.timer.unref();
    const { certificate, action } = await this.sync();
    this.served = certificate.cert + certificate.key;
    if (action === 'reused' || action === 'adopted')
      this.options.logger?.info(
        { secret: `${this.namespace}/${this.secretName}`, action },
        'webhook certificate: using the one in the Secret',
      );
    return certificate;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.onChange = undefined;
  }

  /** Steps 1–4 of the README once (concurrent calls share one run). */
  sync(): Promise<SyncResult> {
    this.inFlight ??= this.syncOnce().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async resync(): Promise<void> {
    try {
      const { certificate } = await this.sync();
      const pair = certificate.cert + certificate.key;
      if (pair === this.served) return;
      this.served = pair;
      this.onChange?.(certificate);
    } catch (e) {
      this.options.logger?.warn(
        { err: String(e), secret: `${this.namespace}/${this.secretName}` },
        'webhook certificate: sync failed; retrying',
      );
    }
  }

  private async syncOnce(): Promise<SyncResult> {
    const result = await this.settleSecret();
    const log = this.options.logger;
    try {
      const caBundle = await syncCaBundle(
        this.client,
        this.options.configurations ?? WEBHOOK_CONFIGURATIONS,
        result.certificate.ca,
      );
      if (caBundle.patched.length > 0)
        log?.info({ configurations: caBundle.patched }, 'webhook certificate: caBundle set');
      const missing = caBundle.missing.join(',');
      if (missing !== this.lastMissing && missing !== '')
        log?.warn(
          { configurations: caBundle.missing },
          'webhook certificate: webhook configuration not found; its caBundle is set once it exists',
        );
      this.lastMissing = missing;
      return { ...result, caBundle };
    } catch (e) {
      log?.warn({ err: String(e) }, 'webhook certificate: could not set caBundle; retrying');
      return result;
    }
  }

  /** Steps 1–3: read, decide, write; on 409 read again and take what the other replica wrote. */
  private async settleSecret(): Promise<Omit<SyncResult, 'caBundle'>> {
    const log = this.options.logger;
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const secret = await this.readSecret();
      const stored = secret ? certificateOf(secret) : undefined;
      const now = this.options.now?.() ?? new Date();
      const check: CertificateCheck = stored
        ? checkWebhookCertificate(stored, {
            host: this.host,
            now,
            ...(this.options.renewBeforeMs !== undefined
              ? { renewBeforeMs: this.options.renewBeforeMs }
              : {}),
            ...(this.options.leafValidityMs !== undefined
              ? { leafValidityMs: this.options.leafValidityMs }
              : {}),
          })
        : { ok: false, reason: 'the Secret does not exist' };
      // ok means tls.crt, tls.key and ca.crt are all there.
      if (check.ok)
        return { certificate: stored as WebhookCertificate, action: attempt === 0 ? 'reused' : 'adopted' };
      const fresh = await generateWebhookCertificate({
        dnsNames: this.dnsNames,
        now,
        ...(check.ca ? { ca: check.ca } : {}),
        ...(this.options.leafValidityMs !== undefined ? { leafValidityMs: this.options.leafValidityMs } : {}),
      });
      try {
        if (secret) await this.client.replace(this.secretPath(), this.secretBody(fresh, secret));
        else await this.client.create(this.secretPath(false), this.secretBody(fresh));
      } catch (e) {
        if (!isKubeError(e, 409)) throw e;
        log?.info(
          { secret: `${this.namespace}/${this.secretName}`, reason: e.reason },
          'webhook certificate: another replica wrote the Secret first; using its certificate',
        );
        continue;
      }
      const action = secret ? 'renewed' : 'created';
      log?.info(
        { secret: `${this.namespace}/${this.secretName}`, reason: check.reason, newCa: !check.ca },
        `webhook certificate: ${action}`,
      );
      return { certificate: fresh, action, reason: check.reason };
    }
    throw new Error(
      `Secret ${this.namespace}/${this.secretName}: other writers kept winning after ${WRITE_ATTEMPTS} attempts`,
    );
  }

  private secretPath(named = true): string {
    const base = `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/secrets`;
    return named ? `${base}/${encodeURIComponent(this.secretName)}` : base;
  }

  private async readSecret(): Promise<Secret | undefined> {
    try {
      return await this.client.get<Secret>(this.secretPath());
    } catch (e) {
      if (isKubeError(e, 404)) return undefined;
      throw e;
    }
  }

  /** A new Secret, or `existing` with new data (its resourceVersion makes the update conditional; its type is immutable). */
  private secretBody(c: WebhookCertificate, existing?: Secret): Secret {
    const data: Record<string, string> = {
      'tls.crt': b64(c.cert),
      'tls.key': b64(c.key),
      'ca.crt': b64(c.ca),
      ...(c.caKey ? { 'ca.key': b64(c.caKey) } : {}),
    };
    if (existing)
      return {
        ...existing,
        metadata: { ...existing.metadata, labels: { ...existing.metadata.labels, ...LABELS } },
        type: existing.type ?? 'kubernetes.io/tls',
        data,
      };
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: this.secretName, namespace: this.namespace, labels: { ...LABELS } },
      type: 'kubernetes.io/tls',
      data,
    };
  }
}

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

function certificateOf(secret: Secret): Partial<WebhookCertificate> {
  const d = secret.data ?? {};
  const get = (k: string) =>
    typeof d[k] === 'string' ? Buffer.from(d[k], 'base64').toString('utf8') : undefined;
  const out: Partial<WebhookCertificate> = {};
  const [cert, key, ca, caKey] = [get('tls.crt'), get('tls.key'), get('ca.crt'), get('ca.key')];
  if (cert) out.cert = cert;
  if (key) out.key = key;
  if (ca) out.ca = ca;
  if (caKey) out.caKey = caKey;
  return out;
}
