/**
 * The CA e2e tests' mesh: the seed's mesh-1 plus mesh-2 with one node ("other"), both
 * with the mesh mTLS switch set through the REST API (`aws appmesh tag-resource`).
 */
import {
  AppMeshClient,
  CreateMeshCommand,
  CreateVirtualNodeCommand,
  TagResourceCommand,
} from '@aws-sdk/client-app-mesh';

export const OTHER_MESH_NODE = 'mesh/mesh-2/virtualNode/other';

export async function turnOnMeshMtls(apiUrl: string, mode = 'STRICT'): Promise<void> {
  const sdk = new AppMeshClient({
    endpoint: apiUrl,
    region: 'us-west-2',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummysecret' },
  });
  try {
    await sdk.send(new CreateMeshCommand({ meshName: 'mesh-2' }));
    await sdk.send(
      new CreateVirtualNodeCommand({
        meshName: 'mesh-2',
        virtualNodeName: 'other',
        spec: {
          listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
          serviceDiscovery: { dns: { hostname: 'other.mesh-2.local' } },
        },
      }),
    );
    for (const mesh of ['mesh-1', 'mesh-2'])
      await sdk.send(
        new TagResourceCommand({
          resourceArn: `arn:aws:appmesh:us-west-2:000000000000:mesh/${mesh}`,
          tags: [{ key: 'amime.io/mtls', value: mode }],
        }),
      );
  } finally {
    sdk.destroy();
  }
}
