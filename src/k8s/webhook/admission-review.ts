/** `admission.k8s.io/v1` AdmissionReview request/response shapes and the response a verdict becomes. */
import type { PatchOp } from './patch-ops.js';

export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  userInfo?: { username?: string; groups?: string[] };
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
}

export interface AdmissionReview {
  apiVersion: string;
  kind: 'AdmissionReview';
  request?: AdmissionRequest;
  response?: AdmissionResponse;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string; reason?: string };
  patchType?: 'JSONPatch';
  /** base64 of the JSON patch. */
  patch?: string;
  warnings?: string[];
}

export type AdmissionVerdict =
  | { allowed: true; patch?: PatchOp[]; warnings?: string[] }
  | { allowed: false; message: string; code?: number };

export function toReview(request: AdmissionRequest, verdict: AdmissionVerdict): AdmissionReview {
  const response: AdmissionResponse = { uid: request.uid, allowed: verdict.allowed };
  if (!verdict.allowed) {
    // App Mesh's webhooks (controller-runtime) answer a failed mutation or validation with 403 and the error text.
    response.status = { code: verdict.code ?? 403, message: verdict.message, reason: 'Forbidden' };
  } else {
    if (verdict.patch && verdict.patch.length > 0) {
      response.patchType = 'JSONPatch';
      response.patch = Buffer.from(JSON.stringify(verdict.patch)).toString('base64');
    }
    if (verdict.warnings && verdict.warnings.length > 0) response.warnings = verdict.warnings;
  }
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
