/**
 * What kube-apiserver checks on the built-in objects whose content Amime writes, so
 * the API-server test double refuses what a cluster refuses: Secrets (`stringData`
 * folded into base64 `data`, the keys `kubernetes.io/tls` needs, `type` immutable) and
 * webhook configurations (`caBundle` is base64 bytes). Other types are stored as given.
 */
import type { KObject } from './object-table.js';
import type { ResourceType } from './resource-types.js';
import { badRequest, invalid } from './status-errors.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Defaults and checks `obj` (in place) before it is stored; `old` is the stored object on update. */
export function prepareBuiltin(t: ResourceType, obj: KObject, old?: KObject): void {
  if (t.group === '' && t.resource === 'secrets') prepareSecret(t, obj, old);
  else if (t.group === 'admissionregistration.k8s.io') checkWebhookConfiguration(obj);
}

function prepareSecret(t: ResourceType, obj: KObject, old: KObject | undefined): void {
  const name = obj.metadata.name ?? '';
  const data: Record<string, unknown> = isRecord(obj.data) ? { ...obj.data } : {};
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string' || !BASE64.test(v))
      throw badRequest(
        `Secret in version "v1" cannot be handled as a Secret: illegal base64 data in data[${JSON.stringify(k)}]`,
      );
  }
  if (isRecord(obj.stringData))
    for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
  delete obj.stringData;
  if (Object.keys(data).length > 0) obj.data = data;
  else delete obj.data;
  if (typeof obj.type !== 'string' || obj.type === '') obj.type = 'Opaque';
  if (old && obj.type !== old.type)
    throw invalid(t, name, 'type', `Invalid value: ${JSON.stringify(obj.type)}: field is immutable`);
  if (obj.type === 'kubernetes.io/tls') {
    for (const key of ['tls.crt', 'tls.key'])
      if (!(key in data)) throw invalid(t, name, `data[${key}]`, 'Required value');
  }
}

function checkWebhookConfiguration(obj: KObject): void {
  const hooks = Array.isArray(obj.webhooks) ? (obj.webhooks as unknown[]) : [];
  hooks.forEach((h, i) => {
    const ca = isRecord(h) && isRecord(h.clientConfig) ? h.clientConfig.caBundle : undefined;
    if (ca !== undefined && (typeof ca !== 'string' || !BASE64.test(ca))) {
      throw badRequest(
        `${obj.kind} in version "v1" cannot be handled as a ${obj.kind}: illegal base64 data in webhooks[${i}].clientConfig.caBundle`,
      );
    }
  });
}
