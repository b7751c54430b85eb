/**
 * `amime apply`: manifests (CRD form) → the App Mesh API calls that make a server hold
 * them, in App Mesh's dependency order (mesh, nodes, routers, routes, services,
 * gateways, gateway routes). Membership comes from the manifests themselves (the mesh
 * graph: namespace selectors; a meshRef is only compared with them), else from `--mesh`.
 * The server validates.
 */
import type { LoadResult } from '../load/index.js';
import { buildMeshGraph, graphInputFromLoad } from '../mesh/index.js';
import {
  type Diagnostic,
  type Kind,
  awsNameOf,
  type AnyResource,
  type VirtualRouter,
} from '../model/index.js';
import { type ApiKind, API_KIND_INFO, type TagRef } from '../model/api-form/index.js';
import { AppMeshClientError, type AppMeshHttpClient } from './client.js';
import { locationPath } from './operations.js';
import { apiSpecOf, type Location } from './view.js';

export interface ApplyStep extends Location {
  spec: unknown;
  /** Sent on create only (like `kubectl apply`, which leaves what the object does not say alone). */
  tags?: TagRef[];
  /** The manifest object it came from (`VirtualRouter mesh-test/vrouter-1` for its routes). */
  from: string;
}

export interface ApplyPlan {
  steps: ApplyStep[];
  /** Problems that keep objects out of the plan (load and schema errors, unknown membership). */
  diagnostics: Diagnostic[];
}

/** Creation order: what a resource names exists before it. */
export const APPLY_ORDER: readonly ApiKind[] = [
  'Mesh',
  'VirtualNode',
  'VirtualRouter',
  'Route',
  'VirtualService',
  'VirtualGateway',
  'GatewayRoute',
];

export function planApply(
  load: LoadResult,
  options: { defaultNamespace?: string; mesh?: string } = {},
): ApplyPlan {
  const { input, diagnostics: checkDiagnostics } = graphInputFromLoad(
    load,
    options.defaultNamespace ?? 'default',
  );
  const diagnostics = [...load.diagnostics, ...checkDiagnostics].filter((d) => d.severity === 'error');
  const graph = buildMeshGraph(input, { refsFromFiles: true });
  const id = (r: AnyResource) => `${r.kind}\u0000${r.metadata.namespace ?? ''}\u0000${r.metadata.name}`;
  const meshOf = new Map<string, string>();
  const gatewayOf = new Map<string, string>();
  for (const [meshName, view] of graph.meshes) {
    for (const map of [view.virtualNodes, view.virtualServices, view.virtualRouters, view.virtualGateways]) {
      for (const r of map.values()) meshOf.set(id(r.resource), meshName);
    }
    for (const gw of view.virtualGateways.values()) {
      for (const gr of gw.routes) {
        gatewayOf.set(id(gr.resource), gw.awsName);
        meshOf.set(id(gr.resource), meshName);
      }
    }
  }
  for (const u of graph.unplaced) if (u.mesh !== undefined) meshOf.set(id(u.resource), u.mesh);

  const byIdentity = new Map<string, AnyResource>(
    input.resources.filter((r) => !r.schemaErrors).map((r) => [id(r.resource), r.resource]),
  );
  const resolve = (kind: Kind, namespace: string | undefined, name: string) => {
    const r = byIdentity.get(`${kind}\u0000${namespace ?? ''}\u0000${name}`);
    return r ? awsNameOf(r) : undefined;
  };

  const steps: ApplyStep[] = [];
  for (const { resource, schemaErrors } of input.resources) {
    // What remains of a resource with schema errors is there to be checked, never applied.
    if (resource.kind === 'BackendGroup' || schemaErrors) continue;
    const name = awsNameOf(resource);
    const from = `${resource.kind} ${resource.metadata.namespace ? `${resource.metadata.namespace}/` : ''}${resource.metadata.name}`;
    if (resource.kind === 'Mesh') {
      steps.push({
        kind: 'Mesh',
        mesh: name,
        name,
        spec: apiSpecOf({ kind: 'Mesh', mesh: name, name }, resource, resolve),
        from,
      });
      continue;
    }
    const mesh = meshOf.get(id(resource)) ?? options.mesh;
    if (mesh === undefined) {
      diagnostics.push(
        unknown(
          resource,
          'its mesh is unknown: include the Mesh and the Namespace it selects, or pass --mesh',
        ),
      );
      continue;
    }
    if (resource.kind === 'GatewayRoute') {
      const gateway = gatewayOf.get(id(resource));
      if (gateway === undefined) {
        diagnostics.push(
          unknown(
            resource,
            'its virtual gateway is unknown: include the VirtualGateway (and its Namespace) it attaches to',
          ),
        );
        continue;
      }
      const loc: Location = { kind: 'GatewayRoute', mesh, name, parent: gateway };
      steps.push({ ...loc, spec: apiSpecOf(loc, resource, resolve), from });
      continue;
    }
    const loc: Location = { kind: resource.kind, mesh, name };
    steps.push({ ...loc, spec: apiSpecOf(loc, resource, resolve), from });
    if (resource.kind === 'VirtualRouter') {
      for (const route of (resource as VirtualRouter).spec.routes ?? []) {
        const routeLoc: Location = { kind: 'Route', mesh, name: route.name, parent: name };
        steps.push({ ...routeLoc, spec: apiSpecOf(routeLoc, resource, resolve, route), from });
      }
    }
  }
  steps.sort((a, b) => APPLY_ORDER.indexOf(a.kind) - APPLY_ORDER.indexOf(b.kind));
  return { steps, diagnostics };
}

function unknown(resource: AnyResource, message: string): Diagnostic {
  return {
    severity: 'error',
    code: 'apply.membership',
    resource: {
      kind: resource.kind,
      name: resource.metadata.name,
      ...(resource.metadata.namespace ? { namespace: resource.metadata.namespace } : {}),
    },
    path: '',
    message,
  };
}

export type ApplyOutcome = 'created' | 'configured' | 'unchanged';

export interface StepResult {
  step: ApplyStep;
  outcome?: ApplyOutcome;
  error?: AppMeshClientError;
}

/** The API path of a step's item or collection, with names encoded. */
export function stepPath(step: Location, item: boolean): string {
  return locationPath(step, item);
}

/**
 * Describe, then create, update or leave alone (`dryRun`: only say which). Never
 * throws for an API error: it is in the result.
 */
export async function applyStep(
  client: AppMeshHttpClient,
  step: ApplyStep,
  options: { dryRun?: boolean } = {},
): Promise<StepResult> {
  try {
    let current: { spec?: unknown } | undefined;
    try {
      current = await client.call('GET', stepPath(step, true));
    } catch (err) {
      if (!(err instanceof AppMeshClientError && err.type === 'NotFoundException')) throw err;
    }
    if (current === undefined) {
      const info = API_KIND_INFO[step.kind];
      const body: Record<string, unknown> = {
        [step.kind === 'Mesh' ? 'meshName' : info.nameField]: step.name,
        spec: step.spec,
        ...(step.tags && step.tags.length > 0 ? { tags: step.tags } : {}),
      };
      if (!options.dryRun) await client.call('PUT', stepPath(step, false), body);
      return { step, outcome: 'created' };
    }
    if (sameJson(current.spec ?? {}, step.spec)) return { step, outcome: 'unchanged' };
    if (!options.dryRun) await client.call('PUT', stepPath(step, true), { spec: step.spec });
    return { step, outcome: 'configured' };
  } catch (err) {
    if (err instanceof AppMeshClientError) return { step, error: err };
    throw err;
  }
}

export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]))
    );
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}
