/**
 * `amime proxy-config <proxy> [listeners|routes|clusters|endpoints|secrets]`: what a
 * running server sends one connected proxy (or, with --acked, what it last ACKed), in
 * Envoy's config_dump JSON, like `istioctl proxy-config`. Secrets show certificate
 * metadata, never private keys. The same data as the console's proxy page.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { stringify } from 'yaml';
import { PROXY_CONFIG_PATH, type ProxyConfig } from '../../console/index.js';
import { XDS_KINDS, type XdsKind } from '../../proto/index.js';
import { CliError } from '../failure.js';
import { ConsoleAnswerError, getConsoleJson, type ConsoleClientOptions } from '../console-client.js';
import { consoleClientOptions } from './proxy-status.js';

export interface ProxyConfigCliOptions extends ConsoleClientOptions {
  output: 'yaml' | 'json';
  acked: boolean;
}

interface Out {
  write(chunk: string): unknown;
}

function parseKind(value: string | undefined): XdsKind | undefined {
  if (value === undefined) return undefined;
  if (!XDS_KINDS.includes(value as XdsKind))
    throw new InvalidArgumentError(`expected one of ${XDS_KINDS.join(', ')}`);
  return value as XdsKind;
}

export async function runProxyConfig(
  proxy: string,
  kind: XdsKind | undefined,
  options: ProxyConfigCliOptions,
  out: Out,
  err: Out,
): Promise<number> {
  try {
    const res = await getConsoleJson<ProxyConfig>(options, PROXY_CONFIG_PATH, {
      proxy,
      ...(kind ? { type: kind } : {}),
      ...(options.acked ? { acked: 'true' } : {}),
    });
    const view = kind ? { [kind]: res.resources[kind] ?? [] } : res.resources;
    out.write(
      options.output === 'json'
        ? `${JSON.stringify(view, null, 2)}\n`
        : stringify(view, { lineWidth: 0, aliasDuplicateObjects: false }),
    );
    for (const h of res.notHeld) err.write(`note: ${h.name} (version ${h.version}): ${h.reason}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    err.write(`amime proxy-config: ${e.message}\n`);
    const candidates = e instanceof ConsoleAnswerError ? e.body.candidates : undefined;
    if (Array.isArray(candidates) && candidates.length > 0)
      err.write(`connected proxies:\n${candidates.map((c) => `  ${String(c)}`).join('\n')}\n`);
    return e instanceof ConsoleAnswerError && e.status === 404 ? 2 : e.exitCode;
  }
}

export function configure(command: Command): void {
  consoleClientOptions(
    command
      .argument(
        '<proxy>',
        'node id of a connected proxy, or a unique part of it (amime proxy-status lists them)',
      )
      .argument('[type]', `one of ${XDS_KINDS.join(', ')} (all when left out)`, parseKind),
  )
    .option('--acked', 'what the proxy last ACKed instead of what the server sends it now', false)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .addHelpText(
      'after',
      `
Where \`amime render\` shows what manifests would give a proxy, this shows what a
running server gives a connected one, narrowed to the names it subscribed to.

Exit status: 0 = printed; 1 = the server could not be asked; 2 = no such connected
proxy (the connected ones are listed) or bad usage.

Examples:
  $ amime proxy-config vnode-x routes
  $ amime proxy-config mesh/mesh-1/virtualNode/vnode-x_mesh-test clusters -o json | jq '.clusters[].name'
  $ amime proxy-config gateway-v listeners --acked`,
    )
    .action(async (proxy: string, kind: XdsKind | undefined, opts: ProxyConfigCliOptions) => {
      process.exitCode = await runProxyConfig(proxy, kind, opts, process.stdout, process.stderr);
    });
}
