/**
 * `amime get <kind> [name] --mesh M [-o table|wide|name|json|yaml]`: read App Mesh
 * resources back from a running Amime through its REST API. Names are App Mesh names
 * (`vnode-1_mesh-test`) or the Kubernetes ones `render` accepts (`mesh-test/vnode-1`,
 * or `vnode-1` when only one namespace has it).
 */
import { type Command, Option } from 'commander';
import { stringify } from 'yaml';
import { API_KIND_INFO, type ApiKind } from '../../model/api-form/index.js';
import { AppMeshClientError, type AppMeshHttpClient, locationPath } from '../../api/index.js';
import { defaultAwsName } from '../../model/index.js';
import { CliError } from '../failure.js';
import { DEFAULT_SERVER, clientFor, serverUrl, unreachable } from '../server-client.js';
import { specSummary } from '../spec-summary.js';

export const OUTPUTS = ['table', 'wide', 'name', 'json', 'yaml'] as const;

export interface GetCliOptions {
  server: string;
  mesh?: string;
  virtualRouter?: string;
  virtualGateway?: string;
  output: (typeof OUTPUTS)[number];
  region?: string;
}

interface Out {
  write(chunk: string): unknown;
}

const ALIASES: Readonly<Record<string, ApiKind>> = {
  mesh: 'Mesh',
  meshes: 'Mesh',
  virtualnode: 'VirtualNode',
  virtualnodes: 'VirtualNode',
  vn: 'VirtualNode',
  virtualservice: 'VirtualService',
  virtualservices: 'VirtualService',
  vs: 'VirtualService',
  virtualrouter: 'VirtualRouter',
  virtualrouters: 'VirtualRouter',
  vr: 'VirtualRouter',
  route: 'Route',
  routes: 'Route',
  virtualgateway: 'VirtualGateway',
  virtualgateways: 'VirtualGateway',
  vg: 'VirtualGateway',
  gatewayroute: 'GatewayRoute',
  gatewayroutes: 'GatewayRoute',
  gr: 'GatewayRoute',
};

/** `vn`, `virtualNodes`, `VirtualNode`, `virtual-nodes` or the CRD's `virtualnodes.appmesh.k8s.aws`. */
export function kindOf(word: string): ApiKind | undefined {
  return ALIASES[
    word
      .toLowerCase()
      .replace(/\.appmesh\.k8s\.aws$/, '')
      .replace(/[-_]/g, '')
  ];
}

/** `ns/name` is a Kubernetes name: the App Mesh name its controller gives (`name_ns`, `name.ns` for services). */
export function appMeshName(kind: ApiKind, name: string): string {
  const k8s = /^([^/]+)\/([^/]+)$/.exec(name);
  if (!k8s || kind === 'Mesh' || kind === 'Route') return name;
  return defaultAwsName(kind, k8s[2]!, k8s[1]!);
}

type Row = Record<string, unknown>;

interface Scope {
  kind: ApiKind;
  mesh: string;
  parent?: string;
}

const locationOf = (scope: Scope, name: string) => ({
  kind: scope.kind,
  mesh: scope.kind === 'Mesh' ? name : scope.mesh,
  name,
  ...(scope.parent !== undefined ? { parent: scope.parent } : {}),
});

async function list(client: AppMeshHttpClient, scope: Scope): Promise<string[]> {
  const info = API_KIND_INFO[scope.kind];
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.call<Row>('GET', locationPath(locationOf(scope, ''), false), undefined, {
      limit: '100',
      nextToken,
    });
    for (const ref of (page[info.listField] as Row[] | undefined) ?? [])
      names.push(String(ref[scope.kind === 'Mesh' ? 'meshName' : info.nameField]));
    nextToken = typeof page.nextToken === 'string' ? page.nextToken : undefined;
  } while (nextToken);
  return names;
}

