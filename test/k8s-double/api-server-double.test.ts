import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import {
  ApiException,
  AuthenticationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeApiError, RestKubeClient } from '../../src/k8s/rest-client.js';
import { ApiServerTestDouble, serviceAccountIdentity } from './api-server-double.js';
import { makeTestCertificate } from './self-signed-cert.js';
import { KUBECTL, describeWithPrograms, programPath } from '../support/system-programs.js';

const G = { group: 'appmesh.k8s.aws', version: 'v1beta2' };
const vn = (name: string, spec: object = {}) => ({
  apiVersion: 'appmesh.k8s.aws/v1beta2',
  kind: 'VirtualNode',
  metadata: { name },
  spec,
});

let d: ApiServerTestDouble;
let core: CoreV1Api;
let custom: CustomObjectsApi;

beforeEach(async () => {
  d = await ApiServerTestDouble.start({ historyLimit: 50 });
  core = d.kubeConfig().makeApiClient(CoreV1Api);
  custom = d.kubeConfig().makeApiClient(CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: 'mesh-test', labels: { mesh: 'mesh-1' } } } });
});
afterEach(async () => {
  await d.close();
});

async function failure(
  p: Promise<unknown>,
): Promise<{ code: number; body: { reason?: string; message?: string } }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiException)
      return { code: e.code, body: typeof e.body === 'string' ? JSON.parse(e.body) : e.body };
    throw e;
  }
  throw new Error('expected the call to fail');
}

