/** What `aws appmesh describe-...` and `list-...` print (App Mesh API Reference, response syntax of Describe and List operations). */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../model/index.js';
import { importAppMeshJson } from './appmesh-json.js';

const node = (name: string) => ({
  virtualNode: {
    meshName: 'shop',
    virtualNodeName: name,
    spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] },
    metadata: {
      arn: `arn:aws:appmesh:us-west-2:111122223333:mesh/shop/virtualNode/${name}`,
      meshOwner: '111122223333',
      resourceOwner: '111122223333',
      version: 1,
    },
    status: { status: 'ACTIVE' },
  },
});

describe('importAppMeshJson', () => {
  it('reads several documents one after another, lists of them, and bare Data objects', () => {
    const text = `${JSON.stringify(node('a'), null, 4)}\n${JSON.stringify([node('b')])}\n${JSON.stringify(node('c').virtualNode)}`;
    const r = importAppMeshJson([{ path: 'dump.json', text }]);
    expect(r.diagnostics).toEqual([]);
    expect(r.resources.map((x) => x.name)).toEqual(['a', 'b', 'c']);
  });

  it('list-* output: a mesh known only from a list is imported with a warning, a node is an error', () => {
    const meshes = { meshes: [{ meshName: 'shop', arn: 'arn:aws:appmesh:us-west-2:1:mesh/shop' }] };
    const nodes = {
      virtualNodes: [
        { meshName: 'shop', virtualNodeName: 'a' },
        { meshName: 'shop', virtualNodeName: 'z' },
      ],
    };
    const r = importAppMeshJson([
      { path: 'lists.json', text: `${JSON.stringify(meshes)}\n${JSON.stringify(nodes)}` },
      { path: 'a.json', text: JSON.stringify(node('a')) },
    ]);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      'lists.json:1:12: warning: Mesh shop: Mesh shop comes from list-meshes output, which has no spec: it is imported with an empty spec (egress filter DROP_ALL); add its describe-mesh output to keep its spec [import.lossy]',
      'lists.json:2:60: error: VirtualNode z: VirtualNode z in mesh shop comes from ListVirtualNodes output, which has no spec; add the output of aws appmesh describe-virtual-node for it [import.invalid]',
    ]);
  });

  it('an object of another shape is an error naming its keys and what to pass', () => {
    const r = importAppMeshJson([{ path: 'odd.json', text: '{"Items": [], "Count": 0}' }]);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      'odd.json:1:1: error: not an App Mesh API object (its keys are Items, Count): expected the output of aws appmesh describe-* ({"mesh": ...}, {"virtualNode": ...}, ...) or list-* ({"meshes": [...]}, ...), or a MeshData/VirtualNodeData/... object with meshName and spec; pass that output unchanged [import.unknown-shape]',
    ]);
  });

  it('a shared mesh shows in metadata: its owner differs from the resource owner', () => {
    const shared = node('a');
    shared.virtualNode.metadata.meshOwner = '999999999999';
    expect(
      importAppMeshJson([{ path: 'a.json', text: JSON.stringify(shared) }]).resources[0]?.meshOwner,
    ).toBe('999999999999');
  });
});
