import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { runRender, type RenderCliOptions } from './render.js';

const seed = fileURLToPath(new URL('../../../examples/seed', import.meta.url));

function sink(): { text: string; write(s: string): void } {
  return {
    text: '',
    write(s: string) {
      this.text += s;
    },
  };
}

const base: RenderCliOptions = { proxy: '', output: 'yaml', grpc: false, namespace: 'default' };

describe('amime render', () => {
  it('prints the gateway of the seed mesh, filtered by type, as YAML', async () => {
    const out = sink();
    const err = sink();
    const code = await runRender(
      [seed],
      { ...base, proxy: 'mesh-1/vg/gateway-v', type: ['listeners', 'routes'] },
      out,
      err,
    );
    expect(err.text).toBe('');
    expect(code).toBe(0);
    const view = YAML.parse(out.text) as Record<string, Array<{ name: string }>>;
    expect(Object.keys(view)).toEqual(['listeners', 'routes']);
    // App Mesh's gateway shape: its own egress listener beside the ingress one.
    expect(view['listeners']?.map((l) => l.name)).toEqual([
      'lds_egress_0.0.0.0_15001',
      'lds_ingress_0.0.0.0_8088',
    ]);
    expect(out.text).toContain(
      '"@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    );
  });

  it('takes node ids, ARNs and Kubernetes names, and the proxyless flavour, as JSON', async () => {
    for (const proxy of [
      'mesh/mesh-1/virtualNode/vnode-x_mesh-test',
      'arn:aws:appmesh:us-west-2:111122223333:mesh/mesh-1/virtualNode/vnode-x_mesh-test',
      'mesh-1/virtualNode/mesh-test/vnode-x',
    ]) {
      const out = sink();
      expect(
        await runRender([seed], { ...base, proxy, output: 'json', type: ['clusters'] }, out, sink()),
      ).toBe(0);
      const names = (JSON.parse(out.text) as { clusters: Array<{ name: string }> }).clusters.map(
        (c) => c.name,
      );
      expect(names).toContain('cds_egress_mesh-1_vnode-1_mesh-test_http_80');
    }
    const out = sink();
    expect(
      await runRender(
        [seed],
        { ...base, proxy: 'mesh-1/vn/vnode-x', grpc: true, output: 'json', type: ['listeners'] },
        out,
        sink(),
      ),
    ).toBe(0);
    const listeners = (JSON.parse(out.text) as { listeners: Array<{ name: string; api_listener?: unknown }> })
      .listeners;
    expect(listeners.map((l) => l.name)).toContain('svc-v.mesh-test.svc.cluster.local');
    expect(listeners.every((l) => l.api_listener !== undefined)).toBe(true);
  });

  it('lists the available proxies and exits 2 for an unknown one', async () => {
    const out = sink();
    const err = sink();
    expect(await runRender([seed], { ...base, proxy: 'mesh-1/vn/nope' }, out, err)).toBe(2);
    expect(out.text).toBe('');
    expect(err.text).toContain('no proxy mesh-1/vn/nope');
    expect(err.text).toContain('  mesh/mesh-1/virtualGateway/gateway-v_mesh-test');
  });
});
