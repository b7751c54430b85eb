import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import jsonpatch from 'fast-json-patch';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InputObjects } from '../graph-input.js';
import type { Container, KubeObject, Pod } from '../objects.js';
import { podsOf, readManifests } from '../../../test/k8s-double/apply.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { DEFAULT_INJECTOR_CONFIG, type InjectorConfig } from './config.js';
import { BOOTSTRAP_FILE, TOKEN_DIR } from './envoy-container.js';
import { mutatePod, type PodMutation } from './mutate-pod.js';

let seed: InputObjects;
let workloads: KubeObject[];
let blogGateway: KubeObject;
const config: InjectorConfig = {
  ...DEFAULT_INJECTOR_CONFIG,
  region: 'ap-northeast-1',
  accountId: '123456780000',
};

beforeAll(async () => {
  const objs = await readManifests('examples/seed/mesh.yaml');
  seed = {
    appMesh: objs.filter((o) => o.apiVersion === 'appmesh.k8s.aws/v1beta2'),
    namespaces: objs.filter((o) => o.kind === 'Namespace'),
  };
  workloads = await readManifests('examples/seed/workloads.yaml');
  blogGateway = (await readManifests('src/k8s/testdata/seed-as-written/03-gateway.yaml')).find(
    (o) => o.kind === 'Deployment',
  )!;
});

const deployment = (name: string) =>
  workloads.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!;
function pod(name: string, annotations: Record<string, string> = {}, labels?: Record<string, string>): Pod {
  const p = podsOf(deployment(name))[0]!;
  p.metadata.annotations = { ...(p.metadata.annotations ?? {}), ...annotations };
  if (labels) p.metadata.labels = labels;
  return p;
}

function run(
  p: Pod,
  objects: InputObjects = seed,
  cfg: InjectorConfig = config,
): { result: PodMutation; after: Pod } {
  const result = mutatePod({ pod: p, namespace: 'mesh-test', objects, config: cfg });
  const after = result.allowed
    ? (jsonpatch.applyPatch(structuredClone(p), jsonpatch.deepClone(result.patch), true, false)
        .newDocument as Pod)
    : p;
  return { result, after };
}

/** The parts of an injected bootstrap the tests read. */
interface Injected {
  node: { id: string; metadata: Record<string, Record<string, unknown>> };
  dynamic_resources: {
    ads_config: { grpc_services: Array<{ google_grpc: { target_uri: string }; initial_metadata?: unknown }> };
  };
  stats_config?: { stats_tags: Array<{ tag_name: string }> };
  stats_sinks?: Array<{ name: string }>;
  tracing?: { http: { name: string; typed_config: Record<string, unknown> } };
}
const injected = (c: Container | undefined) => JSON.parse(String(env(c).AMIME_ENVOY_BOOTSTRAP)) as Injected;

const env = (c: Container | undefined) =>
  Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
const container = (p: Pod, name: string) => p.spec?.containers.find((c) => c.name === name);
const init = (p: Pod) => p.spec?.initContainers?.find((c) => c.name === 'proxyinit');
const refusal = (p: Pod, objects: InputObjects = seed) => {
  const { result } = run(p, objects);
  if (result.allowed) throw new Error('expected a refusal');
  return result.message;
};
const withMesh = (extra: object[]): InputObjects => ({
  ...seed,
  appMesh: [...seed.appMesh, ...(extra as KubeObject[])],
});
const vn = (name: string, podSelector: object) => ({
  apiVersion: 'appmesh.k8s.aws/v1beta2',
  kind: 'VirtualNode',
  metadata: { name, namespace: 'mesh-test' },
  spec: { podSelector },
});
const vg = (name: string, podSelector: object) => ({
  apiVersion: 'appmesh.k8s.aws/v1beta2',
  kind: 'VirtualGateway',
  metadata: { name, namespace: 'mesh-test' },
  spec: {
    podSelector,
    namespaceSelector: { matchLabels: { mesh: 'mesh-1' } },
    listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
  },
});

