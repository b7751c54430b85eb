/**
 * The admission step of the API-server test double: calls the configured mutating,
 * then validating, webhooks over HTTPS with real `admission.k8s.io/v1`
 * AdmissionReview bodies, applies JSONPatch responses, and turns denials into the
 * errors kube-apiserver returns ("admission webhook "x" denied the request: ...").
 */
import { randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import type { LabelSelector } from '../../src/model/schema/index.js';
import { selectorMatches } from '../../src/mesh/selectors.js';
import { applyJsonPatch, type JsonPatchOp } from './json-patch.js';
import type { KObject } from './object-table.js';
import type { ResourceType } from './resource-types.js';
import { ApiError } from './status-errors.js';

export interface WebhookClientConfig {
  url?: string;
  service?: { namespace: string; name: string; path?: string; port?: number };
  /** Base64 PEM of the CA that signed the webhook's serving certificate. */
  caBundle?: string;
}

export interface RuleWithOperations {
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  operations?: string[];
}

/** One entry of `webhooks:` in a Mutating/ValidatingWebhookConfiguration (admissionregistration.k8s.io/v1). */
export interface AdmissionWebhook {
  name: string;
  clientConfig: WebhookClientConfig;
  rules?: RuleWithOperations[];
  failurePolicy?: 'Fail' | 'Ignore';
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  timeoutSeconds?: number;
  admissionReviewVersions?: string[];
  sideEffects?: string;
}

export interface WebhookConfiguration {
  apiVersion?: string;
  kind: 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration';
  metadata?: { name?: string };
  webhooks?: AdmissionWebhook[];
}

export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionAttributes {
  type: ResourceType;
  subresource?: string;
  operation: Operation;
  namespace?: string;
  name: string;
  object?: KObject;
  oldObject?: KObject;
  userInfo: UserInfo;
  /** Labels of the object's namespace (for namespaceSelector); undefined for cluster-scoped objects. */
  namespaceLabels?: Record<string, string>;
}

/** Maps a webhook's `clientConfig.service` to a URL base (`https://127.0.0.1:9443`), since there is no cluster DNS here. */
export type ServiceResolver = (namespace: string, name: string) => string | undefined;

export class AdmissionChain {
  private mutating: AdmissionWebhook[] = [];
  private validating: AdmissionWebhook[] = [];

  constructor(private readonly resolveService: ServiceResolver) {}

  /** Replaces all webhooks with those of the given configurations, in order. */
  configure(configs: ReadonlyArray<WebhookConfiguration>): void {
    this.mutating = configs
      .filter((c) => c.kind === 'MutatingWebhookConfiguration')
      .flatMap((c) => c.webhooks ?? []);
    this.validating = configs
      .filter((c) => c.kind === 'ValidatingWebhookConfiguration')
      .flatMap((c) => c.webhooks ?? []);
  }

  /** Runs the mutating webhooks in order; returns the (possibly patched) object. */
  async mutate(attrs: AdmissionAttributes, warnings: string[]): Promise<KObject | undefined> {
    let object = attrs.object;
    for (const hook of this.mutating) {
      if (!this.matches(hook, { ...attrs, ...(object ? { object } : {}) })) continue;
      const response = await this.call(hook, { ...attrs, ...(object ? { object } : {}) }, warnings);
      if (!response || !response.patch || !object) continue;
      if (response.patchType !== 'JSONPatch')
        throw internal(hook, `unsupported patchType ${JSON.stringify(response.patchType)}`);
      let ops: JsonPatchOp[];
      try {
        ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as JsonPatchOp[];
        object = applyJsonPatch(object, ops);
      } catch (e) {
        throw internal(hook, `applying the returned patch: ${(e as Error).message}`);
      }
    }
    return object;
  }

  async validate(attrs: AdmissionAttributes, warnings: string[]): Promise<void> {
    // kube-apiserver calls validating webhooks in parallel; any denial fails the request.
    await Promise.all(
      this.validating.filter((h) => this.matches(h, attrs)).map((h) => this.call(h, attrs, warnings)),
    );
  }

  private matches(hook: AdmissionWebhook, a: AdmissionAttributes): boolean {
    // kube-apiserver never calls webhooks about webhook configurations (no lock-out).
    if (a.type.group === 'admissionregistration.k8s.io') return false;
    const resource = a.subresource ? `${a.type.resource}/${a.subresource}` : a.type.resource;
    const ruleOk = (hook.rules ?? []).some((r) => {
      const has = (list: string[] | undefined, v: string) => (list ?? []).some((x) => x === '*' || x === v);
      const resOk = (r.resources ?? []).some(
        (x) =>
          x === '*/*' ||
          x === resource ||
          (x === '*' && !a.subresource) ||
          (x.startsWith('*/') && a.subresource === x.slice(2)),
      );
      return (
        has(r.apiGroups, a.type.group) &&
        has(r.apiVersions, a.type.version) &&
        has(r.operations, a.operation) &&
        resOk
      );
    });
    if (!ruleOk) return false;
    const labels = (a.object ?? a.oldObject)?.metadata.labels ?? {};
    if (hook.objectSelector && !selectorMatches(hook.objectSelector, labels, 'all')) return false;
    if (hook.namespaceSelector) {
      const nsLabels = a.type.kind === 'Namespace' && a.type.group === '' ? labels : a.namespaceLabels;
      if (nsLabels !== undefined && !selectorMatches(hook.namespaceSelector, nsLabels, 'all')) return false;
    }
    return true;
  }

  /**
   * Where to send the review, and the name the serving certificate must carry: for a
   * Service, kube-apiserver dials `<name>.<namespace>.svc` (SNI and verification use
   * that name), whatever address the Service maps to here.
   */
  private target(hook: AdmissionWebhook): { url: string; servername?: string } {
    const cc = hook.clientConfig;
    if (cc.url) return { url: cc.url };
    if (cc.service) {
      const base = this.resolveService(cc.service.namespace, cc.service.name);
      if (!base)
        throw internal(
          hook,
          `no address for service ${cc.service.namespace}/${cc.service.name} (configure serviceEndpoints on the test double)`,
        );
      return {
        url: `${base}${cc.service.path ?? '/'}`,
        servername: `${cc.service.name}.${cc.service.namespace}.svc`,
      };
    }
    throw internal(hook, 'clientConfig has neither url nor service');
  }

  private async call(
    hook: AdmissionWebhook,
    a: AdmissionAttributes,
    warnings: string[],
  ): Promise<AdmissionResponse | undefined> {
    const uid = randomUUID();
    const gvk = { group: a.type.group, version: a.type.version, kind: a.type.kind };
    const gvr = { group: a.type.group, version: a.type.version, resource: a.type.resource };
    const review = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid,
        kind: gvk,
        resource: gvr,
        ...(a.subresource ? { subResource: a.subresource } : {}),
        requestKind: gvk,
        requestResource: gvr,
        name: a.name,
        ...(a.namespace ? { namespace: a.namespace } : {}),
        operation: a.operation,
        userInfo: a.userInfo,
        object: a.object ?? null,
        oldObject: a.oldObject ?? null,
        dryRun: false,
        options: {
          apiVersion: 'meta.k8s.io/v1',
          kind:
            a.operation === 'CREATE'
              ? 'CreateOptions'
              : a.operation === 'UPDATE'
                ? 'UpdateOptions'
                : 'DeleteOptions',
        },
      },
    };
    let body: AdmissionReviewResponse;
    try {
      body = await postJson(
        this.target(hook),
        review,
        hook.clientConfig.caBundle,
        (hook.timeoutSeconds ?? 10) * 1000,
      );
    } catch (e) {
      if (hook.failurePolicy === 'Ignore') return undefined;
      throw e instanceof ApiError ? e : internal(hook, (e as Error).message);
    }
    const response = body.response;
    if (!response || response.uid !== uid) {
      if (hook.failurePolicy === 'Ignore') return undefined;
      throw internal(hook, `expected response.uid="${uid}", got "${response?.uid ?? ''}"`);
    }
    for (const w of response.warnings ?? []) warnings.push(w);
    if (!response.allowed) {
      const code = response.status?.code && response.status.code >= 400 ? response.status.code : 400;
      const msg = response.status?.message ? response.status.message : 'without explanation';
      throw new ApiError(
        code,
        response.status?.reason ?? (code === 403 ? 'Forbidden' : 'BadRequest'),
        `admission webhook "${hook.name}" denied the request: ${msg}`,
      );
    }
    return response;
  }
}

interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code?: number; message?: string; reason?: string };
  patch?: string;
  patchType?: string;
  warnings?: string[];
}

interface AdmissionReviewResponse {
  response?: AdmissionResponse;
}

function internal(hook: AdmissionWebhook, message: string): ApiError {
  return new ApiError(
    500,
    'InternalError',
    `Internal error occurred: failed calling webhook "${hook.name}": ${message}`,
  );
}

function postJson(
  target: { url: string; servername?: string },
  body: unknown,
  caBundle: string | undefined,
  timeoutMs: number,
): Promise<AdmissionReviewResponse> {
  const u = new URL(target.url);
  if (u.protocol !== 'https:')
    return Promise.reject(new Error(`webhook URL must use https, got ${u.protocol}`));
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      u,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': data.length,
        },
        ...(caBundle ? { ca: Buffer.from(caBundle, 'base64').toString('utf8') } : {}),
        ...(target.servername ? { servername: target.servername } : {}),
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 300)
            return reject(new Error(`the server responded with ${res.statusCode}: ${text.slice(0, 200)}`));
          try {
            resolve(JSON.parse(text) as AdmissionReviewResponse);
          } catch {
            reject(new Error('the webhook response is not JSON'));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`context deadline exceeded (${timeoutMs} ms)`)));
    req.on('error', reject);
    req.end(data);
  });
}
