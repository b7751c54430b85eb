import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadText } from '../load/index.js';
import { validateLoaded } from '../mesh/index.js';
import { SEED_COMPLETE } from '../../test/support/fixtures.js';
import { checkTrustDomain, MeshIdentities } from './identity.js';

const { graph } = validateLoaded(
  loadText(readFileSync(path.join(SEED_COMPLETE, 'mesh.yaml'), 'utf8'), 'mesh.yaml'),
);
const view = graph.meshes.get('mesh-1')!;
const node = (n: string) => view.virtualNodes.get(n)!;

describe('workload identities', () => {
  it('a virtual node: mesh-form SPIFFE ID; DNS names = its service-discovery name and the services that route to it', () => {
    expect(new MeshIdentities('amime.local', view).virtualNode(node('vnode-1_mesh-test'))).toEqual({
      spiffeId: 'spiffe://amime.local/mesh/mesh-1/virtualNode/vnode-1_mesh-test',
      dnsNames: [
        'svc-1.mesh-test.svc.cluster.local',
        'svc-v.mesh-test',
        'svc-v.mesh-test.svc.cluster.local',
        'svc-v.mesh-test.svc',
      ],
    });
    // A client-only node: no service, and its App Mesh name is no DNS name.
    expect(new MeshIdentities('amime.local', view).virtualNode(node('vnode-x_mesh-test')).dnsNames).toEqual(
      [],
    );
  });

  it('on Kubernetes, the service account of its pods', () => {
    const id = new MeshIdentities('td.example', view, () => ({
      namespace: 'mesh-test',
      serviceAccount: 'sample2',
    })).virtualNode(node('vnode-2_mesh-test'));
    expect(id.spiffeId).toBe('spiffe://td.example/ns/mesh-test/sa/sample2');
  });

  it('a virtual gateway', () => {
    expect(new MeshIdentities('amime.local', view).virtualGateway('gateway-v_mesh-test').spiffeId).toBe(
      'spiffe://amime.local/mesh/mesh-1/virtualGateway/gateway-v_mesh-test',
    );
  });

  it('checks the trust domain', () => {
    expect(checkTrustDomain('amime.local')).toBeUndefined();
    expect(checkTrustDomain('Bad Domain')).toMatch(/lowercase letters/);
  });
});
