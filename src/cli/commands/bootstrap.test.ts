import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runBootstrap } from './bootstrap.js';

function sink(): { text: string; write(s: string): void } {
  return {
    text: '',
    write(s: string) {
      this.text += s;
    },
  };
}

describe('amime bootstrap', () => {
  it('prints a bootstrap with the node id, ADS to the xDS address and admin on 9901', () => {
    const out = sink();
    const code = runBootstrap(
      {
        proxy: 'mesh/mesh-1/virtualNode/vnode-x_mesh-test',
        xds: { host: '10.0.0.5', port: 15010 },
        adminPort: 9901,
        output: 'yaml',
      },
      out,
      sink(),
    );
    expect(code).toBe(0);
    const b = YAML.parse(out.text) as {
      node: { id: string; cluster: string };
      admin: { address: { socket_address: { port_value: number } } };
      dynamic_resources: { ads_config: { grpc_services: Array<{ envoy_grpc: { cluster_name: string } }> } };
      static_resources: { clusters: Array<{ name: string; type: string }> };
    };
    expect(b.node).toEqual({
      id: 'mesh/mesh-1/virtualNode/vnode-x_mesh-test',
      cluster: 'mesh/mesh-1/virtualNode/vnode-x_mesh-test',
    });
    expect(b.admin.address.socket_address.port_value).toBe(9901);
    expect(b.dynamic_resources.ads_config.grpc_services[0]?.envoy_grpc.cluster_name).toBe('amime-xds');
    expect(b.static_resources.clusters[0]).toMatchObject({ name: 'amime-xds', type: 'STATIC' });
  });

  it('rejects an id that is not a node or gateway, with exit status 2', () => {
    const err = sink();
    expect(
      runBootstrap(
        {
          proxy: 'mesh/m/virtualService/s',
          xds: { host: 'amime', port: 1 },
          adminPort: 9901,
          output: 'json',
        },
        sink(),
        err,
      ),
    ).toBe(2);
    expect(err.text).toContain('is not a virtual node or virtual gateway id');
  });
});
