/** App Mesh names: awsName defaults, ARNs and Envoy node ids (appmesh.md §1.0, §4.1, §6.1). */
import type { Kind } from './kinds.js';
import type { AnyResource } from './resources.js';
import { KIND_INFO } from './resources.js';

/** The awsName the mutating webhook would default: Mesh `name`, VirtualService `name.namespace`, others `name_namespace`. */
export function defaultAwsName(kind: Kind, name: string, namespace: string | undefined): string {
  if (kind === 'Mesh' || namespace === undefined || namespace === '') return name;
  if (kind === 'VirtualService') return `${name}.${namespace}`;
  return `${name}_${namespace}`;
}

/** `spec.awsName` if set, else the default. BackendGroups have no App Mesh name: their k8s name is returned. */
export function awsNameOf(resource: AnyResource): string {
  const explicit = (resource.spec as { awsName?: unknown }).awsName;
  if (typeof explicit === 'string' && explicit !== '') return explicit;
  return defaultAwsName(resource.kind, resource.metadata.name, resource.metadata.namespace);
}

/** Where this control plane's resources live: every ARN it issues or accepts is in this region, account and partition. */
export interface ArnContext {
  region: string;
  account: string;
  /** Default `aws`. */
  partition?: string;
}

export const DEFAULT_ARN_CONTEXT: ArnContext = { region: 'us-west-2', account: '000000000000' };

/** Mesh-relative resource path: `mesh/<mesh>/virtualNode/<name>`, `mesh/<m>/virtualRouter/<vr>/route/<r>`. */
export function resourcePath(kind: Kind | 'Route', mesh: string, name: string, parent?: string): string {
  if (kind === 'Mesh') return `mesh/${mesh}`;
  if (kind === 'Route') return `mesh/${mesh}/virtualRouter/${parent ?? ''}/route/${name}`;
  if (kind === 'GatewayRoute') return `mesh/${mesh}/virtualGateway/${parent ?? ''}/gatewayRoute/${name}`;
  const segment = KIND_INFO[kind].arnSegment ?? kind;
  return `mesh/${mesh}/${segment}/${name}`;
}

export function arnOf(path: string, ctx: ArnContext = DEFAULT_ARN_CONTEXT): string {
  return `arn:${ctx.partition ?? 'aws'}:appmesh:${ctx.region}:${ctx.account}:${path}`;
}

export interface ParsedArn {
  region?: string;
  account?: string;
  mesh: string;
  /** `<mesh>@<owner>` meshes carry their owner here. */
  meshOwner?: string;
  /** `virtualNode`, `virtualService`, `virtualRouter`, `virtualGateway`, `route`, `gatewayRoute`, or `mesh` */
  type: string;
  name: string;
  /** parent router/gateway for routes and gateway routes */
  parent?: string;
}

const FULL_ARN = /^arn:aws[a-z-]*:appmesh(?:-preview)?:([^:]*):([^:]*):(.+)$/;

/** Parses a full ARN or the short `mesh/<mesh>/<type>/<name>` form. Returns undefined if neither. */
export function parseArn(value: string): ParsedArn | undefined {
  let region: string | undefined;
  let account: string | undefined;
  let path = value;
  const full = FULL_ARN.exec(value);
  if (full) {
    region = full[1];
    account = full[2];
    path = full[3] ?? '';
  }
  const parts = path.split('/');
  if (parts[0] !== 'mesh' || parts.length < 2 || !parts[1]) return undefined;
  const [meshName, meshOwner] = parts[1].split('@') as [string, string | undefined];
  const base = {
    ...(region !== undefined ? { region } : {}),
    ...(account !== undefined ? { account } : {}),
    mesh: meshName,
    ...(meshOwner ? { meshOwner } : {}),
  };
  if (parts.length === 2) return { ...base, type: 'mesh', name: meshName };
  if (parts.length === 4 && parts[2] && parts[3]) return { ...base, type: parts[2], name: parts[3] };
  if (
    parts.length === 6 &&
    parts[3] &&
    parts[4] &&
    parts[5] &&
    (parts[4] === 'route' || parts[4] === 'gatewayRoute')
  ) {
    return { ...base, type: parts[4], name: parts[5], parent: parts[3] };
  }
  return undefined;
}

/**
 * ARNs as parsed, by their text. The REST API stores a route's targets and a node's
 * backends by ARN: each UpdateRoute's validation resolves every target of the router
 * again (parsing them was most of resolving a router's targets in a profile of bench:api's
 * updates), and each DescribeVirtualNode names its backends again (2.4 µs of a ~145 µs
 * read). Bounded (the texts come from requests): emptied when full. Entries are shared,
 * never changed.
 */
const parsedArns = new Map<string, Readonly<ParsedArn> | undefined>();
export const PARSED_ARNS_KEPT = 10_000;

export function parsedArn(arn: string): Readonly<ParsedArn> | undefined {
  const known = parsedArns.get(arn);
  if (known !== undefined || parsedArns.has(arn)) return known;
  if (parsedArns.size >= PARSED_ARNS_KEPT) parsedArns.clear();
  const parsed = parseArn(arn);
  parsedArns.set(arn, parsed);
  return parsed;
}
