#!/usr/bin/env node
/**
 * `amime`: the command-line entry point. Thin: each command lives in
 * `commands/<name>.ts` and exports `register(program)`; add yours to COMMANDS.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as validate from './commands/validate.js';
import * as apply from './commands/apply.js';
import * as get from './commands/get.js';
import * as serve from './commands/serve.js';
import * as render from './commands/render.js';
import * as bootstrap from './commands/bootstrap.js';

type CommandModule = { register(program: Command): void };

/** Registered in this order; `--help` lists them so. */
const COMMANDS: CommandModule[] = [serve, validate, apply, get, render, bootstrap];

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(here, '..', '..', 'package.json'), 'utf8')) as {
  version: string;
};

export function buildProgram(): Command {
  const program = new Command()
    .name('amime')
    .description(
      'Amime: a self-hosted control plane for App Mesh manifests, `aws appmesh` scripts and Envoy sidecars.',
    )
    .version(pkg.version)
    .showHelpAfterError('(run with --help for usage)');
  for (const mod of COMMANDS) mod.register(program);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`amime: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  });
