/**
 * A minimal validator for API-created meshes, used when no mesh-graph validator is
 * injected: references that must exist (route targets, service providers, gateway
 * route targets) and App Mesh's quotas. The mesh graph's validator supersedes it.
 */
import type { Diagnostic, ResourceId } from '../model/diagnostic.js';
import { DEFAULT_QUOTAS, type GraphInput, type Quotas } from '../mesh/graph.js';
import { awsNameOf, parseArn } from '../model/names.js';
import type { AnyResource, VirtualRouter } from '../model/resources.js';
import type { MeshValidator } from './validate.js';

type Obj = Record<string, unknown>;

export function basicValidator(quotas: Partial<Quotas> = {}): MeshValidator {
  const q: Quotas = { ...DEFAULT_QUOTAS, ...quotas };
  return (input: GraphInput) => {
    const resources = input.resources.map((r) => r.resource);
    const out: Diagnostic[] = [];
    const idOf = (r: AnyResource): ResourceId => ({ kind: r.kind, name: r.metadata.name, ...(r.metadata.namespace ? { namespace: r.metadata.namespace } : {}) });
    const error = (r: AnyResource, path: string, code: string, message: string) => out.push({ severity: 'error', code, resource: idOf(r), path, message });
    const names = new Map<string, Set<string>>();
    for (const r of resources) {
      let set = names.get(r.kind);
      if (!set) names.set(r.kind, (set = new Set()));
      set.add(awsNameOf(r));
    }
    const exists = (kind: string, arn: unknown) => typeof arn !== 'string' || names.get(kind)?.has(parseArn(arn)?.name ?? arn) === true;

    const meshes = resources.filter((r) => r.kind === 'Mesh');
    if (meshes.length > q.meshes) error(meshes[q.meshes]!, 'metadata.name', 'quota.meshes', `meshes: ${meshes.length}; the quota "Meshes per account" is ${q.meshes}`);
    for (const r of resources) {
      const spec = r.spec as Obj;
      if (r.kind === 'VirtualService') {
        const p = spec.provider as { virtualNode?: Obj; virtualRouter?: Obj } | undefined;
        if (p?.virtualNode && !exists('VirtualNode', p.virtualNode.virtualNodeARN)) {
          error(r, 'spec.provider.virtualNode', 'reference.not-found', `VirtualNode ${parseArn(String(p.virtualNode.virtualNodeARN))?.name} does not exist in this mesh`);
        }
        if (p?.virtualRouter && !exists('VirtualRouter', p.virtualRouter.virtualRouterARN)) {
          error(r, 'spec.provider.virtualRouter', 'reference.not-found', `VirtualRouter ${parseArn(String(p.virtualRouter.virtualRouterARN))?.name} does not exist in this mesh`);
        }
      }
      if (r.kind === 'VirtualRouter') {
        ((r as VirtualRouter).spec.routes ?? []).forEach((route, i) => {
          for (const type of ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'] as const) {
            const targets = (route[type] as { action?: { weightedTargets?: Obj[] } } | undefined)?.action?.weightedTargets ?? [];
            targets.forEach((t, j) => {
              if (!exists('VirtualNode', t.virtualNodeARN)) {
                error(r, `spec.routes[${i}].${type}.action.weightedTargets[${j}]`, 'reference.not-found', `VirtualNode ${parseArn(String(t.virtualNodeARN))?.name} does not exist in this mesh`);
              }
            });
          }
        });
      }
      if (r.kind === 'GatewayRoute') {
        for (const type of ['httpRoute', 'http2Route', 'grpcRoute'] as const) {
          const vs = (spec[type] as { action?: { target?: { virtualService?: Obj } } } | undefined)?.action?.target?.virtualService;
          if (vs && !exists('VirtualService', vs.virtualServiceARN)) {
            error(r, `spec.${type}.action.target.virtualService`, 'reference.not-found', `VirtualService ${parseArn(String(vs.virtualServiceARN))?.name} does not exist in this mesh`);
          }
        }
      }
    }
    return out;
  };
}
