/**
 * `amime proxy-status`: every proxy connected to a running server (all its replicas), and per xDS type
 * whether it holds what the server sends (SYNCED), is behind (STALE), rejected it
 * (NACKED, with Envoy's message) or was not sent that type (NOT SENT), like
 * `istioctl proxy-status`. The same data as the web console (GET /ui/api/proxies).
 */
import { type Command, Option } from 'commander';
import { stringify } from 'yaml';
import {
  PROXIES_PATH,
  STATUS_TYPES,
  type ProxiesResponse,
  type ProxyStatusRow,
} from '../../console/index.js';
import { CliError } from '../failure.js';
import { DEFAULT_SERVER } from '../server-client.js';
import { getConsoleJson, type ConsoleClientOptions } from '../console-client.js';

export interface ProxyStatusCliOptions extends ConsoleClientOptions {
  output: 'table' | 'json' | 'yaml';
}

interface Out {
  write(chunk: string): unknown;
}

export function age(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

export function renderTable(rows: readonly ProxyStatusRow[]): string {
  if (rows.length === 0) return 'no proxies are connected\n';
  const header = ['NAME', 'REPLICA', ...STATUS_TYPES, 'VERSION', 'AGE'];
  const lines = rows.map((r) => [
    r.nodeId,
    r.replica,
    ...STATUS_TYPES.map((t) => r.types[t].state),
    r.snapshotVersion?.slice(0, 12) ?? (r.waiting ? '(waiting)' : '-'),
    age(r.ageSeconds),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const errors = rows.flatMap((r) =>
    STATUS_TYPES.filter((t) => r.types[t].state === 'NACKED').map(
      (t) => `${r.nodeId} rejected ${t} version ${r.types[t].rejectedVersion}: ${r.types[t].error}`,
    ),
  );
  return `${[fmt(header), ...lines.map(fmt)].join('\n')}\n${errors.length ? `\n${errors.join('\n')}\n` : ''}`;
}

export async function runProxyStatus(options: ProxyStatusCliOptions, out: Out, err: Out): Promise<number> {
  try {
    const res = await getConsoleJson<ProxiesResponse>(options, PROXIES_PATH);
    if (options.output === 'json') out.write(`${JSON.stringify(res, null, 2)}\n`);
    else if (options.output === 'yaml') out.write(stringify(res));
    else out.write(renderTable(res.proxies));
    if (res.omitted && options.output === 'table')
      err.write(
        `note: ${res.omitted} proxies of other replicas are not listed (their status records would have been too big)\n`,
      );
    return 0;
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    err.write(`amime proxy-status: ${e.message}\n`);
    return e.exitCode;
  }
}

export const consoleClientOptions = (command: Command): Command =>
  command
    .option('--server <url>', 'the Amime server (REST API address)', DEFAULT_SERVER)
    .option(
      '--token-file <file>',
      "the server's --console-token-file (or set AMIME_CONSOLE_TOKEN); else requests are SigV4-signed when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set",
    )
    .option('--region <region>', 'SigV4 region');

export function configure(command: Command): void {
  consoleClientOptions(command)
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['table', 'json', 'yaml'])
        .default('table'),
    )
    .addHelpText(
      'after',
      `
One line per connected proxy, whichever replica it is connected to (replicas sharing
etcd publish theirs to each other, so any one answers for all): its node id, the
replica, per type (CDS, LDS, EDS, RDS, SDS) one of
  SYNCED    it ACKed the newest version the server sent
  STALE     a newer version is on its way, or it holds an older one
  NACKED    it rejected the newest version (Envoy's message is printed below the table)
  NOT SENT  it has not asked for that type, or nothing was sent yet
then its group's configuration version and how long it has been connected.

Examples:
  $ amime proxy-status
  $ amime proxy-status --server 10.0.0.5:9080 --token-file console-token
  $ amime proxy-status -o json | jq '.proxies[] | select(.state == "NACKED") | .nodeId'`,
    )
    .action(async (opts: ProxyStatusCliOptions) => {
      process.exitCode = await runProxyStatus(opts, process.stdout, process.stderr);
    });
}
