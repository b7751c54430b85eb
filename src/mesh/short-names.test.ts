import { describe, expect, it } from 'vitest';
import { API_VERSION } from '../model/index.js';
import { check, vs, type Raw } from './fixtures.testkit.js';
import { MATCH_SHORT_NAMES_ANNOTATION, isKubernetesServiceName } from './short-names.js';

/** Mesh `m` selecting namespaces labelled mesh=m, with the short-name annotation set to `value`. */
function meshWith(value: string | undefined, name = 'm', label = 'm'): Raw {
  return {
    apiVersion: API_VERSION,
    kind: 'Mesh',
    metadata: {
      name,
      ...(value === undefined ? {} : { annotations: { [MATCH_SHORT_NAMES_ANNOTATION]: value } }),
    },
    spec: { namespaceSelector: { matchLabels: { mesh: label } } },
  };
}

const namespaces = (...names: string[]) => names.map((name) => ({ name, labels: { mesh: 'm' } }));

function shortNameDiagnostics(objects: Raw[], nsList = namespaces('ns', 'ns2', 'ns3')) {
  const r = check(objects, { base: false, namespaces: nsList });
  return r.diagnostics.filter((d) => d.code.startsWith('vs.short-name'));
}

describe('isKubernetesServiceName', () => {
  it('accepts the default name and the written-out .svc forms, in any case', () => {
    expect(isKubernetesServiceName('color', 'ns', 'color.ns')).toBe(true);
    expect(isKubernetesServiceName('color', 'ns', 'Color.NS')).toBe(true);
    expect(isKubernetesServiceName('Color', 'NS', 'color.ns')).toBe(true);
    expect(isKubernetesServiceName('color', 'ns', 'color.ns.svc')).toBe(true);
    expect(isKubernetesServiceName('color', 'ns', 'color.ns.svc.cluster.local')).toBe(true);
    expect(isKubernetesServiceName('color', 'ns', 'COLOR.NS.SVC.example.org')).toBe(true);
  });

  it('refuses custom, external and look-alike names', () => {
    expect(isKubernetesServiceName('color', 'ns', 'color_server.howto-grpc.local')).toBe(false);
    expect(isKubernetesServiceName('color', 'ns', 'color')).toBe(false);
    expect(isKubernetesServiceName('color', 'ns', 'color.ns2')).toBe(false);
    expect(isKubernetesServiceName('color', 'ns', 'color.ns.svcx')).toBe(false);
    expect(isKubernetesServiceName('color', 'ns', 'color.ns.svc-x.local')).toBe(false);
    expect(isKubernetesServiceName('color', 'ns', 'x.color.ns.svc.cluster.local')).toBe(false);
    expect(isKubernetesServiceName('color', 'ns', 'x.color.ns')).toBe(false);
    expect(isKubernetesServiceName('color', 'ns', '')).toBe(false);
  });
});

