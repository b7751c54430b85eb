/**
 * CloudFormation intrinsics as the importer resolves them, one at a time, and what it
 * says when a value is not in the template. Semantics: CloudFormation template
 * reference, "Intrinsic function reference" and "Pseudo parameters reference";
 * AWS::AppMesh::* "Return values" (Ref → ARN; GetAtt Arn, MeshName, MeshOwner,
 * ResourceOwner, Uid, <Type>Name).
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../model/index.js';
import { importCloudFormation, type CloudFormationOptions } from './import-template.js';

/** A template whose only App Mesh resource is a virtual node with `hostname` (YAML text) as its DNS hostname. */
function withHostname(hostname: string, head = '', options: CloudFormationOptions = {}) {
  const text = `${head}
Resources:
  Mesh:
    Type: AWS::AppMesh::Mesh
    Properties:
      MeshName: shop
  Node:
    Type: AWS::AppMesh::VirtualNode
    Properties:
      MeshName: !GetAtt Mesh.MeshName
      VirtualNodeName: node
      Spec:
        ServiceDiscovery:
          DNS:
            Hostname: ${hostname}
`;
  const result = importCloudFormation(text, 'template.yaml', options);
  const node = result.resources.find((r) => r.kind === 'VirtualNode');
  return {
    hostname: (node?.spec as { serviceDiscovery?: { dns?: { hostname?: string } } })?.serviceDiscovery?.dns
      ?.hostname,
    errors: result.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic),
  };
}

const PARAMS = `
Parameters:
  Domain:
    Type: String
    Default: shop.local
  Env:
    Type: String
    AllowedValues: [dev, prod]
  Names:
    Type: CommaDelimitedList
    Default: a,b,c
  Latest:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /shop/latest
Mappings:
  Hosts:
    prod: { Name: api.prod }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Equals [a, a]]
  Either: !Or [!Condition NotProd, !Condition Both]
`;

