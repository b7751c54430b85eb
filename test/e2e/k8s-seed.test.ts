/**
 * The seed blog replayed against the API-server test double, part by part in the
 * order the blog applies it, with Amime's controller and (where stated) its HTTPS
 * admission webhooks registered as deploy/kubernetes declares them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { Kind } from '../../src/model/index.js';
import type { KubeObject } from '../../src/k8s/objects.js';
import { readManifests } from '../k8s-double/apply.js';
import { Harness, pick } from '../k8s-double/harness.js';
import { KUBECTL, describeWithPrograms, programPath } from '../support/system-programs.js';

const AS_WRITTEN = 'src/k8s/testdata/seed-as-written';
const NO_MESH = 'failed to find matching mesh for namespace: mesh-test, expecting 1 but found 0';

type Ref = readonly [Kind, string | undefined, string];
const ALL: Ref[] = [
  ['Mesh', undefined, 'mesh-1'],
  ['VirtualNode', 'mesh-test', 'vnode-1'],
  ['VirtualNode', 'mesh-test', 'vnode-2'],
  ['VirtualNode', 'mesh-test', 'vnode-x'],
  ['VirtualRouter', 'mesh-test', 'vrouter-1'],
  ['VirtualService', 'mesh-test', 'svc-v'],
  ['VirtualGateway', 'mesh-test', 'gateway-v'],
  ['GatewayRoute', 'mesh-test', 'gateway-v-route-v'],
];
const AS_WRITTEN_NAMESPACED = ALL.filter(([k, , n]) => k !== 'Mesh' && n !== 'vnode-2');

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function conditions(
  harness: Harness,
  refs: ReadonlyArray<Ref>,
): Promise<Record<string, { status?: string; reason?: string; message?: string }>> {
  const out: Record<string, { status?: string; reason?: string; message?: string }> = {};
  for (const [kind, ns, name] of refs) {
    const c = (await harness.status(kind, ns, name))?.conditions?.[0];
    out[name] = {
      status: c?.status,
      ...(c?.reason ? { reason: c.reason } : {}),
      ...(c?.message ? { message: c.message } : {}),
    };
  }
  return out;
}

async function allActive(harness: Harness, refs: ReadonlyArray<Ref>): Promise<void> {
  await harness.eventually(async () => {
    const c = await conditions(harness, refs);
    expect(Object.fromEntries(Object.entries(c).map(([n, v]) => [n, v.status]))).toEqual(
      Object.fromEntries(refs.map(([, , n]) => [n, 'True'])),
    );
  });
}

async function asWritten(): Promise<KubeObject[][]> {
  return Promise.all(
    ['01-mesh-and-vnode.yaml', '02-router-and-service.yaml', '03-gateway.yaml'].map((f) =>
      readManifests(`${AS_WRITTEN}/${f}`),
    ),
  );
}

/*
 * "Fixing the label": the blog's Mesh selects mesh=sitateru-mesh while the namespace
 * (and the VirtualGateway's namespaceSelector) say mesh=mesh-1. Relabelling the
 * namespace would make the gateway stop selecting it, so the one fix that lines all
 * three up is the Mesh's selector, as examples/seed (complete/) has it.
 */
const fixLabels = (harness: Harness) =>
  harness.client.patch('/apis/appmesh.k8s.aws/v1beta2/meshes/mesh-1', 'merge', {
    spec: { namespaceSelector: { matchLabels: { mesh: 'mesh-1' } } },
  });

function withFixedLabels(part: KubeObject[]): KubeObject[] {
  return part.map((o) =>
    o.kind === 'Mesh'
      ? ({
          ...o,
          spec: {
            ...(o as unknown as { spec: object }).spec,
            namespaceSelector: { matchLabels: { mesh: 'mesh-1' } },
          },
        } as KubeObject)
      : o,
  );
}

