/** Sets the seed's route-1 weights (vnode-1, vnode-2) through the REST API, as an operator would with the SDK. */
import { UpdateRouteCommand, type AppMeshClient } from '@aws-sdk/client-app-mesh';

export async function setSeedWeights(sdk: AppMeshClient, vnode1: number, vnode2: number): Promise<void> {
  await sdk.send(
    new UpdateRouteCommand({
      meshName: 'mesh-1',
      virtualRouterName: 'vrouter-1_mesh-test',
      routeName: 'route-1',
      spec: {
        httpRoute: {
          match: { prefix: '/' },
          action: {
            weightedTargets: [
              { virtualNode: 'vnode-1_mesh-test', weight: vnode1 },
              { virtualNode: 'vnode-2_mesh-test', weight: vnode2 },
            ],
          },
        },
      },
    }),
  );
}
