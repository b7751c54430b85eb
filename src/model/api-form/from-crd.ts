/**
 * CRD form → App Mesh REST API form: what `Describe*` shows for any stored resource,
 * whether it came from the API, YAML files or Kubernetes.
 *
 * References become the referenced resource's awsName: a `*Ref` through the resolver
 * (namespace defaulting to the referencing object's), an `*ARN` through its last path
 * segment. Kubernetes-only fields (podSelector, backendGroups, namespaceSelector,
 * gatewayRouteSelector, meshOwner, awsName, meshRef, virtualGatewayRef) have no API form.
 *
 * Round trips:
 * - API → CRD → API is lossless (tested over generated specs).
 * - CRD → API → CRD changes the object: every `*Ref` becomes an `*ARN` field, the
 *   namespace and the Kubernetes-only fields above are dropped (the API keeps them on
 *   update by merging: see `mergeCrdUpdate`), `metadata.name` becomes the awsName, and a
 *   VirtualRouter's routes come back only through the Route calls.
 */
import { defaultAwsName, parsedArn } from '../names.js';
import type { Kind } from '../kinds.js';
import type {
  GatewayRoute,
  Mesh,
  VirtualGateway,
  VirtualNode,
  VirtualRouter,
  VirtualService,
} from '../resources.js';
import type { Route } from '../schema/virtual-router.js';
import { apiOnlyFieldsOf } from './api-only.js';
import { deepCopy, renameArnKeysToApi } from './rename.js';
import type {
  ApiGatewayRouteSpec,
  ApiMeshSpec,
  ApiRouteSpec,
  ApiVirtualGatewaySpec,
  ApiVirtualNodeSpec,
  ApiVirtualRouterSpec,
  ApiVirtualServiceSpec,
} from './schema/index.js';

/** awsName of the resource with this Kubernetes identity, or undefined when unknown (the default awsName rule applies). */
export type AwsNameResolver = (kind: Kind, namespace: string | undefined, name: string) => string | undefined;

type Obj = Record<string, unknown>;
interface Ref {
  name: string;
  namespace?: string;
}

/** awsName named by a `*Ref` or `*ARN` pair of fields. */
export function referencedName(
  kind: Kind,
  holder: Obj | undefined,
  fromNamespace: string | undefined,
  resolve: AwsNameResolver,
): string {
  const refField = `${lowerFirst(kind)}Ref`;
  const arnField = `${lowerFirst(kind)}ARN`;
  const arn = holder?.[arnField];
  if (typeof arn === 'string') return parsedArn(arn)?.name ?? arn;
  const ref = holder?.[refField] as Ref | undefined;
  if (ref && typeof ref.name === 'string') {
    const ns = ref.namespace ?? fromNamespace;
    return resolve(kind, ns, ref.name) ?? defaultAwsName(kind, ref.name, ns);
  }
  return '';
}

export function meshFromCrd(mesh: Mesh): ApiMeshSpec {
  const out: Obj = {};
  if (mesh.spec.egressFilter !== undefined) out.egressFilter = deepCopy(mesh.spec.egressFilter);
  const apiOnly = apiOnlyFieldsOf(mesh)['spec.serviceDiscovery.ipPreference'];
  if (mesh.spec.meshServiceDiscovery !== undefined || apiOnly !== undefined) {
    const sd: Obj = deepCopy(mesh.spec.meshServiceDiscovery ?? {});
    if (apiOnly !== undefined) sd.ipPreference = apiOnly;
    out.serviceDiscovery = sd;
  }
  return out as ApiMeshSpec;
}

