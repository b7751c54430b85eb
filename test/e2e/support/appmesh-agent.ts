/**
 * An xDS client that connects the way the App Mesh Envoy image does when its agent
 * writes the bootstrap (APPMESH_XDS_ENDPOINT set): TLS to `host:port` trusting a CA
 * bundle, every stream signed with SigV4 exactly as Envoy's
 * `envoy.grpc_credentials.aws_iam` call credentials sign it, and the agent's node
 * (full ARN id, cluster, metadata).
 *
 * Sources: aws/amazon-ecs-service-connect-agent@1ba8235
 * agent/envoy_bootstrap/envoy_bootstrap.go l.603-650 (google_grpc + aws_iam, service
 * `appmesh`, region), l.1433-1497 (node metadata), platforminfo/, netinfo/;
 * envoy `source/extensions/grpc_credentials/aws_iam/config.cc` (GetMetadata signs a
 * bodiless POST of `<service_url>/<method>`: host = the channel's authority, path =
 * the gRPC method path; pseudo-headers are not sent) and
 * `source/extensions/common/aws/signer_impl.cc` (x-amz-content-sha256 = SHA-256 of the
 * empty string, x-amz-security-token when the credentials have a session token,
 * x-amz-date, then authorization; signed headers are all of them plus host).
 *
 * The signature is computed here from the SigV4 specification with node:crypto, not
 * with the library Amime verifies with, so the test checks one against the other.
 */
import { createHash, createHmac } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { toProtoStruct, type JsonLike } from '../../../src/envoy/bootstrap-struct.js';

export const ADS_PATH = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignInput {
  /** The stream's `:authority` (`host:port`; Envoy drops :80/:443). */
  authority: string;
  path: string;
  region: string;
  credentials: AwsCredentials;
  date: Date;
  service?: string;
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

/** The metadata Envoy's aws_iam call credentials add to a stream. */
export function envoyAwsIamMetadata(input: SignInput): Array<[string, string]> {
  const service = input.service ?? 'appmesh';
  const amzDate = input.date.toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const headers: Array<[string, string]> = [['x-amz-content-sha256', EMPTY_SHA256]];
  if (input.credentials.sessionToken) headers.push(['x-amz-security-token', input.credentials.sessionToken]);
  headers.push(['x-amz-date', amzDate]);
  const canonical = [
    ...headers,
    ['host', input.authority.replace(/:(80|443)$/, '')] as [string, string],
  ].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = canonical.map(([k]) => k).join(';');
  const request = [
    'POST',
    input.path,
    '',
    ...canonical.map(([k, v]) => `${k}:${v.trim()}`),
    '',
    signedHeaders,
    EMPTY_SHA256,
  ].join('\n');
  const scope = `${day}/${input.region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(request)].join('\n');
  let key = hmac(`AWS4${input.credentials.secretAccessKey}`, day);
  for (const part of [input.region, service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return [
    ...headers,
    [
      'authorization',
      `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    ],
  ];
}

/** TLS trusting `ca`, each call signed at call time as Envoy signs it. */
export function agentChannelCredentials(
  ca: Buffer,
  sign: Omit<SignInput, 'date' | 'path'> & { path?: string; clock?: () => Date },
): grpc.ChannelCredentials {
  const call = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
    const md = new grpc.Metadata();
    const date = sign.clock?.() ?? new Date();
    for (const [k, v] of envoyAwsIamMetadata({ ...sign, path: sign.path ?? ADS_PATH, date })) md.set(k, v);
    callback(null, md);
  });
  return grpc.credentials.combineChannelCredentials(grpc.credentials.createSsl(ca), call);
}

/** Node metadata as the agent sent it from an ECS task (what a task on Fargate reported). */
export function agentNodeMetadata(): unknown {
  const metadata: Record<string, JsonLike> = {
    'aws.appmesh.static_runtime': {
      'envoy.features.enable_all_deprecated_features': true,
      're2.max_program_size.error_level': 1000,
      'envoy.reloadable_features.http_set_tracing_decision_in_request_id': true,
      'envoy.reloadable_features.no_extension_lookup_by_name': true,
      'envoy.reloadable_features.use_http_client_to_fetch_aws_credentials': false,
    },
    'aws.appmesh.task.interfaces': {
      ipv4: { eth0: ['10.0.1.23/24'], lo: ['127.0.0.1/8'] },
      ipv6: { eth0: ['fe80::8ff:2aff:fe4d:1c5f/64'], lo: ['::1/128'] },
    },
    'aws.appmesh.metric_filter': { level: '1' },
    'aws.appmesh.platformInfo': {
      AvailabilityZone: 'ap-northeast-1a',
      AvailabilityZoneID: 'apne1-az4',
      supportedIPFamilies: 'IPv4_ONLY',
      ecsPlatformInfo: {
        ecsLaunchType: 'AWS_ECS_FARGATE',
        ecsClusterArn: 'arn:aws:ecs:ap-northeast-1:111122223333:cluster/prod',
        ecsTaskArn: 'arn:aws:ecs:ap-northeast-1:111122223333:task/prod/0f1e2d3c4b5a',
        CPU: 0.25,
        Memory: 512,
      },
      systemInfo: { systemPlatform: 'x86_64', systemKernelVersion: '5.10.219-208.866.amzn2.x86_64' },
    },
  };
  return toProtoStruct(metadata);
}
