import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runBootstrap, type BootstrapCliOptions, type BootstrapContext } from './bootstrap.js';

function sink(): { text: string; write(s: string): void } {
  return {
    text: '',
    write(s: string) {
      this.text += s;
    },
  };
}

function run(
  options: Partial<BootstrapCliOptions>,
  env: Record<string, string> = {},
  files: Record<string, string> = {},
) {
  const out = sink();
  const err = sink();
  const ctx: BootstrapContext = {
    env,
    readFile: (f) => {
      const t = files[f];
      if (t === undefined) throw new Error(`ENOENT: no such file or directory, open '${f}'`);
      return t;
    },
    out,
    err,
  };
  const code = runBootstrap({ output: 'yaml', ...options }, ctx);
  return { code, out: out.text, err: err.text };
}

interface View {
  node: { id: string; cluster: string };
  admin: { address: { socket_address: { port_value: number } } };
  dynamic_resources: {
    ads_config: {
      grpc_services: Array<{
        google_grpc: {
          target_uri: string;
          channel_credentials?: { ssl_credentials: Record<string, { filename: string }> };
          call_credentials?: Array<{ from_plugin: { typed_config: { secret_data: { filename: string } } } }>;
        };
      }>;
    };
  };
  tracing?: { http: { name: string } };
}

describe('amime bootstrap', () => {
  it('prints the bootstrap with the node id, ADS to the xDS address and admin on 9901', () => {
    const r = run({
      proxy: 'mesh/mesh-1/virtualNode/vnode-x_mesh-test',
      xds: { host: '10.0.0.5', port: 15010 },
    });
    expect(r.code).toBe(0);
    const b = YAML.parse(r.out) as View;
    expect(b.node).toMatchObject({
      id: 'mesh/mesh-1/virtualNode/vnode-x_mesh-test',
      cluster: 'mesh/mesh-1/virtualNode/vnode-x_mesh-test',
    });
    expect(b.admin.address.socket_address.port_value).toBe(9901);
    expect(b.dynamic_resources.ads_config.grpc_services[0]?.google_grpc.target_uri).toBe('10.0.0.5:15010');
  });

  it('takes the node id, the xDS endpoint and the features from the App Mesh image variables', () => {
    const r = run(
      {},
      {
        APPMESH_RESOURCE_ARN:
          'arn:aws:appmesh:us-west-2:111122223333:mesh/mesh-1/virtualNode/vnode-x_mesh-test',
        APPMESH_XDS_ENDPOINT: 'amime.internal:15012',
        ENABLE_ENVOY_JAEGER_TRACING: '1',
        ENVOY_ADMIN_ACCESS_PORT: '9902',
      },
    );
    expect(r.code).toBe(0);
    const b = YAML.parse(r.out) as View;
    expect(b.node.id).toBe(
      'arn:aws:appmesh:us-west-2:111122223333:mesh/mesh-1/virtualNode/vnode-x_mesh-test',
    );
    expect(b.dynamic_resources.ads_config.grpc_services[0]?.google_grpc.target_uri).toBe(
      'amime.internal:15012',
    );
    expect(b.tracing?.http.name).toBe('envoy.tracers.zipkin');
    expect(b.admin.address.socket_address.port_value).toBe(9902);
  });

  it('secures the channel: TLS trusting a CA, a token file or a client certificate', () => {
    const r = run({
      proxy: 'mesh/mesh-1/virtualNode/vnode-x_mesh-test',
      xds: { host: 'amime.internal', port: 15012 },
      tlsCa: '/etc/amime/ca.pem',
      tokenFile: '/etc/amime/token',
      output: 'json',
    });
    expect(r.code, r.err).toBe(0);
    const g = (JSON.parse(r.out) as View).dynamic_resources.ads_config.grpc_services[0]!.google_grpc;
    expect(g.channel_credentials?.ssl_credentials).toEqual({ root_certs: { filename: '/etc/amime/ca.pem' } });
    expect(g.call_credentials?.[0]?.from_plugin.typed_config.secret_data).toEqual({
      filename: '/etc/amime/token',
    });
    const m = run({
      proxy: 'mesh/mesh-1/virtualNode/vnode-x_mesh-test',
      xds: { host: 'amime.internal', port: 15012 },
      tlsCa: '/ca.pem',
      tlsCert: '/c.pem',
      tlsKey: '/k.pem',
    });
    expect(m.code, m.err).toBe(0);
    expect(
      (YAML.parse(m.out) as View).dynamic_resources.ads_config.grpc_services[0]!.google_grpc
        .channel_credentials,
    ).toEqual({
      ssl_credentials: {
        root_certs: { filename: '/ca.pem' },
        private_key: { filename: '/k.pem' },
        cert_chain: { filename: '/c.pem' },
      },
    });
  });

  it('refuses a bad variable naming it, with exit status 1', () => {
    const r = run(
      { proxy: 'mesh/mesh-1/virtualNode/vnode-x_mesh-test', xds: { host: 'amime', port: 1 } },
      { ENABLE_ENVOY_XRAY_TRACING: '1', XRAY_SAMPLING_RATE: '2' },
    );
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      'amime bootstrap: XRAY_SAMPLING_RATE environment variable ("2") must be a decimal between 0 and 1.00 (100%)\n',
    );
  });

  it('refuses a config file it cannot read, naming the variable, with exit status 1', () => {
    const r = run(
      { proxy: 'mesh/mesh-1/virtualNode/vnode-x_mesh-test', xds: { host: 'amime', port: 1 } },
      { ENVOY_STATS_CONFIG_FILE: '/etc/envoy/stats.yaml' },
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^amime bootstrap: failure to read ENVOY_STATS_CONFIG_FILE \/etc\/envoy\/stats.yaml: ENOENT/,
    );
  });

  it.each([
    [
      { proxy: 'mesh/m/virtualService/s', xds: { host: 'amime', port: 1 } },
      /is not a virtual node or virtual gateway id/,
    ],
    [{ xds: { host: 'amime', port: 1 } }, /--proxy is required \(or set APPMESH_RESOURCE_ARN/],
    [{ proxy: 'mesh/m/virtualNode/a' }, /--xds is required/],
    [
      { proxy: 'mesh/m/virtualNode/a', xds: { host: 'a', port: 1 }, tokenFile: '/t' },
      /--token-file needs TLS/,
    ],
    [
      { proxy: 'mesh/m/virtualNode/a', xds: { host: 'a', port: 1 }, tlsCert: '/c' },
      /--tls-cert and --tls-key go together/,
    ],
  ] as const)('bad usage exits 2: %j', (options, message) => {
    const r = run(options);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('names APPMESH_XDS_ENDPOINT when it is not an address', () => {
    const r = run({ proxy: 'mesh/m/virtualNode/a' }, { APPMESH_XDS_ENDPOINT: 'https://amime' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/APPMESH_XDS_ENDPOINT \("https:\/\/amime"\) must be HOST:PORT/);
  });
});