export function virtualNodeFromCrd(node: VirtualNode, resolve: AwsNameResolver): ApiVirtualNodeSpec {
  const { listeners, serviceDiscovery, backends, backendDefaults, logging } = node.spec;
  const out: Obj = {};
  if (listeners !== undefined) out.listeners = renameArnKeysToApi(listeners);
  if (backendDefaults !== undefined) out.backendDefaults = renameArnKeysToApi(backendDefaults);
  if (logging !== undefined) out.logging = deepCopy(logging);
  if (serviceDiscovery !== undefined) {
    const apiOnly = apiOnlyFieldsOf(node);
    const sd: Obj = {};
    for (const [member, value] of Object.entries(serviceDiscovery) as Array<[string, Obj | undefined]>) {
      if (value === undefined) continue;
      const copy: Obj = deepCopy(value);
      const pref = apiOnly[`spec.serviceDiscovery.${member}.ipPreference`];
      if (pref !== undefined) copy.ipPreference = pref;
      sd[member] = copy;
    }
    out.serviceDiscovery = sd;
  }
  if (backends !== undefined) {
    out.backends = backends.map((b) => {
      const { virtualServiceRef: _ref, virtualServiceARN: _arn, ...rest } = b.virtualService as Obj;
      const name = referencedName(
        'VirtualService',
        b.virtualService as Obj,
        node.metadata.namespace,
        resolve,
      );
      return { virtualService: { ...renameArnKeysToApi(rest), virtualServiceName: name } };
    });
  }
  return out as ApiVirtualNodeSpec;
}

export function virtualServiceFromCrd(
  service: VirtualService,
  resolve: AwsNameResolver,
): ApiVirtualServiceSpec {
  const provider = service.spec.provider;
  if (provider === undefined) return {};
  const ns = service.metadata.namespace;
  const out: Obj = {};
  if (provider.virtualNode !== undefined) {
    out.virtualNode = {
      virtualNodeName: referencedName('VirtualNode', provider.virtualNode as Obj, ns, resolve),
    };
  }
  if (provider.virtualRouter !== undefined) {
    out.virtualRouter = {
      virtualRouterName: referencedName('VirtualRouter', provider.virtualRouter as Obj, ns, resolve),
    };
  }
  return { provider: out } as ApiVirtualServiceSpec;
}

export function virtualRouterFromCrd(router: VirtualRouter): ApiVirtualRouterSpec {
  const listeners = (router.spec as { listeners?: unknown }).listeners;
  return listeners === undefined ? {} : ({ listeners: deepCopy(listeners) } as ApiVirtualRouterSpec);
}

/** One entry of `router.spec.routes` in API form. */
export function routeFromCrd(route: Route, router: VirtualRouter, resolve: AwsNameResolver): ApiRouteSpec {
  const out: Obj = {};
  for (const [key, value] of Object.entries(route)) {
    if (value === undefined || key === 'name') continue;
    if (key === 'priority') {
      out.priority = value;
      continue;
    }
    const copy = deepCopy(value) as Obj & { action?: { weightedTargets?: Obj[] } };
    if (copy.action?.weightedTargets) {
      copy.action.weightedTargets = copy.action.weightedTargets.map((t) => {
        const { virtualNodeRef: _ref, virtualNodeARN: _arn, ...rest } = t;
        return { ...rest, virtualNode: referencedName('VirtualNode', t, router.metadata.namespace, resolve) };
      });
    }
    out[key] = copy;
  }
  return out as ApiRouteSpec;
}

export function virtualGatewayFromCrd(gateway: VirtualGateway): ApiVirtualGatewaySpec {
  const { listeners, backendDefaults, logging } = gateway.spec;
  const out: Obj = {};
  if (backendDefaults !== undefined) out.backendDefaults = renameArnKeysToApi(backendDefaults);
  if (listeners !== undefined) out.listeners = renameArnKeysToApi(listeners);
  if (logging !== undefined) out.logging = deepCopy(logging);
  return out as ApiVirtualGatewaySpec;
}

export function gatewayRouteFromCrd(route: GatewayRoute, resolve: AwsNameResolver): ApiGatewayRouteSpec {
  const out: Obj = {};
  for (const key of ['grpcRoute', 'http2Route', 'httpRoute', 'priority'] as const) {
    const value = route.spec[key];
    if (value === undefined) continue;
    if (key === 'priority') {
      out.priority = value;
      continue;
    }
    const copy = deepCopy(value) as Obj & { action?: { target?: Obj } };
    const target = copy.action?.target;
    if (target?.virtualService !== undefined) {
      target.virtualService = {
        virtualServiceName: referencedName(
          'VirtualService',
          target.virtualService as Obj,
          route.metadata.namespace,
          resolve,
        ),
      };
    }
    out[key] = copy;
  }
  return out as ApiGatewayRouteSpec;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
