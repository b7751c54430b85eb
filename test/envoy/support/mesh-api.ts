/** The App Mesh API calls the data-path tests make, through the AWS SDK as a user's script would. */
import {
  AppMeshClient,
  CreateRouteCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  DescribeMeshCommand,
  DescribeRouteCommand,
  DescribeVirtualGatewayCommand,
  DescribeVirtualNodeCommand,
  UpdateMeshCommand,
  UpdateRouteCommand,
  UpdateVirtualGatewayCommand,
  UpdateVirtualNodeCommand,
  type RouteSpec,
  type VirtualGatewaySpec,
  type VirtualNodeSpec,
  type VirtualRouterSpec,
  type VirtualServiceSpec,
} from '@aws-sdk/client-app-mesh';

export class MeshApi {
  readonly client: AppMeshClient;

  constructor(
    apiUrl: string,
    readonly meshName: string,
  ) {
    this.client = new AppMeshClient({
      endpoint: apiUrl,
      region: 'us-west-2',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummysecret' },
      maxAttempts: 3,
    });
  }

  /** Describe, change, update: App Mesh replaces the whole spec. */
  async editVirtualNode(virtualNodeName: string, edit: (spec: VirtualNodeSpec) => void): Promise<void> {
    const { virtualNode } = await this.client.send(
      new DescribeVirtualNodeCommand({ meshName: this.meshName, virtualNodeName }),
    );
    const spec = structuredClone(virtualNode!.spec!);
    edit(spec);
    await this.client.send(new UpdateVirtualNodeCommand({ meshName: this.meshName, virtualNodeName, spec }));
  }

  async editVirtualGateway(
    virtualGatewayName: string,
    edit: (spec: VirtualGatewaySpec) => void,
  ): Promise<void> {
    const { virtualGateway } = await this.client.send(
      new DescribeVirtualGatewayCommand({ meshName: this.meshName, virtualGatewayName }),
    );
    const spec = structuredClone(virtualGateway!.spec!);
    edit(spec);
    await this.client.send(
      new UpdateVirtualGatewayCommand({ meshName: this.meshName, virtualGatewayName, spec }),
    );
  }

  async editRoute(
    virtualRouterName: string,
    routeName: string,
    edit: (spec: RouteSpec) => void,
  ): Promise<void> {
    const { route } = await this.client.send(
      new DescribeRouteCommand({ meshName: this.meshName, virtualRouterName, routeName }),
    );
    const spec = structuredClone(route!.spec!);
    edit(spec);
    await this.client.send(
      new UpdateRouteCommand({ meshName: this.meshName, virtualRouterName, routeName, spec }),
    );
  }

  async createRoute(virtualRouterName: string, routeName: string, spec: RouteSpec): Promise<void> {
    await this.client.send(
      new CreateRouteCommand({ meshName: this.meshName, virtualRouterName, routeName, spec }),
    );
  }

  async createVirtualRouter(virtualRouterName: string, spec: VirtualRouterSpec): Promise<void> {
    await this.client.send(
      new CreateVirtualRouterCommand({ meshName: this.meshName, virtualRouterName, spec }),
    );
  }

  async createVirtualService(virtualServiceName: string, spec: VirtualServiceSpec): Promise<void> {
    await this.client.send(
      new CreateVirtualServiceCommand({ meshName: this.meshName, virtualServiceName, spec }),
    );
  }

  async setEgressFilter(type: 'ALLOW_ALL' | 'DROP_ALL'): Promise<void> {
    const { mesh } = await this.client.send(new DescribeMeshCommand({ meshName: this.meshName }));
    await this.client.send(
      new UpdateMeshCommand({ meshName: this.meshName, spec: { ...mesh!.spec, egressFilter: { type } } }),
    );
  }

  close(): void {
    this.client.destroy();
  }
}
