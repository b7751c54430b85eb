/**
 * The bootstrap's rules that goldens do not show: bad values are refused naming the
 * variable, as the App Mesh agent refused them (aws/amazon-ecs-service-connect-agent@1ba8235
 * agent/envoy_bootstrap/env/env.go l.34-57, envoy_bootstrap.go l.707-803, 1107-1131,
 * 1337-1414), ids and transports that cannot work are refused, and node ids, clusters
 * and addresses are read as the agent read them.
 */
import { describe, expect, it } from 'vitest';
import {
  BootstrapEnvError,
  bootstrap,
  bootstrapJson,
  bootstrapProblems,
  parseXdsAddress,
  type AgentEnvironment,
} from './bootstrap.js';
import { mergeCustomConfigs } from './bootstrap-custom.js';
import { parseGoDuration } from './bootstrap-env.js';

const NODE = 'mesh/mesh-1/virtualNode/vnode-1_mesh-test';
const XDS = { host: '127.0.0.1', port: 15010 };
const build = (env: AgentEnvironment, readFile?: (f: string) => string) =>
  bootstrap({ nodeId: NODE, xds: XDS, env, ...(readFile ? { readFile } : {}) });

/** The variable a BootstrapEnvError names, and its message. */
function refusal(f: () => unknown): { variable: string; message: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof BootstrapEnvError) return { variable: e.variable, message: e.message };
    throw e;
  }
  throw new Error('expected a BootstrapEnvError');
}