describe('the complete seed mesh, in the blog’s three parts, through the admission webhooks', () => {
  it('ends with every resource <Kind>Active=True and every workload pod injected', async () => {
    h = await Harness.start({ webhooks: true });
    const objects = [
      ...(await readManifests('examples/seed/mesh.yaml')),
      ...(await readManifests('examples/seed/workloads.yaml')),
    ];
    const parts = [
      ['Mesh/mesh-1', 'Namespace/mesh-test', 'Deployment/nginx-1', 'Service/svc-1', 'VirtualNode/vnode-1'],
      [
        'VirtualNode/vnode-2',
        'Deployment/nginx-2',
        'Service/svc-2',
        'VirtualRouter/vrouter-1',
        'Service/svc-v',
        'VirtualService/svc-v',
        'VirtualNode/vnode-x',
        'Deployment/client',
      ],
      [
        'VirtualGateway/gateway-v',
        'GatewayRoute/gateway-v-route-v',
        'Deployment/gateway-v',
        'Service/gateway-v',
      ],
    ];
    // Part 1 creates nginx-1 before vnode-1, so its first pod is refused, as under App Mesh; the ReplicaSet retries.
    expect(await h.applyAll(pick(objects, parts[0]!))).toEqual(new Map());
    expect(h.refusalLog[0]).toMatchObject({ pod: 'mesh-test/nginx-1-0' });
    expect(h.refusalLog[0]?.message).toMatch(
      /^admission webhook "mpod.appmesh.k8s.aws" denied the request: sidecarInject enabled but no matching VirtualNode or VirtualGateway found/,
    );
    expect(h.pendingPods).toEqual([]);
    for (const part of parts.slice(1)) expect(await h.applyAll(pick(objects, part))).toEqual(new Map());
    await allActive(h, ALL);

    const vn = await h.client.get<{ spec: Record<string, unknown> }>(
      '/apis/appmesh.k8s.aws/v1beta2/namespaces/mesh-test/virtualnodes/vnode-1',
    );
    const mesh = await h.client.get<KubeObject>('/apis/appmesh.k8s.aws/v1beta2/meshes/mesh-1');
    expect(vn.spec).toMatchObject({
      awsName: 'vnode-1_mesh-test',
      meshRef: { name: 'mesh-1', uid: mesh.metadata.uid },
    });
    const gr = await h.client.get<{ spec: Record<string, unknown> }>(
      '/apis/appmesh.k8s.aws/v1beta2/namespaces/mesh-test/gatewayroutes/gateway-v-route-v',
    );
    expect(gr.spec.virtualGatewayRef).toMatchObject({ name: 'gateway-v', namespace: 'mesh-test' });
    expect((await h.status('GatewayRoute', 'mesh-test', 'gateway-v-route-v'))?.gatewayRouteARN).toBe(
      'arn:aws:appmesh:ap-northeast-1:123456780000:mesh/mesh-1/virtualGateway/gateway-v_mesh-test/gatewayRoute/gateway-v-route-v_mesh-test',
    );

    for (const [pod, node] of [
      ['nginx-1-0', 'virtualNode/vnode-1_mesh-test'],
      ['nginx-2-0', 'virtualNode/vnode-2_mesh-test'],
      ['client-0', 'virtualNode/vnode-x_mesh-test'],
    ] as const) {
      const p = await h.pod('mesh-test', pod);
      expect(p.spec?.initContainers?.map((c) => c.name)).toEqual(['proxyinit']);
      const envoy = p.spec?.containers.find((c) => c.name === 'envoy');
      expect(envoy?.env?.find((e) => e.name === 'APPMESH_RESOURCE_ARN')?.value).toBe(`mesh/mesh-1/${node}`);
    }
    const gw = await h.pod('mesh-test', 'gateway-v-0');
    expect(gw.spec?.initContainers).toBeUndefined();
    expect(gw.spec?.containers.map((c) => c.name)).toEqual(['gateway']);
    expect(gw.spec?.containers[0]?.env?.find((e) => e.name === 'APPMESH_VIRTUAL_NODE_NAME')?.value).toBe(
      'mesh/mesh-1/virtualGateway/gateway-v_mesh-test',
    );
  });
});

