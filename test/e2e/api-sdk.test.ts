/**
 * Black box: @aws-sdk/client-app-mesh (pinned 3.1048.0) against the App Mesh API on
 * loopback, with `instanceof` checks on the SDK's error classes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AppMeshClient,
  AppMeshServiceException,
  BadRequestException,
  ConflictException,
  CreateGatewayRouteCommand,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualGatewayCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  DeleteMeshCommand,
  DeleteRouteCommand,
  DeleteVirtualNodeCommand,
  DeleteVirtualRouterCommand,
  DescribeMeshCommand,
  DescribeRouteCommand,
  DescribeVirtualNodeCommand,
  ForbiddenException,
  LimitExceededException,
  ListMeshesCommand,
  ListTagsForResourceCommand,
  NotFoundException,
  ResourceInUseException,
  TagResourceCommand,
  TooManyRequestsException,
  TooManyTagsException,
  UpdateRouteCommand,
  UpdateVirtualNodeCommand,
  paginateListVirtualNodes,
} from '@aws-sdk/client-app-mesh';
import { startApiServer, type RunningApi } from './support/api-server.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummysecret' };
const http80 = { portMapping: { port: 80, protocol: 'http' as const } };

function client(
  url: string,
  options: { secret?: string; accessKeyId?: string; maxAttempts?: number } = {},
): AppMeshClient {
  return new AppMeshClient({
    endpoint: url,
    region: 'us-west-2',
    credentials: {
      accessKeyId: options.accessKeyId ?? credentials.accessKeyId,
      secretAccessKey: options.secret ?? credentials.secretAccessKey,
    },
    maxAttempts: options.maxAttempts ?? 1,
  });
}

async function rejection(p: Promise<unknown>): Promise<AppMeshServiceException> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppMeshServiceException);
    return err as AppMeshServiceException;
  }
  throw new Error('expected the call to fail');
}

describe('@aws-sdk/client-app-mesh against the App Mesh API', () => {
  let api: RunningApi;
  let sdk: AppMeshClient;
  beforeAll(async () => {
    api = await startApiServer({ accountId: '111122223333', credentials: [credentials] });
    sdk = client(api.url);
  });
  afterAll(async () => {
    sdk?.destroy();
    await api?.close();
  });

  it('builds the seed mesh and reads it back as typed output', async () => {
    const mesh = await sdk.send(
      new CreateMeshCommand({ meshName: 'mesh-1', spec: { egressFilter: { type: 'ALLOW_ALL' } } }),
    );
    expect(mesh.mesh?.metadata?.createdAt).toBeInstanceOf(Date);
    expect(mesh.mesh?.metadata).toMatchObject({
      version: 1,
      meshOwner: '111122223333',
      arn: 'arn:aws:appmesh:us-west-2:111122223333:mesh/mesh-1',
    });
    for (const n of ['vnode-1_mesh-test', 'vnode-2_mesh-test']) {
      await sdk.send(
        new CreateVirtualNodeCommand({
          meshName: 'mesh-1',
          virtualNodeName: n,
          spec: {
            listeners: [http80],
            serviceDiscovery: { dns: { hostname: `${n}.local`, ipPreference: 'IPv6_PREFERRED' } },
          },
        }),
      );
    }
    await sdk.send(
      new CreateVirtualNodeCommand({
        meshName: 'mesh-1',
        virtualNodeName: 'vnode-x_mesh-test',
        spec: { backends: [{ virtualService: { virtualServiceName: 'svc-v.mesh-test' } }] },
      }),
    );
    await sdk.send(
      new CreateVirtualRouterCommand({
        meshName: 'mesh-1',
        virtualRouterName: 'vrouter-1_mesh-test',
        spec: { listeners: [http80] },
      }),
    );
    const targets = [
      { virtualNode: 'vnode-1_mesh-test', weight: 1 },
      { virtualNode: 'vnode-2_mesh-test', weight: 1 },
    ];
    await sdk.send(
      new CreateRouteCommand({
        meshName: 'mesh-1',
        virtualRouterName: 'vrouter-1_mesh-test',
        routeName: 'route-1',
        spec: { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: targets } } },
      }),
    );
    await sdk.send(
      new CreateVirtualServiceCommand({
        meshName: 'mesh-1',
        virtualServiceName: 'svc-v.mesh-test',
        spec: { provider: { virtualRouter: { virtualRouterName: 'vrouter-1_mesh-test' } } },
      }),
    );
    await sdk.send(
      new CreateVirtualGatewayCommand({
        meshName: 'mesh-1',
        virtualGatewayName: 'gateway-v_mesh-test',
        spec: { listeners: [{ portMapping: { port: 8088, protocol: 'http' } }] },
      }),
    );
    const gr = await sdk.send(
      new CreateGatewayRouteCommand({
        meshName: 'mesh-1',
        virtualGatewayName: 'gateway-v_mesh-test',
        gatewayRouteName: 'gateway-v-route-v_mesh-test',
        spec: {
          httpRoute: {
            match: { prefix: '/' },
            action: { target: { virtualService: { virtualServiceName: 'svc-v.mesh-test' } } },
          },
        },
      }),
    );
    expect(gr.gatewayRoute?.status?.status).toBe('ACTIVE');

    const vn = await sdk.send(
      new DescribeVirtualNodeCommand({ meshName: 'mesh-1', virtualNodeName: 'vnode-1_mesh-test' }),
    );
    expect(vn.virtualNode?.spec?.serviceDiscovery?.dns?.ipPreference).toBe('IPv6_PREFERRED');
    const names: string[] = [];
    for await (const page of paginateListVirtualNodes({ client: sdk, pageSize: 1 }, { meshName: 'mesh-1' })) {
      expect(page.virtualNodes?.length).toBeLessThanOrEqual(1);
      names.push(...(page.virtualNodes ?? []).map((v) => v.virtualNodeName ?? ''));
    }
    expect(names).toEqual(['vnode-1_mesh-test', 'vnode-2_mesh-test', 'vnode-x_mesh-test']);

    const updated = await sdk.send(
      new UpdateRouteCommand({
        meshName: 'mesh-1',
        virtualRouterName: 'vrouter-1_mesh-test',
        routeName: 'route-1',
        spec: {
          httpRoute: {
            match: { prefix: '/' },
            action: { weightedTargets: [{ virtualNode: 'vnode-1_mesh-test', weight: 100 }] },
          },
        },
      }),
    );
    expect(updated.route?.metadata?.version).toBe(2);
    const route = await sdk.send(
      new DescribeRouteCommand({
        meshName: 'mesh-1',
        virtualRouterName: 'vrouter-1_mesh-test',
        routeName: 'route-1',
      }),
    );
    expect(route.route?.spec?.httpRoute?.action?.weightedTargets).toEqual([
      { virtualNode: 'vnode-1_mesh-test', weight: 100 },
    ]);
  });

  it('raises each App Mesh error as its SDK class', async () => {
    const nf = await rejection(sdk.send(new DescribeMeshCommand({ meshName: 'missing' })));
    expect(nf).toBeInstanceOf(NotFoundException);
    expect(nf.$metadata.httpStatusCode).toBe(404);
    expect(nf.message).toBe('Mesh with name missing is not present for account 111122223333.');

    expect(await rejection(sdk.send(new CreateMeshCommand({ meshName: 'mesh-1' })))).toBeInstanceOf(
      ConflictException,
    );
    await sdk.send(new CreateMeshCommand({ meshName: 'tok', clientToken: 'same' }));
    const again = await sdk.send(new CreateMeshCommand({ meshName: 'tok', clientToken: 'same' }));
    expect(again.mesh?.metadata?.version).toBe(1);
    expect(
      await rejection(
        sdk.send(
          new CreateMeshCommand({
            meshName: 'tok',
            clientToken: 'same',
            spec: { egressFilter: { type: 'ALLOW_ALL' } },
          }),
        ),
      ),
    ).toBeInstanceOf(ConflictException);

    const bad = await rejection(
      sdk.send(
        new UpdateVirtualNodeCommand({
          meshName: 'mesh-1',
          virtualNodeName: 'vnode-x_mesh-test',
          spec: { listeners: [{ portMapping: { port: 0, protocol: 'http' } }] },
        }),
      ),
    );
    expect(bad).toBeInstanceOf(BadRequestException);
    expect(bad.message).toContain('VirtualNode vnode-x_mesh-test: spec.listeners[0].portMapping.port');

    const inUse = await rejection(
      sdk.send(new DeleteVirtualNodeCommand({ meshName: 'mesh-1', virtualNodeName: 'vnode-1_mesh-test' })),
    );
    expect(inUse).toBeInstanceOf(ResourceInUseException);
    expect(inUse.$metadata.httpStatusCode).toBe(409);
    expect(
      await rejection(
        sdk.send(
          new DeleteVirtualRouterCommand({ meshName: 'mesh-1', virtualRouterName: 'vrouter-1_mesh-test' }),
        ),
      ),
    ).toBeInstanceOf(ResourceInUseException);
    expect(await rejection(sdk.send(new DeleteMeshCommand({ meshName: 'mesh-1' })))).toBeInstanceOf(
      ResourceInUseException,
    );

    // Default quotas: 15 meshes per account (mesh-1 and tok exist).
    for (let i = 3; i <= 15; i++) await sdk.send(new CreateMeshCommand({ meshName: `extra-${i}` }));
    const limit = await rejection(sdk.send(new CreateMeshCommand({ meshName: 'sixteenth' })));
    expect(limit).toBeInstanceOf(LimitExceededException);
    expect(limit.$metadata.httpStatusCode).toBe(400);

    expect(
      await rejection(sdk.send(new DescribeMeshCommand({ meshName: 'mesh-1', meshOwner: '999999999999' }))),
    ).toBeInstanceOf(ForbiddenException);

    const arn = 'arn:aws:appmesh:us-west-2:111122223333:mesh/mesh-1';
    await sdk.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'a', value: '1' }] }));
    expect((await sdk.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([
      { key: 'a', value: '1' },
    ]);
    const tooMany = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(
      await rejection(sdk.send(new TagResourceCommand({ resourceArn: arn, tags: tooMany }))),
    ).toBeInstanceOf(TooManyTagsException);

    await sdk.send(
      new DeleteRouteCommand({
        meshName: 'mesh-1',
        virtualRouterName: 'vrouter-1_mesh-test',
        routeName: 'route-1',
      }),
    );
    expect(
      (await sdk
        .send(
          new DeleteVirtualRouterCommand({ meshName: 'mesh-1', virtualRouterName: 'vrouter-1_mesh-test' }),
        )
        .catch((e: unknown) => e)) as object,
    ).toBeInstanceOf(ResourceInUseException);
  });

  it('TooManyRequestsException past the rate limit', async () => {
    const slow = await startApiServer({ rateLimit: { ratePerSecond: 0.01, burst: 1 } });
    const c = client(slow.url);
    try {
      await c.send(new ListMeshesCommand({}));
      const err = await rejection(c.send(new ListMeshesCommand({})));
      expect(err).toBeInstanceOf(TooManyRequestsException);
      expect(err.$metadata.httpStatusCode).toBe(429);
    } finally {
      c.destroy();
      await slow.close();
    }
  });

  it('SigV4: a valid SDK signature is accepted; a wrong secret and an unknown key are refused with the AWS errors', async () => {
    expect((await sdk.send(new ListMeshesCommand({ limit: 1 }))).meshes).toHaveLength(1);
    const wrong = client(api.url, { secret: 'nope' });
    const unknown = client(api.url, { accessKeyId: 'AKIDUNKNOWN' });
    try {
      const e1 = await rejection(wrong.send(new ListMeshesCommand({})));
      expect(e1.name).toBe('InvalidSignatureException');
      expect(e1.$metadata.httpStatusCode).toBe(403);
      const e2 = await rejection(unknown.send(new ListMeshesCommand({})));
      expect(e2.name).toBe('UnrecognizedClientException');
      expect(e2.message).toBe('The security token included in the request is invalid.');
    } finally {
      wrong.destroy();
      unknown.destroy();
    }
    const unsigned = await fetch(`${api.url}/v20190125/meshes`);
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await unsigned.json()).toEqual({ message: 'Missing Authentication Token' });
  });
});