/** The item named `name`; a bare Kubernetes name matches `name_<ns>` / `name.<ns>` when exactly one exists. */
async function describe(client: AppMeshHttpClient, scope: Scope, name: string): Promise<Row> {
  const wanted = appMeshName(scope.kind, name);
  try {
    return await client.call<Row>('GET', locationPath(locationOf(scope, wanted), true));
  } catch (err) {
    const bare = !name.includes('/') && scope.kind !== 'Mesh' && scope.kind !== 'Route';
    if (!(bare && err instanceof AppMeshClientError && err.type === 'NotFoundException')) throw err;
    const candidates = (await list(client, scope)).filter(
      (n) => n.startsWith(`${name}_`) || n.startsWith(`${name}.`),
    );
    if (candidates.length === 1)
      return client.call<Row>('GET', locationPath(locationOf(scope, candidates[0]!), true));
    if (candidates.length > 1)
      throw new CliError(
        `"${name}" is ambiguous: ${candidates.join(', ')}; give one of these, or namespace/name`,
      );
    throw err;
  }
}

export async function runGet(
  kindWord: string,
  name: string | undefined,
  options: GetCliOptions,
  out: Out,
  err: Out,
): Promise<number> {
  const kind = kindOf(kindWord);
  if (!kind)
    throw new CliError(
      `unknown kind ${JSON.stringify(kindWord)}; one of: meshes, virtualnodes (vn), virtualservices (vs), virtualrouters (vr), routes, virtualgateways (vg), gatewayroutes (gr)`,
      2,
    );
  const info = API_KIND_INFO[kind];
  if (kind !== 'Mesh' && !options.mesh) throw new CliError(`--mesh is required for ${kindWord}`, 2);
  const parentFlag =
    kind === 'Route' ? options.virtualRouter : kind === 'GatewayRoute' ? options.virtualGateway : undefined;
  if (info.parent && !parentFlag)
    throw new CliError(
      `--${kind === 'Route' ? 'virtual-router' : 'virtual-gateway'} is required for ${kindWord}`,
      2,
    );
  const server = serverUrl(options.server);
  const client = clientFor(server, options.region);
  const scope: Scope = {
    kind,
    mesh: options.mesh ?? '',
    ...(info.parent && parentFlag ? { parent: appMeshName(info.parent.kind, parentFlag) } : {}),
  };
  try {
    let items: Row[];
    if (name !== undefined) items = [await describe(client, scope, name)];
    else {
      const names = await list(client, scope);
      items =
        options.output === 'table' || options.output === 'name'
          ? names.map((n) => ({
              [kind === 'Mesh' ? 'meshName' : info.nameField]: n,
              meshName: kind === 'Mesh' ? n : scope.mesh,
              ...(scope.parent !== undefined && info.parent ? { [info.parent.nameField]: scope.parent } : {}),
            }))
          : await Promise.all(
              names.map((n) => client.call<Row>('GET', locationPath(locationOf(scope, n), true))),
            );
      if (items.length === 0 && ['table', 'wide', 'name'].includes(options.output)) {
        err.write(`No resources found${kind === 'Mesh' ? '' : ` in mesh ${scope.mesh}`}.\n`);
        return 0;
      }
    }
    out.write(render(kind, items, options.output, name !== undefined));
    return 0;
  } catch (e) {
    const down = unreachable(e, server);
    if (down) throw down;
    if (e instanceof CliError) throw e;
    const type = (e as { type?: string }).type ?? 'Error';
    err.write(`Error from server (${type}): ${(e as Error).message}\n`);
    return 1;
  }
}

/** Timestamps as ISO text, the way the AWS CLI shows them. */
function readable(item: Row): Row {
  const fix = (o: Row): Row => {
    const out = { ...o };
    for (const k of ['createdAt', 'lastUpdatedAt'])
      if (typeof out[k] === 'number') out[k] = new Date((out[k] as number) * 1000).toISOString();
    return out;
  };
  const top = fix(item);
  if (top.metadata && typeof top.metadata === 'object') top.metadata = fix(top.metadata as Row);
  return top;
}

