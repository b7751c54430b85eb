/** `amime completion bash|zsh|fish`: print a completion script for the shell. */
import { Argument, type Command } from 'commander';
import { SHELLS, completionScript, type Shell } from '../completion.js';

const HELP = `
Examples:
  $ eval "$(amime completion bash)"                      # now, or add it to ~/.bashrc
  $ eval "$(amime completion zsh)"                       # add it to ~/.zshrc
  $ amime completion fish > ~/.config/fish/completions/amime.fish
`;

export function configure(command: Command): void {
  command
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText('after', HELP)
    .action(async (shell: Shell) => {
      const { buildProgram } = await import('../program.js');
      process.stdout.write(completionScript(shell, await buildProgram()));
    });
}
