/**
 * How long `amime import cloudformation` takes on a template with 2,000 App Mesh
 * resources (1 mesh, 700 virtual nodes, 700 virtual services, 200 routers with one
 * route each, 20 gateways, 179 gateway routes), written as people write templates:
 * short forms, names through !GetAtt, hostnames through !Sub, a parameter, a mapping
 * and a condition. Measures parsing, intrinsics, the API schema walk and check, and
 * writing the v1beta2 manifests, next to parsing the same text with the `yaml`
 * library alone (which the importer is built on) in the same run.
 * Target: under 2 s. Run: npm run bench:import
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseDocument } from 'yaml';
import { importCloudFormation } from '../src/import/cloudformation/import-template.js';
import { SHORT_FORMS } from '../src/import/cloudformation/template.js';
import { renderManifests, toManifests } from '../src/import/index.js';
import { best, once, type Timing } from './timing.js';

const NODES = 700;
const SERVICES = 700;
const ROUTERS = 200;
const GATEWAYS = 20;
const GATEWAY_ROUTES = 179;
const TOTAL = 1 + NODES + SERVICES + ROUTERS * 2 + GATEWAYS + GATEWAY_ROUTES;
const ROUNDS = 5;
const TARGET_MS = 2000;

function generate(): string {
  const out: string[] = [
    `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Domain:
    Type: String
    Default: big.local
  Env:
    Type: String
    Default: prod
Mappings:
  Pools:
    prod: { MaxConnections: 1024 }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Mesh:
    Type: AWS::AppMesh::Mesh
    Properties:
      MeshName: big
      Spec:
        EgressFilter:
          Type: DROP_ALL`,
  ];
  for (let i = 0; i < NODES; i++) {
    const backend = (i + 1) % SERVICES;
    out.push(`  Node${i}:
    Type: AWS::AppMesh::VirtualNode
    Properties:
      MeshName: !GetAtt Mesh.MeshName
      VirtualNodeName: node-${i}
      Spec:
        Listeners:
          - PortMapping:
              Port: 8080
              Protocol: http
            ConnectionPool:
              HTTP:
                MaxConnections: !FindInMap [Pools, !Ref Env, MaxConnections]
            HealthCheck:
              Protocol: http
              Path: /healthz
              HealthyThreshold: 2
              UnhealthyThreshold: 3
              IntervalMillis: 10000
              TimeoutMillis: 2000
        ServiceDiscovery:
          DNS:
            Hostname: !Sub node-${i}.\${Domain}
        Backends:
          - VirtualService:
              VirtualServiceName: !GetAtt Service${backend}.VirtualServiceName
        Logging:
          AccessLog:
            File:
              Path: !If [IsProd, /dev/stdout, /dev/null]
      Tags:
        - Key: team
          Value: team-${i % 10}`);
  }
  for (let s = 0; s < SERVICES; s++) {
    const provider =
      s < ROUTERS
        ? `VirtualRouter:
            VirtualRouterName: !GetAtt Router${s}.VirtualRouterName`
        : `VirtualNode:
            VirtualNodeName: !GetAtt Node${s % NODES}.VirtualNodeName`;
    out.push(`  Service${s}:
    Type: AWS::AppMesh::VirtualService
    Properties:
      MeshName: !GetAtt Mesh.MeshName
      VirtualServiceName: !Sub svc-${s}.\${Domain}
      Spec:
        Provider:
          ${provider}`);
  }
  for (let r = 0; r < ROUTERS; r++) {
    out.push(`  Router${r}:
    Type: AWS::AppMesh::VirtualRouter
    Properties:
      MeshName: !GetAtt Mesh.MeshName
      VirtualRouterName: router-${r}
      Spec:
        Listeners:
          - PortMapping:
              Port: 8080
              Protocol: http
  Route${r}:
    Type: AWS::AppMesh::Route
    Properties:
      MeshName: !GetAtt Mesh.MeshName
      VirtualRouterName: !GetAtt Router${r}.VirtualRouterName
      RouteName: route
      Spec:
        Priority: 10
        HttpRoute:
          Match:
            Prefix: /
            Headers:
              - Name: x-canary
                Match:
                  Exact: "true"
          Action:
            WeightedTargets:
              - VirtualNode: !GetAtt Node${r}.VirtualNodeName
                Weight: 90
              - VirtualNode: !GetAtt Node${(r + ROUTERS) % NODES}.VirtualNodeName
                Weight: 10
          RetryPolicy:
            MaxRetries: 2
            PerRetryTimeout: { Unit: ms, Value: 500 }
            HttpRetryEvents: [server-error]`);
  }
  for (let g = 0; g < GATEWAYS; g++) {
    out.push(`  Gateway${g}:
    Type: AWS::AppMesh::VirtualGateway
    Properties:
      MeshName: !GetAtt Mesh.MeshName
      VirtualGatewayName: gateway-${g}
      Spec:
        Listeners:
          - PortMapping:
              Port: 8088
              Protocol: http`);
  }
  for (let k = 0; k < GATEWAY_ROUTES; k++) {
    const svc = k % SERVICES;
    out.push(`  GatewayRoute${k}:
    Type: AWS::AppMesh::GatewayRoute
    Properties:
      MeshName: !GetAtt Mesh.MeshName
      VirtualGatewayName: !GetAtt Gateway${k % GATEWAYS}.VirtualGatewayName
      GatewayRouteName: route-${k}
      Spec:
        HttpRoute:
          Match:
            Prefix: /svc-${svc}/
          Action:
            Target:
              VirtualService:
                VirtualServiceName: !GetAtt Service${svc}.VirtualServiceName
            Rewrite:
              Prefix:
                Value: /`);
  }
  return `${out.join('\n')}\n`;
}

const text = generate();
console.log(
  `generated a ${(text.length / 1024 / 1024).toFixed(1)} MiB CloudFormation template with ${TOTAL} App Mesh resources`,
);

let manifests = '';
let resources = 0;
const importAll = () => {
  const result = importCloudFormation(text, 'big.template.yaml');
  if (result.diagnostics.length > 0)
    throw new Error(`unexpected diagnostics: ${JSON.stringify(result.diagnostics[0])}`);
  resources = result.resources.length;
  const out = toManifests(result.resources);
  if (out.diagnostics.some((d) => d.severity === 'error')) throw new Error('manifests have errors');
  manifests = renderManifests(out.objects);
};
const customTags = Object.keys(SHORT_FORMS).flatMap((tag) => [
  { tag, resolve: (s: string) => s },
  { tag, collection: 'seq' as const, resolve: (v: unknown) => v },
  { tag, collection: 'map' as const, resolve: (v: unknown) => v },
]);
const yamlOnly = () => void parseDocument(text, { customTags, uniqueKeys: false });

const cold = once(importAll);
if (resources !== TOTAL) throw new Error(`imported ${resources} resources, expected ${TOTAL}`);
const warm = best(importAll, ROUNDS);
const baseline = best(yamlOnly, ROUNDS);

const row = (name: string, t: Timing) =>
  `${name.padEnd(52)} ${t.wall.toFixed(0).padStart(6)} ms wall ${t.cpu.toFixed(0).padStart(6)} ms cpu`;
console.log(`${(manifests.length / 1024 / 1024).toFixed(1)} MiB of manifests written`);
console.log(row('amime import (cold: first run in this process)', cold));
console.log(row(`amime import (best of ${ROUNDS})`, warm));
console.log(row(`yaml parseDocument alone (best of ${ROUNDS})`, baseline));
console.log(
  `import / parse alone: ${(warm.wall / baseline.wall).toFixed(2)}x wall, ${(warm.cpu / baseline.cpu).toFixed(2)}x cpu · ${availableParallelism()} cores, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
// Judged on the cold run: `amime import` runs once per process. A busy machine stretches
// wall time, so there the CPU time stands in for what an idle machine would take.
const [l1 = 0, l5 = 0] = loadavg();
if (cold.wall < TARGET_MS)
  console.log(`PASS: ${TOTAL} resources imported in ${cold.wall.toFixed(0)} ms (target < ${TARGET_MS} ms)`);
else if (l1 > availableParallelism() && cold.cpu < TARGET_MS)
  console.log(
    `PASS on CPU time: ${cold.cpu.toFixed(0)} ms of CPU (target < ${TARGET_MS} ms); wall ${cold.wall.toFixed(0)} ms because the machine is busy (load average ${l1.toFixed(1)}/${l5.toFixed(1)})`,
  );
else {
  console.log(
    `FAIL: ${TOTAL} resources took ${cold.wall.toFixed(0)} ms wall, ${cold.cpu.toFixed(0)} ms cpu (target < ${TARGET_MS} ms)`,
  );
  process.exitCode = 1;
}
