/**
 * TLS served from Amime's CA, beyond what the golden cases show: incremental
 * translation stays equal to a full one when the mesh switch is on (per-caller
 * clusters, peer SANs that follow the namespaces of the mesh's members).
 */
import { describe, expect, it } from 'vitest';
import { graphFromText } from './golden.testkit.js';
import { NO_ENDPOINTS } from './endpoints.js';
import { encodeResources, translateGroupDetailed } from './translate.js';
import { parseGroupKey } from './groups.js';
import { Translator } from './translator.js';
import { resourcesView } from './view.js';

const OPTIONS = { ca: { trustDomain: 'amime.local' } };

const manifest = (extraNamespace: boolean) => `
apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata: { name: m, annotations: { amime.io/mtls: STRICT } }
spec: { namespaceSelector: {} }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: { name: a, namespace: ns }
spec:
  podSelector: {}
  backends: [{ virtualService: { virtualServiceRef: { name: svc-b } } }]
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: { name: c, namespace: ns }
spec:
  podSelector: {}
  backends: [{ virtualService: { virtualServiceRef: { name: svc-b } } }]
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: { name: svc-b, namespace: ns }
spec: { provider: { virtualNode: { virtualNodeRef: { name: b } } } }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: { name: b, namespace: ns }
spec:
  podSelector: {}
  listeners: [{ portMapping: { port: 8080, protocol: http } }]
  serviceDiscovery: { dns: { hostname: b.ns.svc.cluster.local } }
${
  extraNamespace
    ? `---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: { name: d, namespace: elsewhere }
spec: { podSelector: {} }`
    : ''
}`;

const graphOf = (text: string) => graphFromText(text, 'm.yaml').graph;

describe("TLS from Amime's CA, incrementally", () => {
  it('each caller gets its own certificate in its clusters; peers follow the mesh members', () => {
    const t = new Translator(OPTIONS);
    t.update(graphOf(manifest(false)), NO_ENDPOINTS);
    const second = graphOf(manifest(true));
    const result = t.update(second, NO_ENDPOINTS);
    for (const key of ['mesh/m/virtualNode/a_ns', 'mesh/m/virtualNode/b_ns', 'mesh/m/virtualNode/c_ns']) {
      const full = translateGroupDetailed(second, parseGroupKey(key)!, NO_ENDPOINTS, OPTIONS);
      expect(encodeResources(result.groups.get(key)!), key).toEqual(encodeResources(full.resources));
      expect(t.translation(key)?.caSecrets).toEqual(full.caSecrets);
    }
    const b = translateGroupDetailed(
      second,
      parseGroupKey('mesh/m/virtualNode/b_ns')!,
      NO_ENDPOINTS,
      OPTIONS,
    );
    expect(JSON.stringify(resourcesView(b.resources).listeners)).toContain(
      'spiffe://amime.local/ns/elsewhere/',
    );
    const certs = ['a_ns', 'c_ns'].map((n) =>
      JSON.stringify(
        resourcesView(
          translateGroupDetailed(second, parseGroupKey(`mesh/m/virtualNode/${n}`)!, NO_ENDPOINTS, OPTIONS)
            .resources,
        ).clusters,
      ),
    );
    expect(certs[0]).toContain('amime-ca-certificate:mesh/m/virtualNode/a_ns');
    expect(certs[1]).toContain('amime-ca-certificate:mesh/m/virtualNode/c_ns');
    expect(certs[1]).not.toContain('virtualNode/a_ns');
  });
});
