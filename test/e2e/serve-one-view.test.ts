/**
 * One view per process: what xDS serves and what the REST API lists come from the same
 * store watcher and the same membership rules (src/mesh). The seed without its Namespace
 * object (as a `--from` folder can be) places its resources by the Mesh's selector alone;
 * the API must see the virtual nodes that proxies are served (issue 17, bug 1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServe, type ServeProcess } from './support/serve-process.js';
import { SotwClient } from './support/ads-test-client.js';
import { TYPE_URL } from '../../src/xds/index.js';
import { SEED_COMPLETE } from '../support/fixtures.js';

const NODES = ['vnode-1_mesh-test', 'vnode-2_mesh-test', 'vnode-x_mesh-test'];

let dir: string;
let serve: ServeProcess;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'amime-one-view-'));
  const manifests = path.join(dir, 'manifests');
  mkdirSync(manifests);
  const docs = readFileSync(path.join(SEED_COMPLETE, 'mesh.yaml'), 'utf8').split(/^---$/m);
  const withoutNamespace = docs.filter((d) => !/^kind: Namespace$/m.test(d));
  expect(withoutNamespace.length).toBe(docs.length - 1);
  writeFileSync(path.join(manifests, 'mesh.yaml'), withoutNamespace.join('---'));
  serve = await startServe(['--from', manifests]);
});

afterAll(async () => {
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function listeners(node: string): Promise<string[]> {
  const c = new SotwClient(serve.xdsPort);
  try {
    c.send({ type_url: TYPE_URL.Listener, node: { id: `mesh/mesh-1/virtualNode/${node}` } });
    return (await c.next(10_000)).names;
  } finally {
    c.close();
  }
}

describe('the seed without its Namespace object', () => {
  it('xDS serves each virtual node of mesh-1', async () => {
    for (const node of NODES) expect(await listeners(node)).toContain('lds_egress_0.0.0.0_15001');
  });

  it('ListVirtualNodes and DescribeVirtualNode show the same virtual nodes', async () => {
    const list = (await (await fetch(`${serve.apiUrl}/v20190125/meshes/mesh-1/virtualNodes`)).json()) as {
      virtualNodes: Array<{ virtualNodeName: string }>;
    };
    expect(list.virtualNodes.map((v) => v.virtualNodeName)).toEqual(NODES);
    for (const node of NODES) {
      const res = await fetch(`${serve.apiUrl}/v20190125/meshes/mesh-1/virtualNodes/${node}`);
      expect(res.status).toBe(200);
    }
  });
});