describe('sidecar injection for a virtual node pod (the seed nginx-1 → vnode-1)', () => {
  it('adds proxyinit with App Mesh iptables settings and the envoy sidecar', () => {
    const { result, after } = run(pod('nginx-1'));
    expect(result.allowed).toBe(true);
    expect(init(after)).toMatchObject({
      name: 'proxyinit',
      image: config.initImage,
      securityContext: { capabilities: { add: ['NET_ADMIN'] } },
      resources: { requests: { cpu: '10m', memory: '32Mi' } },
    });
    expect(init(after)?.env).toEqual([
      { name: 'APPMESH_START_ENABLED', value: '1' },
      { name: 'APPMESH_IGNORE_UID', value: '1337' },
      { name: 'APPMESH_ENVOY_INGRESS_PORT', value: '15000' },
      { name: 'APPMESH_ENVOY_EGRESS_PORT', value: '15001' },
      { name: 'APPMESH_APP_PORTS', value: '80' },
      { name: 'APPMESH_EGRESS_IGNORED_IP', value: '169.254.169.254' },
      { name: 'APPMESH_EGRESS_IGNORED_PORTS', value: '22' },
      { name: 'APPMESH_ENABLE_IPV6', value: '1' },
    ]);
    expect(after.spec?.containers.map((c) => c.name)).toEqual(['nginx', 'envoy']);
    const envoy = container(after, 'envoy')!;
    expect(envoy).toMatchObject({
      image: 'envoyproxy/envoy:v1.40.0',
      securityContext: { runAsUser: 1337 },
      ports: [{ name: 'stats', containerPort: 9901, protocol: 'TCP' }],
      resources: { requests: { cpu: '10m', memory: '32Mi' } },
      lifecycle: { preStop: { exec: { command: ['sh', '-c', 'sleep 20'] } } },
      readinessProbe: {
        httpGet: { path: '/ready', port: 9901 },
        initialDelaySeconds: 1,
        periodSeconds: 10,
        timeoutSeconds: 1,
        failureThreshold: 3,
      },
    });
    const e = env(envoy);
    expect(e).toMatchObject({
      APPMESH_RESOURCE_ARN: 'mesh/mesh-1/virtualNode/vnode-1_mesh-test',
      APPMESH_VIRTUAL_NODE_NAME: 'mesh/mesh-1/virtualNode/vnode-1_mesh-test',
      AWS_REGION: 'ap-northeast-1',
      ENVOY_LOG_LEVEL: 'info',
      APPMESH_PREVIEW: '0',
      ENVOY_ADMIN_ACCESS_PORT: '9901',
      ENVOY_ADMIN_ACCESS_LOG_FILE: '/tmp/envoy_admin_access.log',
      ENVOY_ADMIN_ACCESS_ENABLE_IPV6: 'false',
      APPNET_AGENT_ADMIN_MODE: 'uds',
      APPMESH_PLATFORM_K8S_POD_UID: { fieldRef: { fieldPath: 'metadata.uid' } },
    });
    expect(e.ENVOY_CONFIG_FILE).toBeUndefined();
    const bootstrap = JSON.parse(String(e.AMIME_ENVOY_BOOTSTRAP)) as Injected;
    expect(bootstrap.node.id).toBe('mesh/mesh-1/virtualNode/vnode-1_mesh-test');
    expect(bootstrap.dynamic_resources.ads_config.grpc_services[0]!.google_grpc.target_uri).toBe(
      'amime-xds.amime-system.svc:15010',
    );
    expect(after.spec?.volumes).toEqual([
      { name: 'amime-envoy-config', emptyDir: {} },
      {
        name: 'amime-xds-token',
        projected: {
          sources: [{ serviceAccountToken: { audience: 'amime', expirationSeconds: 86400, path: 'token' } }],
        },
      },
    ]);
    expect(envoy.volumeMounts).toEqual([
      { name: 'amime-envoy-config', mountPath: '/etc/amime/envoy' },
      { name: 'amime-xds-token', mountPath: TOKEN_DIR, readOnly: true },
    ]);
    expect(after.spec?.securityContext).toEqual({ fsGroup: 1337 });
  });

  it('the start command writes a bootstrap carrying the current token, then runs Envoy', async () => {
    const { after } = run(pod('nginx-1'));
    const envoy = container(after, 'envoy')!;
    const dir = tempDir('amime-start-');
    await writeFile(join(dir, 'token'), 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_x');
    const script = envoy
      .command![2]!.replaceAll(TOKEN_DIR, dir)
      .replaceAll(BOOTSTRAP_FILE, join(dir, 'bootstrap.json'))
      .replace(/exec envoy .*$/, 'exec echo started');
    const out = await promisify(execFile)('sh', ['-c', script], {
      env: { ...(env(envoy) as Record<string, string>), PATH: process.env.PATH ?? '' },
    });
    expect(out.stdout.trim()).toBe('started');
    const written = JSON.parse(await readFile(join(dir, 'bootstrap.json'), 'utf8')) as {
      dynamic_resources: { ads_config: { grpc_services: Array<{ initial_metadata: unknown }> } };
    };
    expect(written.dynamic_resources.ads_config.grpc_services[0]!.initial_metadata).toEqual([
      { key: 'authorization', value: 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_x' },
    ]);
    expect(envoy.command![2]).toMatch(/exec envoy -c \/etc\/amime\/envoy\/bootstrap.json/);
  });

  it('the App Mesh Envoy image gets ENVOY_CONFIG_FILE, its agent, and the curl readiness probe', () => {
    const { after } = run(pod('nginx-1'), seed, {
      ...config,
      sidecarImage: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.12.3-prod',
    });
    const envoy = container(after, 'envoy')!;
    expect(env(envoy).ENVOY_CONFIG_FILE).toBe('/etc/amime/envoy/bootstrap.json');
    expect(envoy.command![2]).toMatch(/exec \/usr\/bin\/agent$/);
    expect(envoy.readinessProbe).toMatchObject({
      exec: {
        command: ['sh', '-c', 'curl -s http://localhost:9901/server_info | grep state | grep -q LIVE'],
      },
    });
  });

  const annotated: Array<[string, Record<string, string>, (p: Pod) => void]> = [
    [
      'ports',
      { 'appmesh.k8s.aws/ports': '80,8080' },
      (p) => expect(env(init(p)).APPMESH_APP_PORTS).toBe('80,8080'),
    ],
    [
      'egressIgnoredIPs',
      { 'appmesh.k8s.aws/egressIgnoredIPs': '10.0.0.0/8,192.168.1.1' },
      (p) => expect(env(init(p)).APPMESH_EGRESS_IGNORED_IP).toBe('10.0.0.0/8,192.168.1.1'),
    ],
    [
      'egressIgnoredPorts',
      { 'appmesh.k8s.aws/egressIgnoredPorts': '22,3306' },
      (p) => expect(env(init(p)).APPMESH_EGRESS_IGNORED_PORTS).toBe('22,3306'),
    ],
    [
      'ipv6',
      { 'appmesh.k8s.aws/ipv6': 'disabled' },
      (p) => expect(env(init(p)).APPMESH_ENABLE_IPV6).toBe('0'),
    ],
    [
      'appmeshCNI',
      { 'appmesh.k8s.aws/appmeshCNI': 'enabled', 'appmesh.k8s.aws/egressIgnoredPorts': '25' },
      (p) => {
        expect(init(p)).toBeUndefined();
        expect(p.metadata.annotations).toMatchObject({
          'appmesh.k8s.aws/ports': '80',
          'appmesh.k8s.aws/egressIgnoredIPs': '169.254.169.254',
          'appmesh.k8s.aws/egressIgnoredPorts': '25',
          'appmesh.k8s.aws/proxyEgressPort': '15001',
          'appmesh.k8s.aws/proxyIngressPort': '15000',
          'appmesh.k8s.aws/ignoredUID': '1337',
          'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled',
        });
        expect(container(p, 'envoy')).toBeDefined();
      },
    ],
    [
      'cpuRequest, memoryRequest, cpuLimit, memoryLimit',
      {
        'appmesh.k8s.aws/cpuRequest': '100m',
        'appmesh.k8s.aws/memoryRequest': '64Mi',
        'appmesh.k8s.aws/cpuLimit': '1',
        'appmesh.k8s.aws/memoryLimit': '256Mi',
      },
      (p) =>
        expect(container(p, 'envoy')?.resources).toEqual({
          requests: { cpu: '100m', memory: '64Mi' },
          limits: { cpu: '1', memory: '256Mi' },
        }),
    ],
    [
      'preview',
      { 'appmesh.k8s.aws/preview': 'enabled' },
      (p) => expect(env(container(p, 'envoy')).APPMESH_PREVIEW).toBe('1'),
    ],
    [
      'sds (disabled: Amime mounts no SDS socket either way)',
      { 'appmesh.k8s.aws/sds': 'disabled' },
      (p) =>
        expect((container(p, 'envoy')?.volumeMounts ?? []).map((m) => m.name)).toEqual([
          'amime-envoy-config',
          'amime-xds-token',
        ]),
    ],
    [
      'secretMounts',
      { 'appmesh.k8s.aws/secretMounts': 'svc-1-tls:/certs, ca:/ca' },
      (p) => {
        expect(container(p, 'envoy')?.volumeMounts?.slice(2)).toEqual([
          { name: 'svc-1-tls', mountPath: '/certs', readOnly: true },
          { name: 'ca', mountPath: '/ca', readOnly: true },
        ]);
        expect(p.spec?.volumes?.slice(2)).toEqual([
          { name: 'svc-1-tls', secret: { secretName: 'svc-1-tls' } },
          { name: 'ca', secret: { secretName: 'ca' } },
        ]);
      },
    ],
    [
      'volumeMounts',
      { 'appmesh.k8s.aws/volumeMounts': 'certs:/certs' },
      (p) =>
        expect(container(p, 'envoy')?.volumeMounts?.[2]).toEqual({
          name: 'certs',
          mountPath: '/certs',
          readOnly: true,
        }),
    ],
    [
      'sidecarEnv (controller-managed keys win)',
      { 'appmesh.k8s.aws/sidecarEnv': 'DEBUG=1, AWS_REGION=eu-west-1' },
      (p) => expect(env(container(p, 'envoy'))).toMatchObject({ DEBUG: '1', AWS_REGION: 'ap-northeast-1' }),
    ],
    [
      'sidecarEnvJson (over sidecarEnv)',
      { 'appmesh.k8s.aws/sidecarEnv': 'A=1,B=2', 'appmesh.k8s.aws/sidecarEnvJson': '[{"B":"3","C":"x=y"}]' },
      (p) => expect(env(container(p, 'envoy'))).toMatchObject({ A: '1', B: '3', C: 'x=y' }),
    ],
    [
      'sidecarInjectorWebhook: disabled',
      { 'appmesh.k8s.aws/sidecarInjectorWebhook': 'Disabled' },
      (p) => expect(p.spec?.containers.map((c) => c.name)).toEqual(['nginx']),
    ],
  ];
  it.each(annotated)('annotation %s', (_name, annotations, check) => {
    const { result, after } = run(pod('nginx-1', annotations));
    expect(result.allowed).toBe(true);
    check(after);
  });

  it('the Fargate profile label turns on App Mesh CNI mode', () => {
    const { after } = run(pod('nginx-1', {}, { app: 'sample0', 'eks.amazonaws.com/fargate-profile': 'fp' }));
    expect(init(after)).toBeUndefined();
    expect(after.metadata.annotations?.['appmesh.k8s.aws/proxyIngressPort']).toBe('15000');
  });

  it('xrayAgentConfigMount mounts the daemon config when X-Ray tracing is on', () => {
    const cfg = {
      ...config,
      xray: {
        image: 'public.ecr.aws/xray/aws-xray-daemon',
        port: 2000,
        logLevel: 'prod',
        samplingRate: '0.05',
      },
    };
    const { after } = run(
      pod('nginx-1', { 'appmesh.k8s.aws/xrayAgentConfigMount': 'xray-cfg:/xray' }),
      seed,
      cfg,
    );
    const xray = container(after, 'xray-daemon')!;
    expect(xray.volumeMounts).toEqual([{ name: 'xray-cfg', mountPath: '/xray', readOnly: true }]);
    expect(xray.command).toContain('/xray/xray-daemon.yaml');
    expect(env(container(after, 'envoy'))).toMatchObject({
      ENABLE_ENVOY_XRAY_TRACING: '1',
      XRAY_DAEMON_PORT: '2000',
      XRAY_SAMPLING_RATE: '0.05',
    });
  });

  it('keeps an existing proxyinit and envoy', () => {
    const p = pod('nginx-1');
    p.spec!.containers.push({ name: 'envoy', image: 'mine' });
    p.spec!.initContainers = [{ name: 'proxyinit', image: 'mine' }];
    const { after } = run(p);
    expect(container(after, 'envoy')?.image).toBe('mine');
    expect(after.spec?.initContainers).toHaveLength(1);
  });

  it('no injection in a namespace labelled disabled, or without the label; a pod may opt in', () => {
    const ns = (labels: Record<string, string>) => ({
      ...seed,
      namespaces: [{ metadata: { name: 'mesh-test', labels: { mesh: 'mesh-1', ...labels } } }],
    });
    const disabled = ns({ 'appmesh.k8s.aws/sidecarInjectorWebhook': 'disabled' });
    expect(run(pod('nginx-1'), disabled).result).toMatchObject({ allowed: true, patch: [] });
    expect(run(pod('nginx-1', {}, { app: 'nobody' }), disabled).result).toMatchObject({
      allowed: true,
      patch: [],
    });
    expect(run(pod('nginx-1'), ns({})).result).toMatchObject({ allowed: true, patch: [] });
    const optIn = run(pod('nginx-1', { 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' }), disabled);
    expect(container(optIn.after, 'envoy')).toBeDefined();
  });
});

describe('virtual gateway pods', () => {
  it('configures the blog gateway container (it names the gateway in APPMESH_RESOURCE_ARN) and overrides its image', () => {
    const { result, after } = run(podsOf(blogGateway)[0]!);
    expect(result.allowed).toBe(true);
    expect(after.spec?.initContainers).toBeUndefined();
    const gw = container(after, 'gateway')!;
    expect(gw.image).toBe(config.sidecarImage);
    expect(env(gw)).toMatchObject({
      APPMESH_RESOURCE_ARN:
        'arn:aws:appmesh:ap-northeast-1:123456780000:mesh/mesh-1/virtualGateway/gateway-v_mesh-test',
      APPMESH_VIRTUAL_NODE_NAME: 'mesh/mesh-1/virtualGateway/gateway-v_mesh-test',
      ENVOY_ADMIN_ACCESS_PORT: '9901',
      AWS_REGION: 'ap-northeast-1',
    });
    expect(JSON.parse(String(env(gw).AMIME_ENVOY_BOOTSTRAP)).node.id).toBe(
      'mesh/mesh-1/virtualGateway/gateway-v_mesh-test',
    );
    expect(gw.ports).toEqual([{ containerPort: 8088 }]);
    expect(gw.readinessProbe).toBeDefined();
  });

  it('a container named envoy keeps its image with virtualGatewaySkipImageOverride and its own readiness probe', () => {
    const p = pod('gateway-v', { 'appmesh.k8s.aws/virtualGatewaySkipImageOverride': 'enabled' });
    p.spec!.containers = [
      {
        name: 'envoy',
        image: 'my/envoy:1',
        readinessProbe: { tcpSocket: { port: 8088 } },
        env: [{ name: 'AWS_REGION', value: 'x' }],
      },
    ];
    const { after } = run(p);
    const gw = container(after, 'envoy')!;
    expect(gw.image).toBe('my/envoy:1');
    expect(gw.readinessProbe).toEqual({ tcpSocket: { port: 8088 } });
    expect(gw.env?.[0]).toEqual({ name: 'AWS_REGION', value: 'ap-northeast-1' });
  });

  it('the single Envoy-image container of the complete seed gateway is configured', () => {
    const { after } = run(pod('gateway-v'));
    expect(env(container(after, 'gateway'))).toMatchObject({
      APPMESH_VIRTUAL_NODE_NAME: 'mesh/mesh-1/virtualGateway/gateway-v_mesh-test',
    });
  });

  it('a gateway pod without an Envoy container is left unchanged, with a warning', () => {
    const p = pod('gateway-v');
    p.spec!.containers = [{ name: 'app', image: 'x' }];
    const { result } = run(p);
    expect(result).toMatchObject({ allowed: true, patch: [] });
    expect(result.allowed && result.warnings[0]).toMatch(/no container named "envoy"/);
  });
});

describe('refusals (App Mesh messages)', () => {
  it('enabled (by the namespace label) without a match', () => {
    expect(refusal(pod('nginx-1', {}, { app: 'nobody' }))).toMatch(
      /^sidecarInject enabled but no matching VirtualNode or VirtualGateway found/,
    );
  });
  it('several virtual nodes', () => {
    expect(refusal(pod('nginx-1'), withMesh([vn('other', { matchLabels: { app: 'sample0' } })]))).toMatch(
      /^found multiple matching VirtualNodes for pod mesh-test\/nginx-1-0/,
    );
  });
  it('several virtual gateways', () => {
    expect(refusal(pod('gateway-v'), withMesh([vg('gw-2', { matchLabels: { for: 'gateway' } })]))).toMatch(
      /^found multiple matching VirtualGateways for pod mesh-test\/gateway-v-0/,
    );
  });
  it('a virtual node and a virtual gateway', () => {
    expect(refusal(pod('nginx-1'), withMesh([vg('gw-2', { matchLabels: { app: 'sample0' } })]))).toBe(
      'sidecarInject enabled for both virtualNode vnode-1 and virtualGateway gw-2 on pod nginx-1-0. Please use podSelector on one',
    );
  });
  it('a node without a mesh', () => {
    const objects = {
      ...seed,
      namespaces: [
        {
          metadata: {
            name: 'mesh-test',
            labels: { mesh: 'other', 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' },
          },
        },
      ],
    };
    expect(refusal(pod('nginx-1'), objects)).toMatch(
      /^VirtualNode mesh-test\/vnode-1 selects this pod but belongs to no mesh/,
    );
  });
  it.each([
    [
      'appmesh.k8s.aws/secretMounts',
      'a:b:c',
      'malformed annotation appmesh.k8s.aws/secretMounts, expected format: secretName:mountPath',
    ],
    [
      'appmesh.k8s.aws/volumeMounts',
      'novolume',
      'malformed annotation appmesh.k8s.aws/volumeMounts, expected format: volumeName:mountPath',
    ],
    [
      'appmesh.k8s.aws/sidecarEnv',
      'A',
      'malformed annotation appmesh.k8s.aws/sidecarEnv, expected format: EnvVariableKey=EnvVariableValue',
    ],
    [
      'appmesh.k8s.aws/sidecarEnvJson',
      '[{"A":1}]',
      'malformed annotation appmesh.k8s.aws/sidecarEnvJson, expected format',
    ],
    ['appmesh.k8s.aws/cpuRequest', 'lots', 'quantities must match the regular expression'],
    [
      'appmesh.k8s.aws/xrayAgentConfigMount',
      'a:b,c:d',
      'malformed annotation appmesh.k8s.aws/xrayAgentConfigMount, expected format: volumeName:mountPath',
    ],
  ])('malformed %s', (key, value, message) => {
    expect(refusal(pod('nginx-1', { [key]: value }))).toContain(message);
  });
});

/**
 * The injected bootstrap is the App Mesh agent's, driven by the Envoy container's
 * variables (aws/amazon-ecs-service-connect-agent@1ba8235 agent/envoy_bootstrap/envoy_bootstrap.go
 * l.1499-1608): the pod's sidecarEnv turns features on as under App Mesh.
 */
describe("the injected bootstrap follows the Envoy container's App Mesh variables", () => {
  it('sidecarEnv turns on stats tags and DogStatsD; X-Ray from the injector config', () => {
    const xray = {
      image: 'public.ecr.aws/xray/aws-xray-daemon',
      port: 2000,
      logLevel: 'info',
      samplingRate: '0.2',
    };
    const { after } = run(
      pod('nginx-1', {
        'appmesh.k8s.aws/sidecarEnv': 'ENABLE_ENVOY_STATS_TAGS=1, ENABLE_ENVOY_DOG_STATSD=1',
      }),
      seed,
      { ...config, xray },
    );
    const b = injected(container(after, 'envoy'));
    expect(b.stats_config?.stats_tags.slice(0, 2).map((t) => t.tag_name)).toEqual([
      'appmesh.mesh',
      'appmesh.virtual_node',
    ]);
    expect(b.stats_sinks?.map((s) => s.name)).toEqual(['envoy.stat_sinks.dog_statsd']);
    expect(b.tracing?.http.name).toBe('envoy.tracers.xray');
    expect(JSON.stringify(b.tracing?.http.typed_config.sampling_rule_manifest)).toContain('\\"rate\\":0.2');
    expect(b.node.metadata['aws.appmesh.static_runtime']).toMatchObject({
      're2.max_program_size.error_level': 1000,
    });
  });

  it('refuses a pod whose Envoy variables the agent would have refused, naming the variable', () => {
    expect(
      refusal(
        pod('nginx-1', { 'appmesh.k8s.aws/sidecarEnv': 'ENABLE_ENVOY_XRAY_TRACING=1,XRAY_SAMPLING_RATE=2' }),
      ),
    ).toBe(
      'Envoy environment: XRAY_SAMPLING_RATE environment variable ("2") must be a decimal between 0 and 1.00 (100%)',
    );
  });

  it('warns that config files inside the container are not merged', () => {
    const { result } = run(
      pod('nginx-1', { 'appmesh.k8s.aws/sidecarEnv': 'ENVOY_STATS_CONFIG_FILE=/etc/envoy/stats.yaml' }),
    );
    expect(result.allowed && result.warnings).toEqual([
      expect.stringMatching(
        /^ENVOY_STATS_CONFIG_FILE=\/etc\/envoy\/stats.yaml: the file is inside the Envoy container/,
      ),
    ]);
  });

  it('keeps the runtime guards upstream Envoy removed only for the App Mesh image', () => {
    const guard = 'envoy.reloadable_features.no_extension_lookup_by_name';
    const upstream = injected(container(run(pod('nginx-1')).after, 'envoy'));
    expect(upstream.node.metadata['aws.appmesh.static_runtime']).not.toHaveProperty([guard]);
    const image = { ...config, sidecarImage: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.12.3-prod' };
    const appMesh = injected(container(run(pod('nginx-1'), seed, image).after, 'envoy'));
    expect(appMesh.node.metadata['aws.appmesh.static_runtime']).toHaveProperty([guard], true);
  });
});