describe('bad variables are refused, naming the variable', () => {
  it.each([
    ['XRAY_SAMPLING_RATE', { ENABLE_ENVOY_XRAY_TRACING: '1', XRAY_SAMPLING_RATE: '2' }, /between 0 and 1.00/],
    [
      'XRAY_SAMPLING_RATE',
      { ENABLE_ENVOY_XRAY_TRACING: '1', XRAY_SAMPLING_RATE: 'half' },
      /between 0 and 1.00/,
    ],
    ['ENABLE_ENVOY_STATS_TAGS', { ENABLE_ENVOY_STATS_TAGS: 'yes' }, /must be a boolean value/],
    [
      'XRAY_DAEMON_PORT',
      { ENABLE_ENVOY_XRAY_TRACING: '1', XRAY_DAEMON_PORT: '20x0' },
      /must be an integer value/,
    ],
    ['STATSD_PORT', { ENABLE_ENVOY_DOG_STATSD: '1', STATSD_PORT: '70000' }, /must be a port/],
    [
      'STATSD_ADDRESS',
      { ENABLE_ENVOY_DOG_STATSD: '1', STATSD_ADDRESS: 'statsd.local' },
      /IPv4 or IPv6 address/,
    ],
    [
      'AWS_XRAY_DAEMON_ADDRESS',
      { ENABLE_ENVOY_XRAY_TRACING: '1', AWS_XRAY_DAEMON_ADDRESS: 'xray:2000' },
      /static IPv4/,
    ],
    ['ENVOY_STATS_FLUSH_INTERVAL', { ENVOY_STATS_FLUSH_INTERVAL: '10' }, /must be a duration/],
    ['ENVOY_STATS_FLUSH_INTERVAL', { ENVOY_STATS_FLUSH_INTERVAL: '10m' }, /less than 300s/],
    ['ENVOY_INITIAL_FETCH_TIMEOUT', { ENVOY_INITIAL_FETCH_TIMEOUT: '-1' }, /seconds/],
    ['ENVOY_ADMIN_ACCESS_PORT', { ENVOY_ADMIN_ACCESS_PORT: 'admin' }, /must be an integer value/],
    ['MAX_REQUESTS_PER_IO_CYCLE', { MAX_REQUESTS_PER_IO_CYCLE: '1.5' }, /must be an integer value/],
    [
      'ENABLE_ENVOY_XRAY_TRACING',
      { ENABLE_ENVOY_XRAY_TRACING: '1', ENABLE_ENVOY_JAEGER_TRACING: 'true' },
      /Only a single envoy trace driver/,
    ],
  ] as const)('%s (%j)', (variable, env, message) => {
    const r = refusal(() => build(env));
    expect(r.variable).toBe(variable);
    expect(r.message).toContain(variable);
    expect(r.message).toMatch(message);
  });

  it('checks XRAY_SAMPLING_RULE_MANIFEST like the X-Ray SDK when the file can be read', () => {
    const env = { ENABLE_ENVOY_XRAY_TRACING: '1', XRAY_SAMPLING_RULE_MANIFEST: '/rules.json' };
    const v1 = JSON.stringify({ version: 1, default: { fixed_target: 1, rate: 0.1 } });
    expect(refusal(() => build(env, () => v1)).message).toMatch(/version 1 is not supported/);
    const partial = JSON.stringify({
      version: 2,
      default: { fixed_target: 1, rate: 0.1 },
      rules: [{ host: '*', fixed_target: 1, rate: 1 }],
    });
    expect(refusal(() => build(env, () => partial)).message).toMatch(/url_path, host, and http_method/);
    expect(refusal(() => build(env, () => '{')).variable).toBe('XRAY_SAMPLING_RULE_MANIFEST');
    const good = JSON.stringify({ version: 2, default: { fixed_target: 1, rate: 0.1 }, rules: [] });
    const b = build(env, () => good);
    expect(JSON.stringify(bootstrapJson(b))).toContain('"sampling_rule_manifest":{"filename":"/rules.json"}');
    // Without a reader (the injector: the file is in the container) it is referenced unchecked.
    expect(bootstrapProblems(build(env))).toEqual([]);
  });

  it('refuses custom config files the agent refused', () => {
    const json = bootstrapJson(build({}));
    const merge = (env: AgentEnvironment, files: Record<string, string>) =>
      refusal(() => mergeCustomConfigs(json, env, (f) => files[f] ?? ''));
    expect(merge({ ENVOY_TRACING_CFG_FILE: '/t.yaml' }, { '/t.yaml': '' }).message).toBe(
      'Specified ENVOY_TRACING_CFG_FILE /t.yaml is empty.',
    );
    expect(merge({ ENVOY_STATS_SINKS_CFG_FILE: '/s.yaml' }, { '/s.yaml': 'admin: {}' }).message).toMatch(
      /contained no valid stats_sinks configuration/,
    );
    expect(
      merge({ ENVOY_STATS_CONFIG_FILE: '/s.yaml' }, { '/s.yaml': 'statsConfig: {}\nstats_config: {}' })
        .message,
    ).toMatch(/both statsConfig and stats_config/);
    expect(
      merge(
        { ENVOY_TRACING_CFG_FILE: '/t.yaml', ENVOY_RESOURCES_CONFIG_FILE: '/r.yaml' },
        { '/t.yaml': 'tracing: {}', '/r.yaml': 'tracing: {}' },
      ).message,
    ).toMatch(/multiple tracing configurations were specified/);
    expect(merge({ ENVOY_STATS_CONFIG_FILE: '/s.yaml' }, { '/s.yaml': '- a' }).variable).toBe(
      'ENVOY_STATS_CONFIG_FILE',
    );
    const missing = refusal(() =>
      mergeCustomConfigs(json, { ENVOY_STATS_CONFIG_FILE: '/nope.yaml' }, () => {
        throw new Error('ENOENT: no such file');
      }),
    );
    expect(missing.message).toBe('failure to read ENVOY_STATS_CONFIG_FILE /nope.yaml: ENOENT: no such file');
  });
});

