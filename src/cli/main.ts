#!/usr/bin/env node
/**
 * `amime`: the command-line entry point. Loads only the command that runs, so
 * `amime --version` and `amime get` start fast (program.ts).
 */
import { CommanderError } from 'commander';
import { CliError, describeFailure } from './failure.js';
import { buildProgram, requestedCommand } from './program.js';

async function main(argv: readonly string[]): Promise<void> {
  const name = requestedCommand(argv.slice(2));
  const program = await buildProgram(name ? [name] : []);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    // --help and --version end here with exit code 0; usage errors were already printed.
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    throw err;
  }
}

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`${describeFailure(err, requestedCommand(process.argv.slice(2)))}\n`);
  process.exit(err instanceof CliError ? err.exitCode : 1);
});