describe('CloudFormation intrinsics', () => {
  it.each([
    ['!Ref Domain', 'shop.local'],
    ['{ Ref: Domain }', 'shop.local'],
    ['!Sub "api.${Domain}"', 'api.shop.local'],
    ['!Sub ["api.${D}", { D: !Ref Domain }]', 'api.shop.local'],
    ['!Sub "${!Literal}.${Domain}"', '${Literal}.shop.local'],
    ['!Sub "node.${Mesh.MeshName}"', 'node.shop'],
    ['!Join [".", [api, !Ref Domain]]', 'api.shop.local'],
    ['!Join ["-", !Ref Names]', 'a-b-c'],
    ['!Select [1, !Ref Names]', 'b'],
    ['!Select ["2", !Split [",", "x,y,z"]]', 'z'],
    ['!If [IsProd, prod.local, dev.local]', 'prod.local'],
    ['!If [Either, yes.local, no.local]', 'yes.local'],
    ['!FindInMap [Hosts, !Ref Env, Name]', 'api.prod'],
    ['!FindInMap [Hosts, dev, Name, { DefaultValue: fallback }]', 'fallback'],
    ['!ImportValue shared-host', 'from-flag'],
    ['{ "Fn::ImportValue": shared-host }', 'from-flag'],
    ['!Base64 abc', 'YWJj'],
    ['!Select [0, !Cidr ["10.0.0.0/16", 2, 8]]', '10.0.0.0/24'],
    [
      '!Sub "${AWS::Region}.${AWS::AccountId}.${AWS::Partition}.${AWS::URLSuffix}"',
      'cn-north-1.111122223333.aws-cn.amazonaws.com.cn',
    ],
    ['!Sub "${AWS::StackName}.local"', 'stack.local'],
    ['!GetAtt Mesh.Arn', 'arn:aws-cn:appmesh:cn-north-1:111122223333:mesh/shop'],
    ['!Ref Mesh', 'arn:aws-cn:appmesh:cn-north-1:111122223333:mesh/shop'],
    ['!GetAtt [Mesh, MeshOwner]', '111122223333'],
    ['!GetAtt Disco.Id', 'srv-123'],
    ['{ "Fn::ToJsonString": [1] }', '[1]'],
    ['{ "Fn::Length": [a, b] }', '2'],
  ])('%s → %s', (expr, expected) => {
    const template = withHostname(expr, PARAMS, {
      parameters: { Env: 'prod' },
      importValues: { 'shared-host': 'from-flag' },
      region: 'cn-north-1',
      accountId: '111122223333',
      resolve: { 'AWS::StackName': 'stack', 'Disco.Id': 'srv-123' },
    });
    expect(template.errors).toEqual([]);
    expect(template.hostname).toBe(expected);
  });

  it('reads a property of another resource through Fn::GetAtt when the template states it', () => {
    const text = `
Resources:
  Disco:
    Type: AWS::ServiceDiscovery::Service
    Properties:
      Name: !Sub "disco-\${Suffix}"
  Mesh:
    Type: AWS::AppMesh::Mesh
    Properties: { MeshName: shop }
  Node:
    Type: AWS::AppMesh::VirtualNode
    Properties:
      MeshName: shop
      VirtualNodeName: node
      Spec:
        ServiceDiscovery:
          AWSCloudMap:
            NamespaceName: shop.local
            ServiceName: !GetAtt Disco.Name
Parameters:
  Suffix: { Type: String, Default: one }
`;
    const r = importCloudFormation(text, 't.yaml');
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.resources.find((x) => x.kind === 'VirtualNode')?.spec).toEqual({
      serviceDiscovery: { awsCloudMap: { namespaceName: 'shop.local', serviceName: 'disco-one' } },
    });
  });

  it('drops AWS::NoValue and skips resources whose condition is false', () => {
    const text = `
Conditions:
  Never: !Equals [a, b]
Resources:
  Mesh:
    Type: AWS::AppMesh::Mesh
    Properties:
      MeshName: shop
      Spec:
        EgressFilter: !If [Never, { Type: ALLOW_ALL }, !Ref AWS::NoValue]
  Skipped:
    Type: AWS::AppMesh::VirtualNode
    Condition: Never
    Properties: { MeshName: shop, VirtualNodeName: skipped, Spec: {} }
`;
    const r = importCloudFormation(text, 't.yaml');
    expect(r.diagnostics).toEqual([]);
    expect(r.resources.map((x) => [x.kind, x.name, x.spec])).toEqual([['Mesh', 'shop', {}]]);
  });

  it('parses what it never has to evaluate (a subnet’s !GetAZs) without complaint', () => {
    const text = `Resources:
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      AvailabilityZone: !Select [0, !GetAZs ""]
  Mesh:
    Type: AWS::AppMesh::Mesh
    Properties: { MeshName: shop }
`;
    expect(importCloudFormation(text, 't.yaml').diagnostics).toEqual([]);
  });
});

