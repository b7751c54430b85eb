/**
 * Issue 16 items 1–2: which service a caller reaches by a hostname. An explicit awsName
 * always owns its hostname, whatever order the caller lists its backends in; the
 * Kubernetes forms `<name>.<ns>.svc[.cluster.local]` are added only when the awsName is
 * the default `<name>.<ns>` (or one of those forms), so they mean the same Service.
 */
import { describe, expect, it } from 'vitest';
import { NO_ENDPOINTS } from './endpoints.js';
import { parseGroupKey } from './groups.js';
import { graphFromText } from './golden.testkit.js';
import { translateGroupDetailed } from './translate.js';

function mesh(backends: string[], services: string, annotations = '{}'): string {
  return `
apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata: { name: m, annotations: ${annotations} }
spec: { namespaceSelector: {} }
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: { name: caller, namespace: ns }
spec:
  podSelector: {}
  backends: [${backends.map((b) => `{ virtualService: { virtualServiceRef: { name: ${b} } } }`).join(', ')}]
${target('node-a')}${target('node-b')}${services}`;
}

function target(name: string): string {
  return `---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: { name: ${name}, namespace: ns }
spec:
  podSelector: {}
  listeners: [{ portMapping: { port: 8080, protocol: http } }]
  serviceDiscovery: { dns: { hostname: ${name}.ns.svc.cluster.local } }
`;
}

function service(name: string, node: string, awsName?: string): string {
  return `---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: { name: ${name}, namespace: ns }
spec:
  ${awsName ? `awsName: ${awsName}` : ''}
  provider: { virtualNode: { virtualNodeRef: { name: ${node} } } }
`;
}

/** domain → the virtual host (service) that answers it on the caller's port 8080. */
function domainsOf(text: string): Record<string, string> {
  const { graph } = graphFromText(text);
  const group = parseGroupKey('mesh/m/virtualNode/caller_ns')!;
  const { resources } = translateGroupDetailed(graph, group, NO_ENDPOINTS);
  const rc = resources.routes.find((r) => r.name === 'rds_egress_http_8080')!;
  const out: Record<string, string> = {};
  for (const vh of rc.virtual_hosts ?? []) for (const d of vh.domains ?? []) out[d] = vh.name!;
  return out;
}