const until = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('API-server test double with @kubernetes/client-node 1.4.0', () => {
  it('creates, lists and gets core objects', async () => {
    await core.createNamespacedPod({
      namespace: 'mesh-test',
      body: {
        metadata: { name: 'p1', labels: { app: 'a' } },
        spec: { containers: [{ name: 'c', image: 'x' }] },
      },
    });
    const list = await core.listNamespacedPod({ namespace: 'mesh-test', labelSelector: 'app=a' });
    expect(list.items.map((p) => p.metadata?.name)).toEqual(['p1']);
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(
      (await core.listNamespacedPod({ namespace: 'mesh-test', labelSelector: 'app notin (a)' })).items,
    ).toEqual([]);
    const ns = await core.readNamespace({ name: 'mesh-test' });
    expect(ns.metadata?.labels).toEqual({ mesh: 'mesh-1' });
    const missing = await failure(
      core.createNamespacedPod({
        namespace: 'nope',
        body: { metadata: { name: 'p' }, spec: { containers: [] } },
      }),
    );
    expect(missing.code).toBe(404);
    expect(missing.body.message).toBe('namespaces "nope" not found');
  });

  it('custom objects: AlreadyExists, Conflict, status subresource and generation', async () => {
    const created = (await custom.createNamespacedCustomObject({
      ...G,
      namespace: 'mesh-test',
      plural: 'virtualnodes',
      body: { ...vn('vnode-1', { awsName: 'a' }), status: { x: 1 } },
    })) as {
      metadata: { resourceVersion: string; generation: number; uid: string };
      status?: unknown;
    };
    expect(created.metadata.generation).toBe(1);
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.status).toBeUndefined();

    const dup = await failure(
      custom.createNamespacedCustomObject({
        ...G,
        namespace: 'mesh-test',
        plural: 'virtualnodes',
        body: vn('vnode-1'),
      }),
    );
    expect(dup.code).toBe(409);
    expect(dup.body.reason).toBe('AlreadyExists');
    expect(dup.body.message).toBe('virtualnodes.appmesh.k8s.aws "vnode-1" already exists');

    const statusPatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const withStatus = (await custom.patchNamespacedCustomObjectStatus(
      {
        ...G,
        namespace: 'mesh-test',
        plural: 'virtualnodes',
        name: 'vnode-1',
        body: { status: { observedGeneration: 1 }, spec: { awsName: 'ignored' } },
      },
      statusPatch,
    )) as {
      spec: { awsName: string };
      status: unknown;
      metadata: { generation: number; resourceVersion: string };
    };
    expect(withStatus.status).toEqual({ observedGeneration: 1 });
    expect(withStatus.spec.awsName).toBe('a');
    expect(withStatus.metadata.generation).toBe(1);

    const stale = await failure(
      custom.replaceNamespacedCustomObject({
        ...G,
        namespace: 'mesh-test',
        plural: 'virtualnodes',
        name: 'vnode-1',
        body: {
          ...vn('vnode-1', { awsName: 'b' }),
          metadata: { name: 'vnode-1', resourceVersion: created.metadata.resourceVersion },
        },
      }),
    );
    expect(stale.code).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    expect(stale.body.message).toContain('the object has been modified');

    const noRv = await failure(
      custom.replaceNamespacedCustomObject({
        ...G,
        namespace: 'mesh-test',
        plural: 'virtualnodes',
        name: 'vnode-1',
        body: vn('vnode-1'),
      }),
    );
    expect(noRv.code).toBe(422);

    const replaced = (await custom.replaceNamespacedCustomObject({
      ...G,
      namespace: 'mesh-test',
      plural: 'virtualnodes',
      name: 'vnode-1',
      body: {
        ...vn('vnode-1', { awsName: 'b' }),
        metadata: { name: 'vnode-1', resourceVersion: withStatus.metadata.resourceVersion },
        status: { observedGeneration: 99 },
      },
    })) as { metadata: { generation: number }; status: unknown };
    expect(replaced.metadata.generation).toBe(2);
    expect(replaced.status).toEqual({ observedGeneration: 1 });

    const jsonPatched = (await custom.patchNamespacedCustomObject(
      {
        ...G,
        namespace: 'mesh-test',
        plural: 'virtualnodes',
        name: 'vnode-1',
        body: [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    )) as { metadata: { generation: number; labels: unknown } };
    expect(jsonPatched.metadata.labels).toEqual({ a: 'b' });
    expect(jsonPatched.metadata.generation).toBe(2);
  });

  it('an unchanged update writes nothing', async () => {
    const o = (await custom.createClusterCustomObject({
      ...G,
      plural: 'meshes',
      body: { apiVersion: 'appmesh.k8s.aws/v1beta2', kind: 'Mesh', metadata: { name: 'm' }, spec: {} },
    })) as { metadata: { resourceVersion: string } };
    const rev = d.revision;
    const same = (await custom.replaceClusterCustomObject({
      ...G,
      plural: 'meshes',
      name: 'm',
      body: o,
    })) as { metadata: { resourceVersion: string } };
    expect(same.metadata.resourceVersion).toBe(o.metadata.resourceVersion);
    expect(d.revision).toBe(rev);
  });

  it('finalizers hold deletion until they are removed', async () => {
    await custom.createClusterCustomObject({
      ...G,
      plural: 'meshes',
      body: {
        apiVersion: 'appmesh.k8s.aws/v1beta2',
        kind: 'Mesh',
        metadata: { name: 'm', finalizers: ['x/y'] },
        spec: {},
      },
    });
    const deleting = (await custom.deleteClusterCustomObject({ ...G, plural: 'meshes', name: 'm' })) as {
      metadata: { deletionTimestamp?: string; generation: number; resourceVersion: string };
    };
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    expect(deleting.metadata.generation).toBe(2);
    const still = (await custom.getClusterCustomObject({ ...G, plural: 'meshes', name: 'm' })) as {
      metadata: { finalizers: string[] };
    };
    expect(still.metadata.finalizers).toEqual(['x/y']);
    const added = await failure(
      custom.patchClusterCustomObject(
        { ...G, plural: 'meshes', name: 'm', body: { metadata: { finalizers: ['x/y', 'new/one'] } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(added.code).toBe(422);
    await custom.patchClusterCustomObject(
      { ...G, plural: 'meshes', name: 'm', body: { metadata: { finalizers: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect((await failure(custom.getClusterCustomObject({ ...G, plural: 'meshes', name: 'm' }))).code).toBe(
      404,
    );
  });

  it('informers list, watch, resume after a closed watch, and relist after 410', async () => {
    const kc = d.kubeConfig();
    const informer = makeInformer<V1Pod>(kc, '/api/v1/pods', () => core.listPodForAllNamespaces());
    const seen: string[] = [];
    informer.on('add', (p) => seen.push(`add ${p.metadata?.name}`));
    informer.on('update', (p) => seen.push(`update ${p.metadata?.name}`));
    informer.on('delete', (p) => seen.push(`delete ${p.metadata?.name}`));
    await core.createNamespacedPod({
      namespace: 'mesh-test',
      body: { metadata: { name: 'p0' }, spec: { containers: [] } },
    });
    await informer.start();
    await until(() => seen.includes('add p0'));
    await core.createNamespacedPod({
      namespace: 'mesh-test',
      body: { metadata: { name: 'p1' }, spec: { containers: [] } },
    });
    await until(() => seen.includes('add p1'));
    d.closeWatches();
    await core.patchNamespacedPod(
      { namespace: 'mesh-test', name: 'p1', body: { metadata: { labels: { a: 'b' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await until(() => seen.includes('update p1'));
    expect(seen.filter((s) => s === 'add p1')).toHaveLength(1);
    // Many writes push the informer's resourceVersion out of the history; the resume gets 410 and relists.
    for (let i = 0; i < 60; i++)
      await core.patchNamespacedPod(
        { namespace: 'mesh-test', name: 'p0', body: { metadata: { labels: { i: String(i) } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    await until(() => informer.get('p0', 'mesh-test')?.metadata?.labels?.i === '59');
    const lists = () => d.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/pods').length;
    expect(lists()).toBe(1);
    d.holdWatches(true);
    d.closeWatches();
    await core.deleteNamespacedPod({ namespace: 'mesh-test', name: 'p1' });
    d.compact();
    d.holdWatches(false);
    await until(() => seen.includes('delete p1'));
    expect(lists()).toBe(2);
    await informer.stop();
  });

  it('raw watch: resume from a resourceVersion, and 410 Expired once compacted', async () => {
    await core.createNamespacedPod({
      namespace: 'mesh-test',
      body: { metadata: { name: 'a' }, spec: { containers: [] } },
    });
    const from = d.revision;
    await core.createNamespacedPod({
      namespace: 'mesh-test',
      body: { metadata: { name: 'b' }, spec: { containers: [] } },
    });
    await core.deleteNamespacedPod({ namespace: 'mesh-test', name: 'a' });
    const ctl = new AbortController();
    const res = await fetch(`${d.url}/api/v1/namespaces/mesh-test/pods?watch=true&resourceVersion=${from}`, {
      signal: ctl.signal,
    });
    const reader = res.body!.getReader();
    let text = '';
    while (text.split('\n').length < 3) text += new TextDecoder().decode((await reader.read()).value);
    ctl.abort();
    const events = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED b', 'DELETED a']);
    d.compact();
    const gone = await (
      await fetch(`${d.url}/api/v1/namespaces/mesh-test/pods?watch=true&resourceVersion=${from}`)
    ).text();
    const ev = JSON.parse(gone.trim()) as { type: string; object: { code: number; reason: string } };
    expect(ev.type).toBe('ERROR');
    expect(ev.object.code).toBe(410);
    expect(ev.object.reason).toBe('Expired');
  });

  it('TokenReview: known tokens, audiences, unknown tokens', async () => {
    d.setToken(
      'sa-token',
      serviceAccountIdentity('mesh-test', 'appmesh-proxyauth', {
        audiences: ['amime'],
        pod: { name: 'p', uid: 'u' },
      }),
    );
    const auth = d.kubeConfig().makeApiClient(AuthenticationV1Api);
    const ok = await auth.createTokenReview({ body: { spec: { token: 'sa-token', audiences: ['amime'] } } });
    expect(ok.status?.authenticated).toBe(true);
    expect(ok.status?.user?.username).toBe('system:serviceaccount:mesh-test:appmesh-proxyauth');
    expect(ok.status?.user?.extra?.['authentication.kubernetes.io/pod-name']).toEqual(['p']);
    const wrongAud = await auth.createTokenReview({
      body: { spec: { token: 'sa-token', audiences: ['other'] } },
    });
    expect(wrongAud.status?.authenticated).toBe(false);
    const unknown = await auth.createTokenReview({ body: { spec: { token: 'nope' } } });
    expect(unknown.status?.authenticated).toBe(false);
  });

  describeWithPrograms('kubectl against the double', [KUBECTL], (programs) => {
    it('kubectl --server lists and gets', async () => {
      const kubectl = programPath(programs, KUBECTL);
      await custom.createNamespacedCustomObject({
        ...G,
        namespace: 'mesh-test',
        plural: 'virtualnodes',
        body: vn('vnode-1'),
      });
      const run = promisify(execFile);
      const list = await run(kubectl, ['--server', d.url, 'get', 'virtualnodes', '-n', 'mesh-test']);
      expect(list.stdout).toMatch(/^NAME\s+AGE\nvnode-1\s/);
      const one = await run(kubectl, [
        '--server',
        d.url,
        'get',
        'virtualnode',
        'vnode-1',
        '-n',
        'mesh-test',
        '-o',
        'jsonpath={.metadata.generation}',
      ]);
      expect(one.stdout).toBe('1');
    });
  });
});

describe('API-server test double admission', () => {
  let hook: Server;
  let seen: Array<{ operation: string; kind: { kind: string }; object: { metadata: { uid?: string } } }>;

  beforeEach(async () => {
    const cert = await makeTestCertificate();
    seen = [];
    hook = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const review = JSON.parse(body) as {
          request: (typeof seen)[number] & { uid: string; object: { metadata: { name: string } } };
        };
        seen.push(review.request);
        const deny = req.url === '/validate' && review.request.object.metadata.name === 'bad';
        const patch =
          req.url === '/mutate'
            ? Buffer.from(
                JSON.stringify([{ op: 'add', path: '/metadata/labels', value: { mutated: 'yes' } }]),
              ).toString('base64')
            : undefined;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            apiVersion: 'admission.k8s.io/v1',
            kind: 'AdmissionReview',
            response: {
              uid: review.request.uid,
              allowed: !deny,
              ...(deny ? { status: { code: 403, message: 'no bad names' } } : {}),
              ...(patch ? { patchType: 'JSONPatch', patch } : {}),
            },
          }),
        );
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const base = `https://127.0.0.1:${(hook.address() as AddressInfo).port}`;
    const rules = [
      {
        apiGroups: ['appmesh.k8s.aws'],
        apiVersions: ['v1beta2'],
        operations: ['CREATE', 'UPDATE'],
        resources: ['virtualnodes'],
      },
    ];
    d.configureWebhooks([
      {
        kind: 'MutatingWebhookConfiguration',
        webhooks: [
          { name: 'm.test', clientConfig: { url: `${base}/mutate`, caBundle: cert.caBundle }, rules },
        ],
      },
      {
        kind: 'ValidatingWebhookConfiguration',
        webhooks: [
          { name: 'v.test', clientConfig: { url: `${base}/validate`, caBundle: cert.caBundle }, rules },
        ],
      },
    ]);
  });
  afterEach(async () => {
    await new Promise<void>((r) => hook.close(() => r()));
  });

  it('calls mutating then validating webhooks with AdmissionReview v1 and honours patches and denials', async () => {
    const o = (await custom.createNamespacedCustomObject({
      ...G,
      namespace: 'mesh-test',
      plural: 'virtualnodes',
      body: vn('good'),
    })) as { metadata: { labels: unknown } };
    expect(o.metadata.labels).toEqual({ mutated: 'yes' });
    expect(
      seen.map((r) => `${r.operation} ${r.kind.kind} ${r.object.metadata.uid ? 'uid' : 'no-uid'}`),
    ).toEqual(['CREATE VirtualNode no-uid', 'CREATE VirtualNode uid']);
    const denied = await failure(
      custom.createNamespacedCustomObject({
        ...G,
        namespace: 'mesh-test',
        plural: 'virtualnodes',
        body: vn('bad'),
      }),
    );
    expect(denied.code).toBe(403);
    expect(denied.body.message).toBe('admission webhook "v.test" denied the request: no bad names');
    // Status writes are a subresource: the rules above do not cover them.
    seen = [];
    await custom.patchNamespacedCustomObjectStatus(
      { ...G, namespace: 'mesh-test', plural: 'virtualnodes', name: 'good', body: { status: { a: 1 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(seen).toEqual([]);
  });

  it('fails closed when a webhook is unreachable', async () => {
    await new Promise<void>((r) => hook.close(() => r()));
    hook = createServer();
    const err = await failure(
      custom.createNamespacedCustomObject({
        ...G,
        namespace: 'mesh-test',
        plural: 'virtualnodes',
        body: vn('x'),
      }),
    );
    expect(err.code).toBe(500);
    expect(err.body.message).toContain('failed calling webhook "m.test"');
  });
});

describe('API-server test double: Secrets and stored webhook configurations', () => {
  const secrets = '/api/v1/namespaces/mesh-test/secrets';
  const mutating = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
  let admin: RestKubeClient;
  let hook: Server | undefined;
  beforeEach(() => {
    admin = new RestKubeClient(d.kubeConfig());
  });
  afterEach(async () => {
    if (hook) await new Promise<void>((r) => hook!.close(() => r()));
    hook = undefined;
  });
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      if (e instanceof KubeApiError) return { code: e.code, message: e.message };
      throw e;
    }
    throw new Error('expected a refusal');
  };

  it('validates Secrets as kube-apiserver does: base64 data, the keys of kubernetes.io/tls, an immutable type', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    expect(
      await refusal(
        admin.create(secrets, {
          metadata: { name: 'x' },
          type: 'kubernetes.io/tls',
          data: { 'tls.crt': b64('c') },
        }),
      ),
    ).toEqual({
      code: 422,
      message: 'Secret "x" is invalid: data[tls.key]: Required value',
    });
    expect(
      (await refusal(admin.create(secrets, { metadata: { name: 'x' }, data: { a: 'not base64!' } }))).code,
    ).toBe(400);
    const made = await admin.create<{
      type: string;
      data: Record<string, string>;
      metadata: { resourceVersion: string };
    }>(secrets, { metadata: { name: 'x' }, stringData: { a: 'plain' } });
    expect(made.type).toBe('Opaque');
    expect(made.data).toEqual({ a: b64('plain') });
    expect(made).not.toHaveProperty('stringData');
    expect(
      await refusal(
        admin.replace(`${secrets}/x`, {
          ...made,
          type: 'kubernetes.io/tls',
          data: { 'tls.crt': b64('c'), 'tls.key': b64('k') },
        }),
      ),
    ).toEqual({
      code: 422,
      message: 'Secret "x" is invalid: type: Invalid value: "kubernetes.io/tls": field is immutable',
    });
  });

  it('calls stored webhook configurations, dialling <service>.<namespace>.svc and trusting only caBundle', async () => {
    const serveHook = async (hosts: string[]) => {
      const cert = await makeTestCertificate(hosts);
      hook = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          const uid = (JSON.parse(body) as { request: { uid: string } }).request.uid;
          const patch = Buffer.from(
            JSON.stringify([{ op: 'add', path: '/metadata/labels', value: { hooked: 'yes' } }]),
          ).toString('base64');
          res.setHeader('content-type', 'application/json');
          res.end(
            JSON.stringify({
              apiVersion: 'admission.k8s.io/v1',
              kind: 'AdmissionReview',
              response: { uid, allowed: true, patchType: 'JSONPatch', patch },
            }),
          );
        });
      });
      await new Promise<void>((r) => hook!.listen(0, '127.0.0.1', r));
      d.setServiceEndpoint('hooks', 'hook', `https://127.0.0.1:${(hook.address() as AddressInfo).port}`);
      return cert;
    };
    const config = (caBundle: string) => ({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'hooks' },
      webhooks: [
        {
          name: 'm.hooks',
          clientConfig: { service: { namespace: 'hooks', name: 'hook', path: '/mutate' }, caBundle },
          rules: [
            {
              apiGroups: ['appmesh.k8s.aws'],
              apiVersions: ['v1beta2'],
              operations: ['CREATE'],
              resources: ['virtualnodes'],
            },
          ],
          failurePolicy: 'Fail',
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
        },
      ],
    });
    const create = (name: string) =>
      admin.create<{ metadata: { labels?: Record<string, string> } }>(
        '/apis/appmesh.k8s.aws/v1beta2/namespaces/mesh-test/virtualnodes',
        vn(name),
      );

    expect((await refusal(admin.create(mutating, config('%%%')))).code).toBe(400);
    // A certificate for the address but not for the Service's name is refused, as a real API server refuses it.
    const wrong = await serveHook(['127.0.0.1', 'localhost']);
    await admin.create(mutating, config(wrong.caBundle));
    const refused = await refusal(create('a'));
    expect(refused.code).toBe(500);
    expect(refused.message).toContain('failed calling webhook "m.hooks"');
    await new Promise<void>((r) => hook!.close(() => r()));

    const right = await serveHook(['hook.hooks.svc']);
    expect((await refusal(create('b'))).code).toBe(500); // still the old caBundle
    await admin.patch(`${mutating}/hooks`, 'json', [
      { op: 'replace', path: '/webhooks/0/clientConfig/caBundle', value: right.caBundle },
    ]);
    expect((await create('c')).metadata.labels).toEqual({ hooked: 'yes' });
    await admin.delete(`${mutating}/hooks`);
    expect((await create('d')).metadata.labels).toBeUndefined();
  });
});
