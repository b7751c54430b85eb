/**
 * Black box: Debian's awscli v2 (/usr/bin/aws) against the App Mesh API on loopback.
 * Builds the seed's complete mesh (examples/seed/mesh.yaml) with the CLI,
 * using the App Mesh names the Kubernetes controller would give those objects.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { awsCli, startApiServer, type CliResult, type RunningApi } from './support/api-server.js';
import { AWS_CLI_V2, describeWithPrograms } from '../support/system-programs.js';

const http80 = { portMapping: { port: 80, protocol: 'http' } };
const j = (v: unknown) => JSON.stringify(v);

function expectError(r: CliResult, type: string, operation: string): void {
  expect(r.code, r.stderr).toBe(254);
  expect(r.stderr.trim()).toMatch(
    new RegExp(
      `^An error occurred \\(${type}\\) when calling the ${operation} operation( \\(reached max retries: \\d+\\))?: .+`,
    ),
  );
}

describeWithPrograms(
  'awscli v2 against the App Mesh API',
  [AWS_CLI_V2],
  () => {
    let api: RunningApi;
    const aws = (...args: string[]) => awsCli(api.url, args);

    beforeAll(async () => {
      api = await startApiServer({ accountId: '111122223333' });
    });
    afterAll(async () => api?.close());

    it('builds the seed mesh: mesh, 3 nodes, router, route, service, gateway, gateway route', async () => {
      const ok = async (...args: string[]) => {
        const r = await aws(...args);
        expect(r.code, r.stderr).toBe(0);
        return r.json as Record<string, Record<string, unknown>>;
      };
      const mesh = await ok(
        'create-mesh',
        '--mesh-name',
        'mesh-1',
        '--spec',
        j({ egressFilter: { type: 'ALLOW_ALL' } }),
      );
      expect(mesh.mesh).toMatchObject({
        meshName: 'mesh-1',
        status: { status: 'ACTIVE' },
        metadata: {
          version: 1,
          arn: 'arn:aws:appmesh:us-west-2:111122223333:mesh/mesh-1',
          meshOwner: '111122223333',
        },
      });
      expect(String((mesh.mesh!.metadata as { createdAt: string }).createdAt)).toMatch(/^\d{4}-\d\d-\d\dT/);
      for (const [name, host] of [
        ['vnode-1_mesh-test', 'svc-1'],
        ['vnode-2_mesh-test', 'svc-2'],
      ]) {
        await ok(
          'create-virtual-node',
          '--mesh-name',
          'mesh-1',
          '--virtual-node-name',
          name!,
          '--spec',
          j({
            listeners: [http80],
            serviceDiscovery: { dns: { hostname: `${host}.mesh-test.svc.cluster.local` } },
          }),
        );
      }
      await ok(
        'create-virtual-node',
        '--mesh-name',
        'mesh-1',
        '--virtual-node-name',
        'vnode-x_mesh-test',
        '--spec',
        j({ backends: [{ virtualService: { virtualServiceName: 'svc-v.mesh-test' } }] }),
      );
      await ok(
        'create-virtual-router',
        '--mesh-name',
        'mesh-1',
        '--virtual-router-name',
        'vrouter-1_mesh-test',
        '--spec',
        j({ listeners: [http80] }),
      );
      const route = await ok(
        'create-route',
        '--mesh-name',
        'mesh-1',
        '--virtual-router-name',
        'vrouter-1_mesh-test',
        '--route-name',
        'route-1',
        '--spec',
        j({
          httpRoute: {
            match: { prefix: '/' },
            action: {
              weightedTargets: [
                { virtualNode: 'vnode-1_mesh-test', weight: 1 },
                { virtualNode: 'vnode-2_mesh-test', weight: 1 },
              ],
            },
          },
        }),
      );
      expect(route.route).toMatchObject({
        routeName: 'route-1',
        virtualRouterName: 'vrouter-1_mesh-test',
        metadata: {
          arn: 'arn:aws:appmesh:us-west-2:111122223333:mesh/mesh-1/virtualRouter/vrouter-1_mesh-test/route/route-1',
        },
      });
      await ok(
        'create-virtual-service',
        '--mesh-name',
        'mesh-1',
        '--virtual-service-name',
        'svc-v.mesh-test',
        '--spec',
        j({ provider: { virtualRouter: { virtualRouterName: 'vrouter-1_mesh-test' } } }),
      );
      await ok(
        'create-virtual-gateway',
        '--mesh-name',
        'mesh-1',
        '--virtual-gateway-name',
        'gateway-v_mesh-test',
        '--spec',
        j({
          listeners: [
            {
              portMapping: { port: 8088, protocol: 'http' },
              connectionPool: { http: { maxConnections: 1024 } },
            },
          ],
          logging: { accessLog: { file: { path: '/dev/stdout' } } },
        }),
      );
      const gr = await ok(
        'create-gateway-route',
        '--mesh-name',
        'mesh-1',
        '--virtual-gateway-name',
        'gateway-v_mesh-test',
        '--gateway-route-name',
        'gateway-v-route-v_mesh-test',
        '--spec',
        j({
          httpRoute: {
            match: { prefix: '/' },
            action: { target: { virtualService: { virtualServiceName: 'svc-v.mesh-test' } } },
          },
        }),
      );
      expect(gr.gatewayRoute).toMatchObject({
        gatewayRouteName: 'gateway-v-route-v_mesh-test',
        virtualGatewayName: 'gateway-v_mesh-test',
      });
    });

    it('describes, lists with paging, and updates', async () => {
      const d = await aws(
        'describe-virtual-gateway',
        '--mesh-name',
        'mesh-1',
        '--virtual-gateway-name',
        'gateway-v_mesh-test',
      );
      expect(d.json?.virtualGateway).toMatchObject({
        spec: { listeners: [{ connectionPool: { http: { maxConnections: 1024 } } }] },
      });

      const all = await aws('list-virtual-nodes', '--mesh-name', 'mesh-1', '--page-size', '1');
      expect(
        (all.json?.virtualNodes as Array<{ virtualNodeName: string }>).map((n) => n.virtualNodeName),
      ).toEqual(['vnode-1_mesh-test', 'vnode-2_mesh-test', 'vnode-x_mesh-test']);
      const firstTwo = await aws(
        'list-virtual-nodes',
        '--mesh-name',
        'mesh-1',
        '--page-size',
        '1',
        '--max-items',
        '2',
      );
      expect(firstTwo.json?.virtualNodes).toHaveLength(2);
      const rest = await aws(
        'list-virtual-nodes',
        '--mesh-name',
        'mesh-1',
        '--starting-token',
        String(firstTwo.json?.NextToken),
      );
      expect(
        (rest.json?.virtualNodes as Array<{ virtualNodeName: string }>).map((n) => n.virtualNodeName),
      ).toEqual(['vnode-x_mesh-test']);
      const raw = await aws('list-virtual-nodes', '--mesh-name', 'mesh-1', '--limit', '1', '--no-paginate');
      expect(raw.json?.virtualNodes).toHaveLength(1);
      expect(typeof raw.json?.nextToken).toBe('string');
      expect(
        (await aws('list-routes', '--mesh-name', 'mesh-1', '--virtual-router-name', 'vrouter-1_mesh-test'))
          .json?.routes,
      ).toHaveLength(1);
      expect(
        (
          await aws(
            'list-gateway-routes',
            '--mesh-name',
            'mesh-1',
            '--virtual-gateway-name',
            'gateway-v_mesh-test',
          )
        ).json?.gatewayRoutes,
      ).toHaveLength(1);

      const up = await aws(
        'update-route',
        '--mesh-name',
        'mesh-1',
        '--virtual-router-name',
        'vrouter-1_mesh-test',
        '--route-name',
        'route-1',
        '--spec',
        j({
          httpRoute: {
            match: { prefix: '/' },
            action: {
              weightedTargets: [
                { virtualNode: 'vnode-1_mesh-test', weight: 90 },
                { virtualNode: 'vnode-2_mesh-test', weight: 10 },
              ],
            },
          },
        }),
      );
      expect(up.code, up.stderr).toBe(0);
      expect(up.json?.route).toMatchObject({
        metadata: { version: 2 },
        spec: { httpRoute: { action: { weightedTargets: [{ weight: 90 }, { weight: 10 }] } } },
      });
      const mesh = await aws(
        'update-mesh',
        '--mesh-name',
        'mesh-1',
        '--spec',
        j({ egressFilter: { type: 'DROP_ALL' } }),
      );
      expect(mesh.json?.mesh).toMatchObject({
        metadata: { version: 2 },
        spec: { egressFilter: { type: 'DROP_ALL' } },
      });

      const arn = 'arn:aws:appmesh:us-west-2:111122223333:mesh/mesh-1/virtualNode/vnode-x_mesh-test';
      expect(
        (await aws('tag-resource', '--resource-arn', arn, '--tags', 'key=team,value=payments')).code,
      ).toBe(0);
      expect((await aws('list-tags-for-resource', '--resource-arn', arn)).json).toEqual({
        tags: [{ key: 'team', value: 'payments' }],
      });
      expect((await aws('untag-resource', '--resource-arn', arn, '--tag-keys', 'team')).code).toBe(0);
    });

    it('shows each App Mesh error with its exception name', async () => {
      expectError(await aws('describe-mesh', '--mesh-name', 'missing'), 'NotFoundException', 'DescribeMesh');
      expect((await aws('describe-mesh', '--mesh-name', 'missing')).stderr.trim()).toBe(
        'An error occurred (NotFoundException) when calling the DescribeMesh operation: Mesh with name missing is not present for account 111122223333.',
      );
      expectError(await aws('create-mesh', '--mesh-name', 'mesh-1'), 'ConflictException', 'CreateMesh');
      expect((await aws('create-mesh', '--mesh-name', 'm-token', '--client-token', 'tok-1')).code).toBe(0);
      expect((await aws('create-mesh', '--mesh-name', 'm-token', '--client-token', 'tok-1')).code).toBe(0);
      expectError(
        await aws(
          'create-mesh',
          '--mesh-name',
          'm-token',
          '--client-token',
          'tok-1',
          '--spec',
          j({ egressFilter: { type: 'ALLOW_ALL' } }),
        ),
        'ConflictException',
        'CreateMesh',
      );

      expectError(
        await aws('delete-virtual-node', '--mesh-name', 'mesh-1', '--virtual-node-name', 'vnode-1_mesh-test'),
        'ResourceInUseException',
        'DeleteVirtualNode',
      );
      expectError(
        await aws(
          'delete-virtual-service',
          '--mesh-name',
          'mesh-1',
          '--virtual-service-name',
          'svc-v.mesh-test',
        ),
        'ResourceInUseException',
        'DeleteVirtualService',
      );
      expectError(
        await aws(
          'delete-virtual-gateway',
          '--mesh-name',
          'mesh-1',
          '--virtual-gateway-name',
          'gateway-v_mesh-test',
        ),
        'ResourceInUseException',
        'DeleteVirtualGateway',
      );
      expectError(await aws('delete-mesh', '--mesh-name', 'mesh-1'), 'ResourceInUseException', 'DeleteMesh');

      const bad = await aws(
        'create-route',
        '--mesh-name',
        'mesh-1',
        '--virtual-router-name',
        'vrouter-1_mesh-test',
        '--route-name',
        'r2',
        '--spec',
        j({
          httpRoute: {
            match: { prefix: '/x' },
            action: { weightedTargets: [{ virtualNode: 'ghost', weight: 1 }] },
          },
        }),
      );
      expectError(bad, 'BadRequestException', 'CreateRoute');
      expect(bad.stderr).toContain('ghost');
      const port = await aws(
        'create-virtual-node',
        '--mesh-name',
        'mesh-1',
        '--virtual-node-name',
        'p',
        '--spec',
        j({ listeners: [{ portMapping: { port: 70000, protocol: 'http' } }] }),
      );
      expectError(port, 'BadRequestException', 'CreateVirtualNode');
      expect(port.stderr).toContain('spec.listeners[0].portMapping.port');

      for (const g of ['g2', 'g3'])
        expect(
          (
            await aws(
              'create-virtual-gateway',
              '--mesh-name',
              'mesh-1',
              '--virtual-gateway-name',
              g,
              '--spec',
              j({ listeners: [http80] }),
            )
          ).code,
        ).toBe(0);
      expectError(
        await aws(
          'create-virtual-gateway',
          '--mesh-name',
          'mesh-1',
          '--virtual-gateway-name',
          'g4',
          '--spec',
          j({ listeners: [http80] }),
        ),
        'LimitExceededException',
        'CreateVirtualGateway',
      );
      expectError(
        await aws('list-virtual-nodes', '--mesh-name', 'mesh-1', '--mesh-owner', '999999999999'),
        'ForbiddenException',
        'ListVirtualNodes',
      );
    });

    it('TooManyRequestsException when a client goes over the rate limit', async () => {
      const slow = await startApiServer({ rateLimit: { ratePerSecond: 0.01, burst: 1 } });
      try {
        const once = { AWS_MAX_ATTEMPTS: '1' };
        expect((await awsCli(slow.url, ['list-meshes'], once)).code).toBe(0);
        const r = await awsCli(slow.url, ['list-meshes'], once);
        expectError(r, 'TooManyRequestsException', 'ListMeshes');
        expect(r.stderr).toContain('(reached max retries: 0)');
      } finally {
        await slow.close();
      }
    });

    it('deletes the mesh in dependency order; Delete returns the object with status DELETED', async () => {
      const steps: Array<[string[], string]> = [
        [
          [
            'delete-gateway-route',
            '--mesh-name',
            'mesh-1',
            '--virtual-gateway-name',
            'gateway-v_mesh-test',
            '--gateway-route-name',
            'gateway-v-route-v_mesh-test',
          ],
          'gatewayRoute',
        ],
        [
          [
            'delete-virtual-gateway',
            '--mesh-name',
            'mesh-1',
            '--virtual-gateway-name',
            'gateway-v_mesh-test',
          ],
          'virtualGateway',
        ],
        [
          ['delete-virtual-gateway', '--mesh-name', 'mesh-1', '--virtual-gateway-name', 'g2'],
          'virtualGateway',
        ],
        [
          ['delete-virtual-gateway', '--mesh-name', 'mesh-1', '--virtual-gateway-name', 'g3'],
          'virtualGateway',
        ],
        [
          ['delete-virtual-service', '--mesh-name', 'mesh-1', '--virtual-service-name', 'svc-v.mesh-test'],
          'virtualService',
        ],
        [
          [
            'delete-route',
            '--mesh-name',
            'mesh-1',
            '--virtual-router-name',
            'vrouter-1_mesh-test',
            '--route-name',
            'route-1',
          ],
          'route',
        ],
        [
          ['delete-virtual-router', '--mesh-name', 'mesh-1', '--virtual-router-name', 'vrouter-1_mesh-test'],
          'virtualRouter',
        ],
        [
          ['delete-virtual-node', '--mesh-name', 'mesh-1', '--virtual-node-name', 'vnode-1_mesh-test'],
          'virtualNode',
        ],
        [
          ['delete-virtual-node', '--mesh-name', 'mesh-1', '--virtual-node-name', 'vnode-2_mesh-test'],
          'virtualNode',
        ],
        [
          ['delete-virtual-node', '--mesh-name', 'mesh-1', '--virtual-node-name', 'vnode-x_mesh-test'],
          'virtualNode',
        ],
        [['delete-mesh', '--mesh-name', 'mesh-1'], 'mesh'],
      ];
      for (const [args, field] of steps) {
        const r = await aws(...args);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
        expect((r.json?.[field] as { status: { status: string } }).status.status).toBe('DELETED');
      }
      expectError(await aws('describe-mesh', '--mesh-name', 'mesh-1'), 'NotFoundException', 'DescribeMesh');
    });
  },
  { timeout: 180_000 },
);

describeWithPrograms(
  'awscli v2 and SigV4',
  [AWS_CLI_V2],
  () => {
    let api: RunningApi;
    beforeAll(async () => {
      api = await startApiServer({
        credentials: [{ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummysecret' }],
      });
    });
    afterAll(async () => api?.close());

    it('accepts a valid signature and rejects unsigned, wrongly signed and unknown-key requests', async () => {
      expect((await awsCli(api.url, ['create-mesh', '--mesh-name', 'signed'])).code).toBe(0);
      expect((await awsCli(api.url, ['list-meshes'])).json?.meshes).toHaveLength(1);
      expectError(
        await awsCli(api.url, ['list-meshes', '--no-sign-request']),
        'MissingAuthenticationTokenException',
        'ListMeshes',
      );
      const wrong = await awsCli(api.url, ['list-meshes'], { AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
      expectError(wrong, 'InvalidSignatureException', 'ListMeshes');
      expect(wrong.stderr).toContain(
        'The request signature we calculated does not match the signature you provided.',
      );
      expectError(
        await awsCli(api.url, ['describe-mesh', '--mesh-name', 'signed'], {
          AWS_ACCESS_KEY_ID: 'AKIDUNKNOWN',
        }),
        'UnrecognizedClientException',
        'DescribeMesh',
      );
    });
  },
  { timeout: 120_000 },
);
