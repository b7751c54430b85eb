import { describe, expect, it } from 'vitest';
import type { AnyResource } from '../model/index.js';
import { API_VERSION } from '../model/index.js';
import { checkUpdate, checkUserSetSystemFields } from './immutability.js';

const res = (
  kind: string,
  spec: Record<string, unknown>,
  name = 'a',
  namespace: string | undefined = 'ns',
): AnyResource =>
  ({
    apiVersion: API_VERSION,
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec,
  }) as AnyResource;
const paths = (list: ReturnType<typeof checkUpdate>) => list.map((d) => `${d.code} @ ${d.path}`);
const meshRef = { name: 'm', uid: 'u1' };

describe('checkUpdate: immutable fields (appmesh.md §2.4)', () => {
  it.each(['VirtualNode', 'VirtualService', 'VirtualRouter', 'VirtualGateway', 'GatewayRoute'])(
    '%s: awsName and meshRef may not change',
    (kind) => {
      const old = res(kind, { awsName: 'x', meshRef });
      expect(checkUpdate(old, res(kind, { awsName: 'x', meshRef: { ...meshRef } }))).toEqual([]);
      const changed = checkUpdate(old, res(kind, { awsName: 'y', meshRef: { name: 'm2', uid: 'u2' } }));
      expect(paths(changed)).toEqual(['update.immutable @ spec.awsName', 'update.immutable @ spec.meshRef']);
      expect(changed[0]!.message).toContain(
        `${kind} update may not change these fields: spec.awsName,spec.meshRef`,
      );
    },
  );

  it('removing awsName is a change (App Mesh does not default it on update)', () => {
    expect(paths(checkUpdate(res('VirtualNode', { awsName: 'a_ns' }), res('VirtualNode', {})))).toEqual([
      'update.immutable @ spec.awsName',
    ]);
  });

  it('an object stored without awsName compares by its effective name', () => {
    expect(checkUpdate(res('VirtualNode', {}), res('VirtualNode', { awsName: 'a_ns' }))).toEqual([]);
    expect(paths(checkUpdate(res('VirtualNode', {}), res('VirtualNode', { awsName: 'other' })))).toEqual([
      'update.immutable @ spec.awsName',
    ]);
  });

  it('Mesh: awsName may not change', () => {
    expect(
      paths(
        checkUpdate(
          res('Mesh', { awsName: 'm' }, 'm', undefined),
          res('Mesh', { awsName: 'n' }, 'm', undefined),
        ),
      ),
    ).toEqual(['update.immutable @ spec.awsName']);
    expect(
      checkUpdate(
        res('Mesh', { awsName: 'm' }, 'm', undefined),
        res('Mesh', { awsName: 'm', egressFilter: { type: 'ALLOW_ALL' } }, 'm', undefined),
      ),
    ).toEqual([]);
  });

  it('GatewayRoute: virtualGatewayRef may not change', () => {
    const old = res('GatewayRoute', { awsName: 'r', meshRef, virtualGatewayRef: { name: 'g', uid: 'g1' } });
    expect(
      paths(
        checkUpdate(
          old,
          res('GatewayRoute', { awsName: 'r', meshRef, virtualGatewayRef: { name: 'g2', uid: 'g2' } }),
        ),
      ),
    ).toEqual(['update.immutable @ spec.virtualGatewayRef']);
  });

  it('VirtualNode: serviceDiscovery.awsCloudMap may not change once set; dns may', () => {
    const map = { awsCloudMap: { namespaceName: 'n', serviceName: 's' } };
    expect(
      paths(
        checkUpdate(
          res('VirtualNode', { awsName: 'a', serviceDiscovery: map }),
          res('VirtualNode', {
            awsName: 'a',
            serviceDiscovery: { awsCloudMap: { namespaceName: 'n', serviceName: 't' } },
          }),
        ),
      ),
    ).toEqual(['update.immutable @ spec.serviceDiscovery.awsCloudMap']);
    expect(
      paths(
        checkUpdate(
          res('VirtualNode', { awsName: 'a', serviceDiscovery: map }),
          res('VirtualNode', { awsName: 'a', serviceDiscovery: { dns: { hostname: 'h' } } }),
        ),
      ),
    ).toEqual(['update.immutable @ spec.serviceDiscovery.awsCloudMap']);
    expect(
      checkUpdate(
        res('VirtualNode', { awsName: 'a', serviceDiscovery: { dns: { hostname: 'h' } } }),
        res('VirtualNode', { awsName: 'a', serviceDiscovery: map }),
      ),
    ).toEqual([]);
  });

  it('BackendGroup: meshRef may not change', () => {
    expect(
      paths(
        checkUpdate(
          res('BackendGroup', { meshRef }),
          res('BackendGroup', { meshRef: { name: 'x', uid: 'y' } }),
        ),
      ),
    ).toEqual(['update.immutable @ spec.meshRef']);
  });

  it('kind, name and namespace must stay', () => {
    expect(paths(checkUpdate(res('VirtualNode', {}), res('VirtualNode', {}, 'b')))).toEqual([
      'update.identity @ metadata.name',
    ]);
  });

  it('locates the field in the new object when a locator is given', () => {
    const d = checkUpdate(res('VirtualNode', { awsName: 'a' }), res('VirtualNode', { awsName: 'b' }), {
      locate: () => ({ file: 'f.yaml', line: 3, col: 5 }),
    });
    expect(d[0]!.source).toEqual({ file: 'f.yaml', line: 3, col: 5 });
  });
});

describe('checkUserSetSystemFields: users may not set meshRef / virtualGatewayRef on create', () => {
  it('accepts resources without them', () => {
    expect(checkUserSetSystemFields(res('VirtualNode', { listeners: [] }))).toEqual([]);
    expect(checkUserSetSystemFields(res('Mesh', { awsName: 'm' }, 'm', undefined))).toEqual([]);
  });
  it('rejects meshRef, and a GatewayRoute virtualGatewayRef', () => {
    expect(paths(checkUserSetSystemFields(res('VirtualService', { meshRef })))).toEqual([
      'create.system-field @ spec.meshRef',
    ]);
    expect(
      paths(
        checkUserSetSystemFields(
          res('GatewayRoute', { meshRef, virtualGatewayRef: { name: 'g', uid: 'u' } }),
        ),
      ),
    ).toEqual(['create.system-field @ spec.meshRef', 'create.system-field @ spec.virtualGatewayRef']);
  });
});
