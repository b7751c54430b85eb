/** The webhook paths App Mesh serves, each bound to its handler. */
import type { GraphOptions } from '../../mesh/index.js';
import { KINDS, type Kind } from '../../model/index.js';
import type { InputObjects } from '../graph-input.js';
import type { InjectorConfig } from '../inject/config.js';
import { mutatePod } from '../inject/mutate-pod.js';
import type { Pod } from '../objects.js';
import { mutateCrd, validateCrd } from './crd-admission.js';
import type { AdmissionHandler } from './server.js';

export const POD_WEBHOOK_PATH = '/mutate-v1-pod';

export function mutatePath(kind: Kind): string {
  return `/mutate-appmesh-k8s-aws-v1beta2-${kind.toLowerCase()}`;
}

export function validatePath(kind: Kind): string {
  return `/validate-appmesh-k8s-aws-v1beta2-${kind.toLowerCase()}`;
}

export interface HandlerDeps {
  objects(namespace: string | undefined): Promise<InputObjects>;
  injector: InjectorConfig;
  graphOptions?: GraphOptions;
  ipFamily?: 'IPv4' | 'IPv6';
}

export function admissionHandlers(deps: HandlerDeps): Record<string, AdmissionHandler> {
  const crdDeps = {
    objects: deps.objects,
    ...(deps.graphOptions ? { graphOptions: deps.graphOptions } : {}),
    ...(deps.ipFamily ? { ipFamily: deps.ipFamily } : {}),
  };
  const handlers: Record<string, AdmissionHandler> = {};
  for (const kind of KINDS) {
    handlers[mutatePath(kind)] = (req) => mutateCrd(kind, req, crdDeps);
    handlers[validatePath(kind)] = (req) => validateCrd(kind, req, crdDeps);
  }
  handlers[POD_WEBHOOK_PATH] = async (req) => {
    // App Mesh's pod webhook mutates on CREATE only.
    if (req.operation !== 'CREATE' || !req.object) return { allowed: true };
    const namespace = req.namespace ?? (req.object as Pod).metadata?.namespace ?? 'default';
    const result = mutatePod({
      pod: req.object as Pod,
      namespace,
      objects: await deps.objects(namespace),
      config: deps.injector,
      ...(deps.graphOptions ? { graphOptions: deps.graphOptions } : {}),
    });
    return result.allowed
      ? { allowed: true, patch: result.patch, warnings: result.warnings }
      : { allowed: false, message: result.message };
  };
  return handlers;
}
