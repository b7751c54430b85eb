/**
 * The `amime` program: every command's name and summary, and each command's options
 * and action loaded only when asked for (a command module can pull in the whole
 * control plane, seconds of start-up). Each command lives in `commands/<name>.ts`
 * and exports `configure(command)`; add yours to COMMANDS.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';

interface CommandModule {
  configure(command: Command): void;
}

interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<CommandModule>;
}

/** Listed in this order by `--help`. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'serve',
    summary: 'run the control plane: store, App Mesh REST API, xDS (ADS) server, metrics',
    load: () => import('./commands/serve.js'),
  },
  {
    name: 'validate',
    summary: 'check App Mesh manifests (files or folders) and print every problem with file:line',
    load: () => import('./commands/validate.js'),
  },
  {
    name: 'apply',
    summary: 'create or update the App Mesh resources of manifests on a running Amime, through its REST API',
    load: () => import('./commands/apply.js'),
  },
  {
    name: 'diff',
    summary:
      'show what applying manifests would change on a running Amime: resources, and the Envoy configuration per proxy',
    load: () => import('./commands/diff.js'),
  },
  {
    name: 'get',
    summary: 'read App Mesh resources from a running Amime, through its REST API',
    load: () => import('./commands/get.js'),
  },
  {
    name: 'render',
    summary: 'print the Envoy configuration one proxy (virtual node or gateway) would receive',
    load: () => import('./commands/render.js'),
  },
  {
    name: 'proxy-status',
    summary: 'list the proxies connected to a running Amime: per xDS type SYNCED, STALE, NACKED or NOT SENT',
    load: () => import('./commands/proxy-status.js'),
  },
  {
    name: 'proxy-config',
    summary: 'print what a running Amime sends one connected proxy (or what it last ACKed)',
    load: () => import('./commands/proxy-config.js'),
  },
  {
    name: 'bootstrap',
    summary: "print the Envoy bootstrap App Mesh's agent would have written, connected to Amime over ADS",
    load: () => import('./commands/bootstrap.js'),
  },
  {
    name: 'import',
    summary:
      'convert CloudFormation/CDK, Terraform or App Mesh API dumps into v1beta2 manifests, API JSON, or a server',
    load: () => import('./commands/import.js'),
  },
  {
    name: 'export',
    summary: 'write what a server holds as v1beta2 manifests or App Mesh API JSON (backups, reviews, moves)',
    load: () => import('./commands/export.js'),
  },
  {
    name: 'ca',
    summary:
      "show the running server's certificate authority (chain, roots, expiry); `amime ca rotate` rotates its root",
    load: () => import('./commands/ca.js'),
  },
  {
    name: 'install',
    summary:
      'print the Kubernetes objects that install Amime, with your image and settings (pipe to kubectl apply -f -)',
    load: () => import('./commands/install.js'),
  },
  {
    name: 'completion',
    summary: 'print a shell completion script: bash, zsh or fish',
    load: () => import('./commands/completion.js'),
  },
];

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * The program with every command's description; `only` lists the commands whose
 * options and actions are loaded (all of them when absent: completion needs them).
 */
export async function buildProgram(only?: readonly string[]): Promise<Command> {
  const program = new Command()
    .name('amime')
    .description(
      'Amime: a self-hosted control plane for App Mesh manifests, `aws appmesh` scripts and Envoy sidecars.',
    )
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    // Usage errors throw instead of exiting, so every command exits 2 for them (main below).
    .exitOverride();
  for (const entry of COMMANDS) {
    const command = program.command(entry.name).description(entry.summary);
    if (!only || only.includes(entry.name)) (await entry.load()).configure(command);
  }
  return program;
}

/** The command argv names: the first word after the options (`amime help get` → get). */
export function requestedCommand(args: readonly string[]): string | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}
