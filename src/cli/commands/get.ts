/**
 * `amime get <kind> [name] --mesh M [-o yaml|json|table]`: read App Mesh resources back
 * from a running Amime through its REST API.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { stringify } from 'yaml';
import { API_KIND_INFO, type ApiKind } from '../../model/api-form/index.js';
import { AppMeshHttpClient, credentialsFromEnv } from '../../api/client.js';
import { stepPath } from '../../api/apply-plan.js';
import { DEFAULT_SERVER } from './apply.js';

export interface GetCliOptions {
  server: string;
  mesh?: string;
  virtualRouter?: string;
  virtualGateway?: string;
  output: 'table' | 'json' | 'yaml';
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

export function kindOf(word: string): ApiKind | undefined {
  return ALIASES[word.toLowerCase().replace(/[-_]/g, '')];
}

type Row = Record<string, unknown>;

export async function runGet(
  kindWord: string,
  name: string | undefined,
  options: GetCliOptions,
  out: Out,
  err: Out,
): Promise<number> {
  const kind = kindOf(kindWord);
  if (!kind) {
    err.write(
      `amime get: unknown kind ${JSON.stringify(kindWord)}; one of: meshes, virtualnodes, virtualservices, virtualrouters, routes, virtualgateways, gatewayroutes\n`,
    );
    return 2;
  }
  const info = API_KIND_INFO[kind];
  if (kind !== 'Mesh' && !options.mesh) {
    err.write(`amime get ${kindWord}: --mesh is required\n`);
    return 2;
  }
  const parent =
    kind === 'Route' ? options.virtualRouter : kind === 'GatewayRoute' ? options.virtualGateway : undefined;
  if (info.parent && !parent) {
    err.write(
      `amime get ${kindWord}: --${kind === 'Route' ? 'virtual-router' : 'virtual-gateway'} is required\n`,
    );
    return 2;
  }
  const creds = credentialsFromEnv();
  const client = new AppMeshHttpClient({
    server: options.server,
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-west-2',
    ...(creds ? { credentials: creds } : {}),
  });
  const mesh = kind === 'Mesh' ? (name ?? '') : (options.mesh as string);
  const loc = (n: string) => ({
    kind,
    mesh: kind === 'Mesh' ? n : mesh,
    name: n,
    ...(parent !== undefined ? { parent } : {}),
  });
  try {
    let items: Row[];
    if (name !== undefined) items = [await client.call<Row>('GET', stepPath(loc(name), true))];
    else {
      const refs: Row[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.call<Row>('GET', stepPath(loc(''), false), undefined, {
          limit: '100',
          nextToken,
        });
        refs.push(...((page[info.listField] as Row[] | undefined) ?? []));
        nextToken = typeof page.nextToken === 'string' ? page.nextToken : undefined;
      } while (nextToken);
      items =
        options.output === 'table'
          ? refs
          : await Promise.all(
              refs.map((r) =>
                client.call<Row>(
                  'GET',
                  stepPath(loc(String(r[kind === 'Mesh' ? 'meshName' : info.nameField])), true),
                ),
              ),
            );
    }
    out.write(render(kind, items, options.output, name !== undefined));
    return 0;
  } catch (e) {
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

export function render(
  kind: ApiKind,
  items: Row[],
  output: GetCliOptions['output'],
  single: boolean,
): string {
  const info = API_KIND_INFO[kind];
  if (output === 'json')
    return `${JSON.stringify(single ? readable(items[0] as Row) : { [info.listField]: items.map(readable) }, null, 2)}\n`;
  if (output === 'yaml')
    return stringify(single ? readable(items[0] as Row) : { [info.listField]: items.map(readable) });
  const rows = items.map((i) => {
    const md = (i.metadata as Row | undefined) ?? i;
    const status = (i.status as { status?: string } | undefined)?.status ?? '';
    const updated =
      typeof md.lastUpdatedAt === 'number'
        ? new Date(md.lastUpdatedAt * 1000).toISOString().replace(/\.\d+Z$/, 'Z')
        : '';
    const cells = [String(kind === 'Mesh' ? i.meshName : i[info.nameField])];
    if (kind !== 'Mesh') cells.push(String(i.meshName));
    if (info.parent) cells.push(String(i[info.parent.nameField]));
    cells.push(String(md.version ?? ''), ...(single ? [status] : []), updated, String(md.arn ?? ''));
    return cells;
  });
  const header = [
    'NAME',
    ...(kind !== 'Mesh' ? ['MESH'] : []),
    ...(info.parent ? [info.parent.kind === 'VirtualRouter' ? 'VIRTUAL ROUTER' : 'VIRTUAL GATEWAY'] : []),
    'VERSION',
    ...(single ? ['STATUS'] : []),
    'LAST UPDATED',
    'ARN',
  ];
  const table = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...table.map((r) => (r[c] ?? '').length)));
  return `${table.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] as number))).join('   ')).join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('get')
    .description('read App Mesh resources from a running Amime server, through its REST API')
    .argument(
      '<kind>',
      'meshes, virtualnodes (vn), virtualservices (vs), virtualrouters (vr), routes, virtualgateways (vg), gatewayroutes (gr)',
    )
    .argument('[name]', 'App Mesh name (awsName); all of them when absent')
    .option('--server <url>', 'the Amime REST API', DEFAULT_SERVER)
    .option('--mesh <name>', 'the mesh (every kind but meshes)')
    .option('--virtual-router <name>', 'the virtual router (routes)')
    .option('--virtual-gateway <name>', 'the virtual gateway (gateway routes)')
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['table', 'json', 'yaml'])
        .default('table'),
    )
    .option(
      '--region <region>',
      'SigV4 region (signing happens when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set)',
    )
    .action(async (kind: string, name: string | undefined, opts: GetCliOptions) => {
      process.exitCode = await runGet(kind, name, opts, process.stdout, process.stderr);
    });
}