describe('checkShortNames', () => {
  it('warns on each of two services that share a short name, naming the other', () => {
    const found = shortNameDiagnostics([
      meshWith('true'),
      vs('color', {}, { namespace: 'ns' }),
      vs('color', {}, { namespace: 'ns2' }),
    ]);
    expect(found).toEqual([
      {
        severity: 'warning',
        code: 'vs.short-name-shared',
        resource: { kind: 'VirtualService', name: 'color', namespace: 'ns' },
        path: 'metadata.name',
        message:
          'short name color is also the short name of VirtualService ns2/color in mesh m; a caller with both as backends reaches neither by it: call them by their awsNames (color.ns, color.ns2)',
        related: [
          {
            resource: { kind: 'VirtualService', name: 'color', namespace: 'ns2' },
            path: 'metadata.name',
            message: 'the other service',
          },
        ],
      },
      {
        severity: 'warning',
        code: 'vs.short-name-shared',
        resource: { kind: 'VirtualService', name: 'color', namespace: 'ns2' },
        path: 'metadata.name',
        message:
          'short name color is also the short name of VirtualService ns/color in mesh m; a caller with both as backends reaches neither by it: call them by their awsNames (color.ns2, color.ns)',
        related: [
          {
            resource: { kind: 'VirtualService', name: 'color', namespace: 'ns' },
            path: 'metadata.name',
            message: 'the other service',
          },
        ],
      },
    ]);
  });

  it('lists every other service when three share a short name', () => {
    const found = shortNameDiagnostics([
      meshWith('true'),
      vs('color', {}, { namespace: 'ns' }),
      vs('color', {}, { namespace: 'ns2' }),
      vs('color', { awsName: 'color.ns3.svc.cluster.local' }, { namespace: 'ns3' }),
    ]);
    expect(found.map((d) => d.resource?.namespace)).toEqual(['ns', 'ns2', 'ns3']);
    expect(found[0]!.message).toBe(
      'short name color is also the short name of VirtualService ns2/color, VirtualService ns3/color in mesh m; a caller with both as backends reaches neither by it: call them by their awsNames (color.ns, color.ns2, color.ns3.svc.cluster.local)',
    );
    expect(found[0]!.related?.map((r) => r.resource?.namespace)).toEqual(['ns2', 'ns3']);
  });

  it('says nothing about a short name only one service has', () => {
    expect(
      shortNameDiagnostics([
        meshWith('true'),
        vs('color', {}, { namespace: 'ns' }),
        vs('shape', {}, { namespace: 'ns2' }),
      ]),
    ).toEqual([]);
  });

  it('says nothing unless the Mesh annotation is exactly "true"', () => {
    for (const value of [undefined, 'false', '', 'True', 'yes']) {
      const found = shortNameDiagnostics([
        meshWith(value),
        vs('color', {}, { namespace: 'ns' }),
        vs('color', {}, { namespace: 'ns2' }),
        vs('b', { awsName: 'color' }, { namespace: 'ns3' }),
      ]);
      expect(found, String(value)).toEqual([]);
    }
  });

  it('gives no short name to services with a custom awsName', () => {
    // Same metadata.name in two namespaces, but neither is a Kubernetes Service name.
    expect(
      shortNameDiagnostics([
        meshWith('true'),
        vs('color', { awsName: 'color_server.howto-grpc.local' }, { namespace: 'ns' }),
        vs('color', { awsName: 'color.example.com' }, { namespace: 'ns2' }),
      ]),
    ).toEqual([]);
    // A service whose awsName is the bare name of a custom-named one does not own anything.
    expect(
      shortNameDiagnostics([
        meshWith('true'),
        vs('color', { awsName: 'color_server.howto-grpc.local' }, { namespace: 'ns' }),
        vs('b', { awsName: 'color' }, { namespace: 'ns2' }),
      ]),
    ).toEqual([]);
  });

  it('only compares services in the same mesh', () => {
    const twoMeshes = (objects: Raw[]) =>
      shortNameDiagnostics(
        [meshWith('true', 'm'), meshWith('true', 'm2', 'm2'), ...objects],
        [
          { name: 'ns', labels: { mesh: 'm' } },
          { name: 'ns2', labels: { mesh: 'm2' } },
        ],
      );
    // The same short name in two meshes is not shared…
    expect(twoMeshes([vs('color', {}, { namespace: 'ns' }), vs('color', {}, { namespace: 'ns2' })])).toEqual(
      [],
    );
    // …and an awsName in one mesh does not own a short name in another.
    expect(
      twoMeshes([vs('color', {}, { namespace: 'ns' }), vs('b', { awsName: 'color' }, { namespace: 'ns2' })]),
    ).toEqual([]);
  });

  it('warns when a short name is another service’s awsName, pointing at that awsName', () => {
    const found = shortNameDiagnostics([
      meshWith('true'),
      vs('svc-a', {}, { namespace: 'ns' }),
      vs('svc-b', { awsName: 'svc-a' }, { namespace: 'ns' }),
    ]);
    expect(found).toEqual([
      {
        severity: 'warning',
        code: 'vs.short-name-owned',
        resource: { kind: 'VirtualService', name: 'svc-a', namespace: 'ns' },
        path: 'metadata.name',
        message:
          'short name svc-a is the awsName of VirtualService ns/svc-b, so it reaches that service, not this one; call this service as svc-a.ns',
        related: [
          {
            resource: { kind: 'VirtualService', name: 'svc-b', namespace: 'ns' },
            path: 'spec.awsName',
            message: 'the service that owns the name',
          },
        ],
      },
    ]);
  });

  it('compares awsNames without case, and an owned name is not also reported as shared', () => {
    const found = shortNameDiagnostics([
      meshWith('true'),
      vs('color', {}, { namespace: 'ns' }),
      vs('color', {}, { namespace: 'ns2' }),
      vs('owner', { awsName: 'Color' }, { namespace: 'ns3' }),
    ]);
    expect(found.map((d) => `${d.code} ${d.resource?.namespace}`)).toEqual([
      'vs.short-name-owned ns',
      'vs.short-name-owned ns2',
    ]);
    expect(found[1]!.message).toBe(
      'short name color is the awsName of VirtualService ns3/owner, so it reaches that service, not this one; call this service as color.ns2',
    );
  });

  it('names the first of two services whose awsNames differ only in case as the owner', () => {
    const found = shortNameDiagnostics([
      meshWith('true'),
      vs('svc-a', {}, { namespace: 'ns' }),
      vs('first', { awsName: 'svc-a' }, { namespace: 'ns' }),
      vs('second', { awsName: 'SVC-A' }, { namespace: 'ns' }),
    ]);
    expect(found.map((d) => d.code)).toEqual(['vs.short-name-owned']);
    expect(found[0]!.message).toContain('the awsName of VirtualService ns/first,');
  });
});