describe('egress hostnames', () => {
  // svc-a keeps the default awsName svc-a.ns; svc-b's explicit awsName is svc-a's
  // Kubernetes FQDN (a team renaming a service by awsName while the old one still exists).
  const services = service('svc-a', 'node-a') + service('svc-b', 'node-b', 'svc-a.ns.svc.cluster.local');

  it("an explicit awsName owns its hostname, whatever the caller's backend order", () => {
    for (const order of [
      ['svc-a', 'svc-b'],
      ['svc-b', 'svc-a'],
    ]) {
      const domains = domainsOf(mesh(order, services));
      expect(domains['svc-a.ns.svc.cluster.local'], order.join(',')).toBe('svc-a.ns.svc.cluster.local');
      expect(domains['svc-a.ns.svc.cluster.local:8080'], order.join(',')).toBe('svc-a.ns.svc.cluster.local');
      // svc-a keeps the forms nobody else owns.
      expect(domains['svc-a.ns'], order.join(',')).toBe('svc-a.ns');
      expect(domains['svc-a.ns.svc'], order.join(',')).toBe('svc-a.ns');
    }
  });

  it('says which service lost the derived name, and why', () => {
    const { diagnostics } = graphFromText(mesh(['svc-a', 'svc-b'], services));
    const shadowed = diagnostics.filter((d) => d.code === 'vs.hostname-shadowed');
    expect(shadowed).toHaveLength(1);
    expect(shadowed[0]).toMatchObject({ severity: 'warning', resource: { name: 'svc-a' } });
    expect(shadowed[0]!.message).toContain(
      'svc-a.ns.svc.cluster.local is the awsName of VirtualService ns/svc-b',
    );
  });

  it('a custom awsName gets no Kubernetes forms (howto-grpc names its service color_server.howto-grpc.local)', () => {
    // aws/aws-app-mesh-examples walkthroughs/howto-grpc: the VirtualService is called by
    // a name that is not a Kubernetes Service; `….svc.cluster.local` forms of it are junk.
    const domains = domainsOf(mesh(['color'], service('color', 'node-a', 'color_server.howto-grpc.local')));
    expect(Object.keys(domains).filter((d) => d !== '*')).toEqual([
      'color_server.howto-grpc.local',
      'color_server.howto-grpc.local:8080',
      expect.stringContaining('amazonaws.com'),
      expect.stringContaining('amazonaws.com'),
    ]);
  });

  it('the default awsName and a written-out Kubernetes form both get the other forms', () => {
    expect(Object.keys(domainsOf(mesh(['svc-a'], service('svc-a', 'node-a'))))).toEqual(
      expect.arrayContaining(['svc-a.ns', 'svc-a.ns.svc.cluster.local', 'svc-a.ns.svc:8080']),
    );
    expect(
      Object.keys(domainsOf(mesh(['svc-a'], service('svc-a', 'node-a', 'svc-a.ns.svc.cluster.local')))),
    ).toEqual(expect.arrayContaining(['svc-a.ns.svc.cluster.local', 'svc-a.ns.svc', 'svc-a.ns.svc:8080']));
  });

  it('an opt-in short name never takes a name another backend owns by awsName', () => {
    const shortNames = '{ amime.io/match-short-names: "true" }';
    const both = service('svc-a', 'node-a') + service('svc-b', 'node-b', 'svc-a');
    for (const order of [
      ['svc-a', 'svc-b'],
      ['svc-b', 'svc-a'],
    ]) {
      const domains = domainsOf(mesh(order, both, shortNames));
      expect(domains['svc-a'], order.join(',')).toBe('svc-a');
      expect(domains['svc-a:8080'], order.join(',')).toBe('svc-a');
      expect(domains['svc-a.ns'], order.join(',')).toBe('svc-a.ns');
    }
  });

  it('amime validate names a short name another service owns by awsName', () => {
    const shortNames = '{ amime.io/match-short-names: "true" }';
    const both = service('svc-a', 'node-a') + service('svc-b', 'node-b', 'svc-a');
    const { diagnostics } = graphFromText(mesh(['svc-a', 'svc-b'], both, shortNames));
    const owned = diagnostics.filter((d) => d.code === 'vs.short-name-owned');
    expect(owned).toHaveLength(1);
    expect(owned[0]).toMatchObject({ severity: 'warning', resource: { name: 'svc-a' } });
    expect(owned[0]!.message).toContain('short name svc-a is the awsName of VirtualService ns/svc-b');
    // Without the annotation nobody answers to the bare name, so there is nothing to say.
    expect(graphFromText(mesh(['svc-a', 'svc-b'], both)).diagnostics.map((d) => d.code)).not.toContain(
      'vs.short-name-owned',
    );
  });

  it('a custom awsName gets no short name either (howto-grpc with short names on)', () => {
    const shortNames = '{ amime.io/match-short-names: "true" }';
    const domains = domainsOf(
      mesh(['color'], service('color', 'node-a', 'color_server.howto-grpc.local'), shortNames),
    );
    expect(domains['color']).toBeUndefined();
    expect(domains['color:8080']).toBeUndefined();
    expect(domains['color_server.howto-grpc.local']).toBe('color_server.howto-grpc.local');
  });

  it('a short name two backends share answers for neither, with a warning naming both', () => {
    const shortNames = '{ amime.io/match-short-names: "true" }';
    const other = (name: string, ns: string, node: string) =>
      service(name, node)
        .replace('namespace: ns }', `namespace: ${ns} }`)
        .replace(`name: ${node} }`, `name: ${node}, namespace: ns }`) +
      `---
apiVersion: v1
kind: Namespace
metadata: { name: ${ns} }
`;
    const both = service('color', 'node-a') + other('color', 'ns2', 'node-b');
    const aws = (backend: string) => (backend === 'color' ? 'color.ns' : backend);
    for (const order of [
      ['color', 'color.ns2'],
      ['color.ns2', 'color'],
    ]) {
      const text = mesh(order, both, shortNames).replace(
        /virtualServiceRef: \{ name: color\.ns2 \}/,
        'virtualServiceRef: { name: color, namespace: ns2 }',
      );
      const domains = domainsOf(text);
      expect(domains['color'], order.join(',')).toBeUndefined();
      expect(domains['color.ns'], order.join(',')).toBe('color.ns');
      expect(domains['color.ns2'], order.join(',')).toBe('color.ns2');
      const group = parseGroupKey('mesh/m/virtualNode/caller_ns')!;
      const { warnings } = translateGroupDetailed(graphFromText(text).graph, group, NO_ENDPOINTS);
      expect(warnings).toContain(
        `hostname color is a derived name of both ${aws(order[0]!)} and ${aws(order[1]!)}; neither answers to it: call them by their awsNames`,
      );
      // amime validate says so too, on both services, each naming the other.
      const shared = graphFromText(text).diagnostics.filter((d) => d.code === 'vs.short-name-shared');
      expect(shared.map((d) => `${d.resource?.namespace}/${d.resource?.name}`).sort()).toEqual([
        'ns/color',
        'ns2/color',
      ]);
      expect(shared[0]!.message).toContain('reaches neither by it');
    }
  });
});
