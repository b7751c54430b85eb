/** API form → v1beta2 manifests: names, namespaces, references and what is lost. */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadText } from '../load/index.js';
import { validateLoaded } from '../mesh/index.js';
import { formatDiagnostic } from '../model/index.js';
import { renderManifests, toManifests } from './to-manifests.js';
import type { ImportedResource } from './types.js';

const res = (r: Omit<ImportedResource, 'origin' | 'mesh'> & { mesh?: string }): ImportedResource => ({
  mesh: 'shop',
  ...r,
  origin: { id: { kind: r.kind, name: r.name } },
});
const listener = {
  listeners: [{ portMapping: { port: 80, protocol: 'http' } }],
  serviceDiscovery: { dns: { hostname: 'api.local' } },
};

describe('toManifests', () => {
  it('names objects validly, keeps App Mesh names in awsName, and tells apart names that collide', () => {
    const m = toManifests([
      res({ kind: 'Mesh', name: 'Shop_Mesh', mesh: 'Shop_Mesh', spec: {} }),
      res({ kind: 'VirtualNode', name: 'API_v1', mesh: 'Shop_Mesh', spec: listener }),
      res({ kind: 'VirtualNode', name: 'api-v1', mesh: 'Shop_Mesh', spec: listener }),
    ]);
    expect(m.diagnostics).toEqual([]);
    expect(
      m.objects.map((o) => [
        o.kind,
        (o.metadata as { name: string }).name,
        (o.spec as { awsName?: string })?.awsName,
      ]),
    ).toEqual([
      ['Namespace', 'shop-mesh', undefined],
      ['Mesh', 'shop-mesh', 'Shop_Mesh'],
      ['VirtualNode', 'api-v1', 'API_v1'],
      ['VirtualNode', 'api-v1-0cc8a8', 'api-v1'],
    ]);
    expect(
      validateLoaded(loadText(renderManifests(m.objects), 'm.yaml')).diagnostics.map(formatDiagnostic),
    ).toEqual([]);
  });

  it('writes a Mesh for members whose mesh is not in the input, and leaves out routes without their router', () => {
    const m = toManifests([
      res({ kind: 'VirtualNode', name: 'a', spec: listener }),
      res({
        kind: 'Route',
        name: 'r',
        parent: 'gone',
        spec: { tcpRoute: { action: { weightedTargets: [{ virtualNode: 'a', weight: 1 }] } } },
      }),
      res({
        kind: 'GatewayRoute',
        name: 'g',
        parent: 'gw',
        spec: {
          httpRoute: {
            action: { target: { virtualService: { virtualServiceName: 'x' } } },
            match: { prefix: '/' },
          },
        },
      }),
    ]);
    expect(m.diagnostics.map((d) => d.message)).toEqual([
      "mesh shop is not in the input: a Mesh with an empty spec is written so its members have one; add the mesh's definition to keep its spec",
      'Route r of VirtualRouter gone in mesh shop is left out: its virtual router gone is not in the input, and a v1beta2 route lives inside its VirtualRouter; add the router',
      'GatewayRoute g of VirtualGateway gw in mesh shop is left out: its virtual gateway gw is not in the input, and a v1beta2 GatewayRoute attaches to a VirtualGateway of the manifests; add the gateway',
    ]);
    expect(m.objects.map((o) => o.kind)).toEqual(['Namespace', 'Mesh', 'VirtualNode']);
  });

  it('warns, naming the resource, that a shared mesh’s owner and the tags are left out', () => {
    const m = toManifests([
      res({ kind: 'Mesh', name: 'shop', spec: {} }),
      {
        ...res({ kind: 'VirtualNode', name: 'a', spec: listener, tags: [{ key: 'team', value: 'x' }] }),
        meshOwner: '999999999999',
        origin: { id: { kind: 'VirtualNode', name: 'NodeA' } },
      },
    ]);
    expect(m.diagnostics.map((d) => [d.severity, d.message])).toEqual([
      [
        'warning',
        'VirtualNode a in mesh shop: tags (team) have no v1beta2 field and are left out; -o api and --server keep them',
      ],
      [
        'warning',
        "VirtualNode a in mesh shop: the mesh is shared from account 999999999999; Amime serves one account's meshes, so the owner is left out",
      ],
    ]);
    expect(m.objects.map((o) => o.kind)).toEqual(['Namespace', 'Mesh', 'VirtualNode']);
  });

  it('refers by *Ref to what is imported and by ARN to what is not', () => {
    const m = toManifests(
      [
        res({ kind: 'Mesh', name: 'shop', spec: {} }),
        res({
          kind: 'VirtualNode',
          name: 'a',
          spec: {
            backends: [
              { virtualService: { virtualServiceName: 'b.local' } },
              { virtualService: { virtualServiceName: 'elsewhere' } },
            ],
          },
        }),
        res({
          kind: 'VirtualService',
          name: 'b.local',
          spec: { provider: { virtualNode: { virtualNodeName: 'a' } } },
        }),
      ],
      { arn: { region: 'eu-west-1', account: '111122223333' } },
    );
    const node = m.objects.find((o) => o.kind === 'VirtualNode')!;
    expect((node.spec as { backends: unknown }).backends).toEqual([
      { virtualService: { virtualServiceRef: { name: 'b.local' } } },
      {
        virtualService: {
          virtualServiceARN: 'arn:aws:appmesh:eu-west-1:111122223333:mesh/shop/virtualService/elsewhere',
        },
      },
    ]);
    expect(m.diagnostics.map((d) => d.message)).toEqual([
      'VirtualNode a in mesh shop refers to VirtualService elsewhere, which is not in the input; the reference stays an ARN (amime validate reports it missing until you add it)',
    ]);
  });

  it('refuses --namespace for several meshes', () => {
    const m = toManifests(
      [
        res({ kind: 'Mesh', name: 'a', mesh: 'a', spec: {} }),
        res({ kind: 'Mesh', name: 'b', mesh: 'b', spec: {} }),
      ],
      { namespace: 'one' },
    );
    expect(m.objects).toEqual([]);
    expect(m.diagnostics[0]?.message).toMatch(/^--namespace one would put the meshes a, b in one namespace/);
  });

  it('quotes strings a YAML 1.1 or 1.2 reader would take for something else', () => {
    const text = renderManifests([{ a: 'yes', b: 'on', c: '0o17', d: '2024-01-01', e: 'plain' }]);
    expect(text).toBe('a: "yes"\nb: "on"\nc: "0o17"\nd: "2024-01-01"\ne: plain\n');
    expect(parseAllDocuments(text)[0]?.toJS()).toEqual({
      a: 'yes',
      b: 'on',
      c: '0o17',
      d: '2024-01-01',
      e: 'plain',
    });
  });
});