describe('the seed as written', () => {
  it('through the admission webhooks: every namespaced App Mesh resource is refused with the validator’s message', async () => {
    h = await Harness.start({ webhooks: true });
    const [p1, p2, p3] = await asWritten();
    const refused = new Map<string, string>();
    for (const part of [p1!, p2!, p3!]) for (const [k, v] of await h.applyAll(part)) refused.set(k, v);
    expect([...refused.keys()].sort()).toEqual(
      AS_WRITTEN_NAMESPACED.map(([k, ns, n]) => `${k} ${ns}/${n}`).sort(),
    );
    for (const [key, message] of refused) {
      const kind = key.split(' ')[0]!.toLowerCase();
      expect(message).toMatch(
        new RegExp(`^admission webhook "m${kind}.appmesh.k8s.aws" denied the request: `),
      );
      expect(message).toContain(
        'no Mesh selects namespace mesh-test: Mesh mesh-1 selects mesh=sitateru-mesh, but the namespace has mesh=mesh-1',
      );
      expect(message).toContain(NO_MESH);
    }
    // The Mesh itself is fine.
    await allActive(h, [ALL[0]!]);
    // Pods cannot join a mesh that has no nodes for them.
    expect(h.refusals.get('mesh-test/nginx-1-0')).toMatch(
      /sidecarInject enabled but no matching VirtualNode or VirtualGateway found/,
    );

    // Fix the label mismatch and re-apply: accepted; vrouter-1 waits for vnode-2, and so does what depends on it.
    for (const part of [p1!, p2!, p3!]) expect(await h.applyAll(withFixedLabels(part))).toEqual(new Map());
    await h.eventually(async () => {
      const c = await conditions(h!, AS_WRITTEN_NAMESPACED);
      expect(c['vrouter-1']).toMatchObject({ status: 'False', reason: 'ValidationFailed' });
      expect(c['vnode-1']?.status).toBe('True');
    });
    await h.applyAll(pick(await readManifests('examples/seed/mesh.yaml'), ['VirtualNode/vnode-2']));
    await allActive(h, ALL);
    expect(h.pendingPods).toEqual([]);
  });

  it('stored without the webhooks: Active=False with that message; fixing the labels turns them True except vrouter-1 and its dependants, until vnode-2 exists', async () => {
    h = await Harness.start({ webhooks: false });
    const [p1, p2, p3] = await asWritten();
    for (const part of [p1!, p2!, p3!]) expect(await h.applyAll(part)).toEqual(new Map());
    await h.eventually(async () => {
      const c = await conditions(h!, AS_WRITTEN_NAMESPACED);
      for (const [, , name] of AS_WRITTEN_NAMESPACED) {
        expect(c[name]).toMatchObject({ status: 'False', reason: 'MeshNotFound' });
        expect(c[name]?.message).toContain(NO_MESH);
      }
    });
    await allActive(h, [ALL[0]!]);

    await fixLabels(h);
    await h.eventually(async () => {
      const c = await conditions(h!, AS_WRITTEN_NAMESPACED);
      expect(c).toMatchObject({
        'vnode-1': { status: 'True' },
        'vnode-x': { status: 'True' },
        'gateway-v': { status: 'True' },
        'vrouter-1': {
          status: 'False',
          reason: 'ValidationFailed',
          message:
            'spec.routes[0].httpRoute.action.weightedTargets[1].virtualNodeRef: route route-1 targets VirtualNode mesh-test/vnode-2, which does not exist',
        },
        'svc-v': { status: 'False', reason: 'DependencyNotActive' },
        'gateway-v-route-v': { status: 'False', reason: 'DependencyNotActive' },
      });
      // Each says what it waits for, down to the missing vnode-2.
      expect(c['svc-v']?.message).toMatch(
        /VirtualRouter mesh-test\/vrouter-1, which is not active.*VirtualNode mesh-test\/vnode-2, which does not exist/,
      );
      expect(c['gateway-v-route-v']?.message).toMatch(
        /VirtualService mesh-test\/svc-v, which is not active.*vnode-2, which does not exist/,
      );
    });

    await h.applyAll(pick(await readManifests('examples/seed/mesh.yaml'), ['VirtualNode/vnode-2']));
    await allActive(h, ALL);
  });
});

describeWithPrograms(
  'kubectl apply of the seed as written, against the double with Amime’s webhooks',
  [KUBECTL],
  (programs) => {
    it('prints what it created and App Mesh’s refusal for each namespaced App Mesh resource', async () => {
      const kubectl = programPath(programs, KUBECTL);
      h = await Harness.start({ webhooks: true });
      const run = promisify(execFile);
      const out: string[] = [];
      for (const f of ['01-mesh-and-vnode.yaml', '02-router-and-service.yaml', '03-gateway.yaml']) {
        try {
          await run(kubectl, [
            '--server',
            h.double.url,
            'apply',
            '--validate=false',
            '-f',
            `${AS_WRITTEN}/${f}`,
          ]);
          throw new Error(`${f}: kubectl apply should have failed`);
        } catch (e) {
          const { stdout, stderr } = e as { stdout?: string; stderr?: string };
          if (stdout === undefined) throw e;
          out.push(stdout, stderr ?? '');
        }
      }
      const text = out.join('');
      for (const created of [
        'mesh.appmesh.k8s.aws/mesh-1 created',
        'namespace/mesh-test created',
        'deployment.apps/nginx-1 created',
        'service/svc-1 created',
        'service/svc-v created',
        'deployment.apps/gateway-v created',
      ]) {
        expect(text).toContain(created);
      }
      const denials = text.split('\n').filter((l) => l.startsWith('Error from server (Forbidden)'));
      expect(denials).toHaveLength(AS_WRITTEN_NAMESPACED.length);
      for (const d of denials)
        expect(d).toMatch(
          /admission webhook "m[a-z]+\.appmesh\.k8s\.aws" denied the request: .*failed to find matching mesh for namespace: mesh-test, expecting 1 but found 0/,
        );
    });
  },
);