describe('CloudFormation values the template does not determine', () => {
  const cases: Array<[string, string, CloudFormationOptions, RegExp]> = [
    [
      '!ImportValue shared-host',
      '',
      {},
      /Fn::ImportValue shared-host: .*pass --import-value shared-host=VALUE/,
    ],
    ['!Ref Missing', PARAMS, {}, /Ref Missing: no parameter, pseudo parameter or resource of that name/],
    ['!Ref Env', PARAMS, {}, /parameter Env has no Default; pass --parameter Env=VALUE/],
    [
      '!Ref Env',
      PARAMS,
      { parameters: { Env: 'test' } },
      /--parameter Env=test is not one of the parameter's AllowedValues \(dev, prod\)/,
    ],
    ['!Ref Latest', PARAMS, {}, /read from the SSM parameter \/shop\/latest .*pass --parameter Latest=VALUE/],
    ['!Ref AWS::Region', '', {}, /pass --region REGION/],
    ['!Ref AWS::AccountId', '', {}, /pass --account-id/],
    ['!Ref AWS::StackId', '', {}, /pass --resolve AWS::StackId=VALUE/],
    ['!GetAtt Mesh.Uid', '', {}, /assigned by App Mesh .*pass --resolve Mesh.Uid=VALUE/],
    [
      '!GetAtt Mesh.Color',
      '',
      {},
      /AWS::AppMesh::Mesh has no attribute Color \(it has Arn, MeshName, MeshOwner, ResourceOwner, Uid\)/,
    ],
    ['!Select [0, !GetAZs ""]', '', {}, /Fn::GetAZs lists the Availability Zones/],
    ['!Sub "${Nope"', '', {}, /Fn::Sub: unterminated/],
    ['!Select [5, [a]]', '', {}, /Fn::Select index 5 is outside the list of 1/],
    ['!FindInMap [Hosts, dev, Name]', PARAMS, {}, /Mappings has no Hosts.dev.Name/],
    ['{ "Fn::Transform": { Name: X } }', '', {}, /Fn::Transform is not supported by amime import/],
  ];
  it.each(cases)('%s', (expr, head, options, message) => {
    const r = withHostname(expr, head, options);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^template\.yaml:\d+:\d+: error: AWS::AppMesh::VirtualNode Node: /);
    expect(r.errors[0]).toMatch(message);
  });

  it('a resource without its name property: CloudFormation would make one up, so it is asked for', () => {
    const text = `Resources:\n  Mesh:\n    Type: AWS::AppMesh::Mesh\n    Properties: {}\n`;
    const r = importCloudFormation(text, 't.yaml');
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      't.yaml:2:3: error: AWS::AppMesh::Mesh Mesh: Mesh has no MeshName: CloudFormation makes one up when it creates the resource; set MeshName in the template, or pass --resolve Mesh.MeshName=NAME with the name it was given [import.unresolved]',
    ]);
    const given = importCloudFormation(text, 't.yaml', { resolve: { 'Mesh.MeshName': 'shop-abc' } });
    expect(given.diagnostics).toEqual([]);
    expect(given.resources[0]?.name).toBe('shop-abc');
  });

  it('unknown properties are errors at their line, in any letter case otherwise accepted', () => {
    const text = `Resources:
  Mesh:
    Type: AWS::AppMesh::Mesh
    Properties:
      MeshName: shop
      Spec:
        egressfilter: { TYPE: ALLOW_ALL }
        Colour: red
`;
    const r = importCloudFormation(text, 't.yaml');
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      't.yaml:8:9: error: AWS::AppMesh::Mesh Mesh: spec.Colour: unknown property Colour: App Mesh has no such field here (expected one of egressFilter, serviceDiscovery, in any letter case) [import.invalid]',
    ]);
  });

  it('a malformed template is a syntax error at its line', () => {
    const r = importCloudFormation('Resources:\n  Mesh:\n    Type: [unclosed\n', 'bad.yaml');
    expect(r.resources).toEqual([]);
    expect(r.diagnostics[0]?.code).toBe('import.syntax');
    expect(formatDiagnostic(r.diagnostics[0]!)).toMatch(
      /^bad\.yaml:\d+:\d+: error: .*fix the syntax at this place/,
    );
  });

  it('resources that depend on each other in a circle are refused, as CloudFormation refuses them', () => {
    // "Circular dependency between resources" (CloudFormation; cfn-lint E3004): a Ref,
    // Fn::GetAtt or ${X} of Fn::Sub anywhere in Properties, or DependsOn, is a dependency.
    const text = `Resources:
  Mesh:
    Type: AWS::AppMesh::Mesh
    Properties:
      MeshName: shop
      Tags: [{ Key: me, Value: !GetAtt Mesh.Arn }]
  A:
    Type: AWS::AppMesh::VirtualNode
    DependsOn: [Queue]
    Properties:
      MeshName: shop
      VirtualNodeName: a
      Spec: {}
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "\${B.VirtualNodeName}-queue"
  B:
    Type: AWS::AppMesh::VirtualNode
    Properties:
      MeshName: shop
      VirtualNodeName: b
      Spec:
        Backends: [{ VirtualService: { VirtualServiceName: { "Fn::GetAtt": [A, VirtualNodeName] } } }]
`;
    const r = importCloudFormation(text, 't.yaml');
    expect(r.resources).toEqual([]);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      't.yaml:2:3: error: AWS::AppMesh::Mesh Mesh: circular dependency between resources: Mesh → Mesh (Ref, Fn::GetAtt, Fn::Sub or DependsOn); CloudFormation refuses such a template: remove one of these references [import.invalid]',
      't.yaml:7:3: error: AWS::AppMesh::VirtualNode A: circular dependency between resources: A → Queue → B → A (Ref, Fn::GetAtt, Fn::Sub or DependsOn); CloudFormation refuses such a template: remove one of these references [import.invalid]',
    ]);
  });

  it('a template without App Mesh resources says so', () => {
    const r = importCloudFormation('Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n', 'only-s3.yaml');
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      "only-s3.yaml:1:1: error: no AWS::AppMesh::* resources among the template's 1 resources; pass the template (or the CDK stack's synthesised template) that defines the mesh [import.no-resources]",
    ]);
  });
});