const seconds = (v: unknown) =>
  typeof v === 'number' ? new Date(v * 1000).toISOString().replace(/\.\d+Z$/, 'Z') : '';

export function render(
  kind: ApiKind,
  items: Row[],
  output: GetCliOptions['output'],
  single: boolean,
): string {
  const info = API_KIND_INFO[kind];
  const nameOf = (i: Row) => String(kind === 'Mesh' ? i.meshName : i[info.nameField]);
  if (output === 'json')
    return `${JSON.stringify(single ? readable(items[0] as Row) : { [info.listField]: items.map(readable) }, null, 2)}\n`;
  if (output === 'yaml')
    return stringify(single ? readable(items[0] as Row) : { [info.listField]: items.map(readable) });
  if (output === 'name')
    return items
      .map((i) => {
        const parent = info.parent ? `${String(i[info.parent.nameField])}/` : '';
        return `${kind.toLowerCase()}/${parent}${nameOf(i)}\n`;
      })
      .join('');
  const wide = output === 'wide';
  const showStatus = single || wide;
  const header = [
    'NAME',
    ...(kind !== 'Mesh' ? ['MESH'] : []),
    ...(info.parent ? [info.parent.kind === 'VirtualRouter' ? 'VIRTUAL ROUTER' : 'VIRTUAL GATEWAY'] : []),
    ...(wide ? ['SPEC'] : []),
    'VERSION',
    ...(showStatus ? ['STATUS'] : []),
    'LAST UPDATED',
    'ARN',
  ];
  const rows = items.map((i) => {
    const md = (i.metadata as Row | undefined) ?? i;
    const cells = [nameOf(i)];
    if (kind !== 'Mesh') cells.push(String(i.meshName));
    if (info.parent) cells.push(String(i[info.parent.nameField]));
    if (wide) cells.push(specSummary(kind, i.spec));
    cells.push(String(md.version ?? ''));
    if (showStatus) cells.push((i.status as { status?: string } | undefined)?.status ?? '');
    cells.push(seconds(md.lastUpdatedAt), String(md.arn ?? ''));
    return cells;
  });
  const table = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...table.map((r) => (r[c] ?? '').length)));
  return `${table.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] as number))).join('   ')).join('\n')}\n`;
}

const HELP = `
Names: the App Mesh name (vnode-1_mesh-test), or the Kubernetes one: namespace/name
(mesh-test/vnode-1), or just the name when one namespace has it.

Output (-o): table (default), wide (adds a summary of the spec and the status),
name (kind/name, for scripts), json or yaml (the REST API's objects).

Examples:
  $ amime get meshes
  $ amime get vn --mesh mesh-1 -o wide
  $ amime get vn mesh-test/vnode-1 --mesh mesh-1 -o yaml
  $ amime get routes --mesh mesh-1 --virtual-router vrouter-1_mesh-test
  $ amime get vs --mesh mesh-1 -o name | xargs -n1 echo
`;

export function configure(command: Command): void {
  command
    .argument(
      '<kind>',
      'meshes, virtualnodes (vn), virtualservices (vs), virtualrouters (vr), routes, virtualgateways (vg), gatewayroutes (gr)',
    )
    .argument('[name]', 'App Mesh name, or Kubernetes namespace/name; all of them when absent')
    .option('--server <url>', 'the Amime REST API', DEFAULT_SERVER)
    .option('--mesh <name>', 'the mesh (every kind but meshes)')
    .option('--virtual-router <name>', 'the virtual router (routes)')
    .option('--virtual-gateway <name>', 'the virtual gateway (gateway routes)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUTS).default('table'))
    .option(
      '--region <region>',
      'SigV4 region (signing happens when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set)',
    )
    .addHelpText('after', HELP)
    .action(async (kind: string, name: string | undefined, opts: GetCliOptions) => {
      process.exitCode = await runGet(kind, name, opts, process.stdout, process.stderr);
    });
}
