/**
 * The admission webhooks called as kube-apiserver calls them: HTTPS with the serving
 * certificate checked against its CA, admission.k8s.io/v1 AdmissionReview bodies,
 * and the returned RFC 6902 patch applied with fast-json-patch.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:https';
import jsonpatch from 'fast-json-patch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InputObjects } from '../../src/k8s/graph-input.js';
import { DEFAULT_INJECTOR_CONFIG } from '../../src/k8s/inject/config.js';
import type { Container, KubeObject, Pod } from '../../src/k8s/objects.js';
import { podsOf, readManifests } from '../k8s-double/apply.js';
import { makeTestCertificate, type TestCertificate } from '../k8s-double/self-signed-cert.js';
import { admissionHandlers } from '../../src/k8s/webhook/handlers.js';
import { AdmissionWebhookServer } from '../../src/k8s/webhook/server.js';

let server: AdmissionWebhookServer;
let cert: TestCertificate;
let seed: InputObjects;
let workloads: KubeObject[];
let blogGateway: KubeObject;

interface Response {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string };
  patchType?: string;
  patch?: string;
  warnings?: string[];
}

function post(
  path: string,
  body: unknown,
): Promise<{ status: number; review: { apiVersion: string; kind: string; response: Response } }> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: 'POST',
        ca: cert.caPem,
        headers: { 'content-type': 'application/json', 'content-length': data.length },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, review: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

function podReview(pod: Pod) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: randomUUID(),
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      name: pod.metadata.name,
      namespace: 'mesh-test',
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
      object: pod,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}

async function admitPod(pod: Pod): Promise<{ response: Response; after: Pod }> {
  const review = podReview(pod);
  const { status, review: out } = await post('/mutate-v1-pod', review);
  expect(status).toBe(200);
  expect(out).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' });
  expect(out.response.uid).toBe(review.request.uid);
  if (!out.response.patch) return { response: out.response, after: pod };
  expect(out.response.patchType).toBe('JSONPatch');
  const ops = JSON.parse(Buffer.from(out.response.patch, 'base64').toString('utf8')) as jsonpatch.Operation[];
  expect(jsonpatch.validate(ops, pod)).toBeUndefined();
  return { response: out.response, after: jsonpatch.applyPatch(structuredClone(pod), ops).newDocument };
}

const env = (c: Container | undefined) =>
  Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
const podOf = (name: string) =>
  podsOf(workloads.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!)[0]!;

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
  cert = await makeTestCertificate();
  server = new AdmissionWebhookServer({
    tls: { cert: cert.cert, key: cert.key },
    handlers: admissionHandlers({
      objects: async () => seed,
      injector: { ...DEFAULT_INJECTOR_CONFIG, region: 'ap-northeast-1', accountId: '123456780000' },
    }),
  });
  await server.start();
});
afterAll(async () => {
  await server.close();
});

describe('/mutate-v1-pod over HTTPS', () => {
  it.each([
    ['nginx-1', 'vnode-1_mesh-test', '80'],
    ['nginx-2', 'vnode-2_mesh-test', '80'],
    ['client', 'vnode-x_mesh-test', '0'],
  ])('injects the seed pod %s as %s', async (deployment, node, appPorts) => {
    const pod = podOf(deployment);
    const { response, after } = await admitPod(pod);
    expect(response.allowed).toBe(true);
    expect(after.spec?.containers.map((c) => c.name)).toEqual([
      ...pod.spec!.containers.map((c) => c.name),
      'envoy',
    ]);
    expect(after.spec?.initContainers?.map((c) => c.name)).toEqual(['proxyinit']);
    expect(env(after.spec?.initContainers?.[0])).toMatchObject({
      APPMESH_APP_PORTS: appPorts,
      APPMESH_IGNORE_UID: '1337',
      APPMESH_ENVOY_INGRESS_PORT: '15000',
      APPMESH_ENVOY_EGRESS_PORT: '15001',
    });
    const envoy = after.spec?.containers.find((c) => c.name === 'envoy');
    expect(envoy?.ports).toEqual([{ name: 'stats', containerPort: 9901, protocol: 'TCP' }]);
    expect(env(envoy)).toMatchObject({
      APPMESH_RESOURCE_ARN: `mesh/mesh-1/virtualNode/${node}`,
      APPMESH_VIRTUAL_NODE_NAME: `mesh/mesh-1/virtualNode/${node}`,
      AWS_REGION: 'ap-northeast-1',
    });
    // The application container is untouched.
    expect(after.spec?.containers[0]).toEqual(pod.spec?.containers[0]);
  });

  it('configures the blog’s gateway pod in place', async () => {
    const pod = podsOf(blogGateway)[0]!;
    const { response, after } = await admitPod(pod);
    expect(response.allowed).toBe(true);
    const gw = after.spec!.containers[0]!;
    expect(gw.name).toBe('gateway');
    expect(gw.image).toBe('envoyproxy/envoy:v1.40.0');
    expect(gw.ports).toEqual([{ containerPort: 8088 }]);
    expect(env(gw)).toMatchObject({
      APPMESH_VIRTUAL_NODE_NAME: 'mesh/mesh-1/virtualGateway/gateway-v_mesh-test',
      AWS_REGION: 'ap-northeast-1',
    });
  });

  it('carries annotations through to the patch (App Mesh CNI mode)', async () => {
    const pod = podOf('nginx-1');
    pod.metadata.annotations = { 'appmesh.k8s.aws/appmeshCNI': 'enabled' };
    const { after } = await admitPod(pod);
    expect(after.spec?.initContainers).toBeUndefined();
    expect(after.metadata.annotations).toMatchObject({
      'appmesh.k8s.aws/ports': '80',
      'appmesh.k8s.aws/ignoredUID': '1337',
      'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled',
    });
  });

  it('refuses with App Mesh’s message and a 403 status', async () => {
    const pod = podOf('nginx-1');
    pod.metadata.labels = { app: 'unknown' };
    const { response } = await admitPod(pod);
    expect(response.allowed).toBe(false);
    expect(response.status?.code).toBe(403);
    expect(response.status?.message).toMatch(
      /^sidecarInject enabled but no matching VirtualNode or VirtualGateway found/,
    );
    expect(response.patch).toBeUndefined();
  });
});

describe('CRD webhooks over HTTPS', () => {
  it('/mutate-appmesh-k8s-aws-v1beta2-virtualnode fills in meshRef and awsName', async () => {
    const vn = {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'VirtualNode',
      metadata: { name: 'vnode-9', namespace: 'mesh-test' },
      spec: { podSelector: { matchLabels: { app: 'x' } } },
    };
    const review = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: randomUUID(),
        kind: { group: 'appmesh.k8s.aws', version: 'v1beta2', kind: 'VirtualNode' },
        resource: { group: 'appmesh.k8s.aws', version: 'v1beta2', resource: 'virtualnodes' },
        name: 'vnode-9',
        namespace: 'mesh-test',
        operation: 'CREATE',
        object: vn,
      },
    };
    const { review: out } = await post('/mutate-appmesh-k8s-aws-v1beta2-virtualnode', review);
    const ops = JSON.parse(
      Buffer.from(out.response.patch!, 'base64').toString('utf8'),
    ) as jsonpatch.Operation[];
    const after = jsonpatch.applyPatch(structuredClone(vn), ops).newDocument as typeof vn & {
      spec: Record<string, unknown>;
    };
    expect(after.spec.awsName).toBe('vnode-9_mesh-test');
    expect(after.spec.meshRef).toEqual({ name: 'mesh-1', uid: '' });
  });

  it('/validate-appmesh-k8s-aws-v1beta2-virtualnode refuses an awsName change on update', async () => {
    const old = {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'VirtualNode',
      metadata: { name: 'vnode-1', namespace: 'mesh-test' },
      spec: { awsName: 'vnode-1_mesh-test' },
    };
    const review = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: randomUUID(),
        kind: { group: 'appmesh.k8s.aws', version: 'v1beta2', kind: 'VirtualNode' },
        resource: { group: 'appmesh.k8s.aws', version: 'v1beta2', resource: 'virtualnodes' },
        name: 'vnode-1',
        namespace: 'mesh-test',
        operation: 'UPDATE',
        object: { ...old, spec: { awsName: 'renamed' } },
        oldObject: old,
      },
    };
    const { review: out } = await post('/validate-appmesh-k8s-aws-v1beta2-virtualnode', review);
    expect(out.response.allowed).toBe(false);
    expect(out.response.status?.message).toMatch(/spec\.awsName/);
  });
});