describe('what the agent read, read the same way', () => {
  it('accepts Go boolean spellings and trims values', () => {
    for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True', ' 1 ']) {
      const tags = build({ ENABLE_ENVOY_STATS_TAGS: v }).stats_config?.stats_tags ?? [];
      expect(tags.map((t) => t.tag_name)).toContain('appmesh.mesh');
    }
    for (const v of ['0', 'f', 'false', '']) {
      const tags = build({ ENABLE_ENVOY_STATS_TAGS: v }).stats_config?.stats_tags ?? [];
      expect(tags.map((t) => t.tag_name)).not.toContain('appmesh.mesh');
    }
  });

  it('takes node.cluster from the option, then APPMESH_RESOURCE_CLUSTER, APPMESH_VIRTUAL_NODE_CLUSTER, the id', () => {
    expect(
      bootstrap({ nodeId: NODE, xds: XDS, cluster: 'c0', env: { APPMESH_RESOURCE_CLUSTER: 'c1' } }).node
        .cluster,
    ).toBe('c0');
    expect(build({ APPMESH_RESOURCE_CLUSTER: 'c1', APPMESH_VIRTUAL_NODE_CLUSTER: 'c2' }).node.cluster).toBe(
      'c1',
    );
    expect(build({ APPMESH_VIRTUAL_NODE_CLUSTER: 'c2' }).node.cluster).toBe('c2');
    expect(build({}).node.cluster).toBe(NODE);
  });

  it('leaves the stats tags and the DogStatsD sink to the files that replace them', () => {
    const b = build({
      ENABLE_ENVOY_STATS_TAGS: '1',
      ENABLE_ENVOY_DOG_STATSD: '1',
      ENVOY_STATS_CONFIG_FILE: '/s.yaml',
      ENVOY_STATS_SINKS_CFG_FILE: '/k.yaml',
    });
    expect(b.stats_config).toBeUndefined();
    expect(b.stats_sinks).toBeUndefined();
  });

  it('parses Go durations', () => {
    expect(parseGoDuration('1m30s')).toBe(90e9);
    expect(parseGoDuration('1.5h')).toBe(5400e9);
    expect(parseGoDuration('250ms')).toBe(250e6);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('10')).toBeUndefined();
    expect(parseGoDuration('s')).toBeUndefined();
  });
});

describe('ids, addresses and transports', () => {
  it('refuses ids that name no proxy, and proxyless gRPC ids', () => {
    for (const nodeId of ['vnode-x', 'mesh/m/virtualService/s', 'mesh/m/virtualNode/a#grpc'])
      expect(() => bootstrap({ nodeId, xds: XDS })).toThrow(/not a virtual node or virtual gateway id/);
  });

  it('refuses a token file without TLS and half a client certificate', () => {
    expect(() => bootstrap({ nodeId: NODE, xds: XDS, transport: { tokenFile: '/t' } })).toThrow(
      /only over TLS/,
    );
    expect(() => bootstrap({ nodeId: NODE, xds: XDS, transport: { tls: { certFile: '/c' } } })).toThrow(
      /both its certificate chain and its private key/,
    );
  });

  it('targets TCP (IPv4, IPv6, names) and Unix sockets as gRPC target URIs', () => {
    const target = (xds: Parameters<typeof bootstrap>[0]['xds']) =>
      bootstrap({ nodeId: NODE, xds }).dynamic_resources.ads_config.grpc_services[0]?.google_grpc.target_uri;
    expect(target({ host: '10.0.0.1', port: 15010 })).toBe('10.0.0.1:15010');
    expect(target({ host: '::1', port: 15010 })).toBe('[::1]:15010');
    expect(target({ host: 'amime.amime-system.svc', port: 15010 })).toBe('amime.amime-system.svc:15010');
    expect(target({ pipe: '/var/run/amime/xds.sock' })).toBe('unix:/var/run/amime/xds.sock');
    // Several replicas: gRPC's ipv4:/ipv6: targets (gRPC naming, doc/naming.md), one address a connection.
    const replicas = parseXdsAddress('10.0.0.1:15010,10.0.0.2:15010');
    expect(replicas && target(replicas)).toBe('ipv4:10.0.0.1:15010,10.0.0.2:15010');
    const v6 = parseXdsAddress('[fd00::1]:15010,[fd00::2]:15011');
    expect(v6 && target(v6)).toBe('ipv6:[fd00::1]:15010,[fd00::2]:15011');
  });

  it('parses xDS addresses', () => {
    expect(parseXdsAddress('amime:15010')).toEqual({ host: 'amime', port: 15010 });
    expect(parseXdsAddress('[::1]:15010')).toEqual({ host: '::1', port: 15010 });
    expect(parseXdsAddress('unix:///run/x.sock')).toEqual({ pipe: '/run/x.sock' });
    expect(parseXdsAddress('amime')).toBeUndefined();
    expect(parseXdsAddress('amime:99999')).toBeUndefined();
    expect(parseXdsAddress('unix://relative')).toBeUndefined();
    // A list is of IP literals of one family: a name that resolves to every replica stands alone.
    expect(parseXdsAddress('amime-a:15010,amime-b:15010')).toBeUndefined();
    expect(parseXdsAddress('10.0.0.1:15010,[::1]:15010')).toBeUndefined();
  });
});
