import { describe, expect, it } from 'vitest';
import { checkAgainstSchema } from '../validate-schema.js';
import type { VirtualRouter } from '../resources.js';
import { API_KIND_INFO, type ApiKind } from './types.js';
import { arbitrary, seededRandom } from '../../../test/support/api-form-arbitrary.js';
import {
  gatewayRouteToCrd,
  meshToCrd,
  routeToCrd,
  virtualGatewayToCrd,
  virtualNodeToCrd,
  virtualRouterToCrd,
  virtualServiceToCrd,
  type GatewayToCrdContext,
} from './to-crd.js';
import {
  gatewayRouteFromCrd,
  meshFromCrd,
  routeFromCrd,
  virtualGatewayFromCrd,
  virtualNodeFromCrd,
  virtualRouterFromCrd,
  virtualServiceFromCrd,
} from './from-crd.js';

const ctx: GatewayToCrdContext = {
  mesh: 'm1',
  meshRef: { name: 'm1', uid: 'u-1' },
  virtualGatewayRef: { name: 'gw', uid: 'u-2' },
};
const noResolve = () => undefined;

/** API → CRD → API for one kind. */
const roundTrip: Record<ApiKind, (spec: never) => unknown> = {
  Mesh: (s) => meshFromCrd(meshToCrd('m1', s)),
  VirtualNode: (s) => virtualNodeFromCrd(virtualNodeToCrd('vn', s, ctx), noResolve),
  VirtualService: (s) => virtualServiceFromCrd(virtualServiceToCrd('vs.local', s, ctx), noResolve),
  VirtualRouter: (s) => virtualRouterFromCrd(virtualRouterToCrd('vr', s, ctx)),
  Route: (s) => {
    const router = virtualRouterToCrd(
      'vr',
      { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] },
      ctx,
      [routeToCrd('r', s, ctx)],
    );
    return routeFromCrd((router as VirtualRouter).spec.routes![0]!, router, noResolve);
  },
  VirtualGateway: (s) => virtualGatewayFromCrd(virtualGatewayToCrd('vg', s, ctx)),
  GatewayRoute: (s) => gatewayRouteFromCrd(gatewayRouteToCrd('gr', s, ctx), noResolve),
};

describe('API form ↔ CRD form', () => {
  for (const kind of Object.keys(roundTrip) as ApiKind[]) {
    it(`${kind}: API → CRD → API is lossless over 300 generated specs`, () => {
      const schema = API_KIND_INFO[kind].spec;
      const rnd = seededRandom(kind.length * 7919);
      for (let i = 0; i < 300; i++) {
        const spec = arbitrary(schema, rnd);
        // The generator must produce valid API input, or the property says little.
        expect(
          checkAgainstSchema(schema, spec, { at: ['spec'] }).filter((d) => d.severity === 'error'),
        ).toEqual([]);
        expect(roundTrip[kind](spec as never)).toEqual(spec);
      }
    });
  }

  it('builds ARNs for references and keeps the CRD spec free of API-only values', () => {
    const vn = virtualNodeToCrd(
      'vn',
      {
        serviceDiscovery: { dns: { hostname: 'a.local', ipPreference: 'IPv4_PREFERRED' } },
        backends: [{ virtualService: { virtualServiceName: 'svc.local' } }],
        listeners: [
          {
            portMapping: { port: 80, protocol: 'http' },
            tls: { mode: 'STRICT', certificate: { acm: { certificateArn: 'arn:c' } } },
          },
        ],
      },
      ctx,
    );
    expect(vn.metadata).toEqual({
      name: 'vn',
      annotations: {
        'appmesh.amime.dev/api-only-fields': '{"spec.serviceDiscovery.dns.ipPreference":"IPv4_PREFERRED"}',
      },
    });
    expect(vn.spec.awsName).toBe('vn');
    expect(vn.spec.meshRef).toEqual({ name: 'm1', uid: 'u-1' });
    expect(vn.spec.serviceDiscovery).toEqual({ dns: { hostname: 'a.local' } });
    expect(vn.spec.backends).toEqual([
      {
        virtualService: {
          virtualServiceARN: 'arn:aws:appmesh:us-west-2:000000000000:mesh/m1/virtualService/svc.local',
        },
      },
    ]);
    expect(vn.spec.listeners?.[0]?.tls?.certificate.acm).toEqual({ certificateARN: 'arn:c' });
    const mesh = meshToCrd('m', { serviceDiscovery: { ipPreference: 'IPv6_ONLY' } });
    expect(mesh.spec.meshServiceDiscovery).toEqual({ ipPreference: 'IPv6_ONLY' });
    expect(mesh.metadata.annotations).toBeUndefined();
  });

  it('resolves Kubernetes references to awsNames, with the namespace default', () => {
    const router: VirtualRouter = {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'VirtualRouter',
      metadata: { name: 'vrouter-1', namespace: 'mesh-test' },
      spec: {
        listeners: [{ portMapping: { port: 80, protocol: 'http' } }],
        routes: [
          {
            name: 'route-1',
            httpRoute: {
              match: { prefix: '/' },
              action: {
                weightedTargets: [
                  { virtualNodeRef: { name: 'vnode-1' }, weight: 1 },
                  { virtualNodeRef: { name: 'vnode-2', namespace: 'other' }, weight: 1 },
                ],
              },
            },
          },
        ],
      },
    };
    const resolve = (_k: string, ns: string | undefined, name: string) =>
      name === 'vnode-2' ? `custom-${ns}` : undefined;
    expect(routeFromCrd(router.spec.routes![0]!, router, resolve)).toEqual({
      httpRoute: {
        match: { prefix: '/' },
        action: {
          weightedTargets: [
            { virtualNode: 'vnode-1_mesh-test', weight: 1 },
            { virtualNode: 'custom-other', weight: 1 },
          ],
        },
      },
    });
  });
});
