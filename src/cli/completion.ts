/**
 * Shell completion scripts generated from the program's own commands and options, so
 * they cannot fall behind a new flag: bash, zsh (the bash script through zsh's
 * bashcompinit) and fish. Values: an option's choices when it has them, else file
 * names (the shell's default).
 */
import type { Command } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface OptionModel {
  flags: string[];
  takesValue: boolean;
  choices: string[];
  description: string;
}

interface CommandModel {
  name: string;
  summary: string;
  options: OptionModel[];
  /** Choices of the first argument (e.g. the kinds of `get`). */
  argumentChoices: string[];
}

export function completionModel(program: Command): CommandModel[] {
  return program.commands.map((c) => ({
    name: c.name(),
    summary: c.description(),
    options: [...c.options, c.createOption('-h, --help', 'display help')].map((o) => ({
      flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
      takesValue: o.required || o.optional,
      choices: o.argChoices ?? [],
      description: o.description,
    })),
    argumentChoices: c.registeredArguments[0]?.argChoices ?? [],
  }));
}

const words = (list: readonly string[]) => list.join(' ');
const quoteFish = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function bash(commands: CommandModel[]): string {
  const cases = commands.map((c) => {
    const valued = c.options.filter((o) => o.takesValue);
    const valueCases = valued
      .filter((o) => o.choices.length > 0)
      .map(
        (o) =>
          `        ${o.flags.join('|')}) COMPREPLY=($(compgen -W "${words(o.choices)}" -- "$cur")); return ;;`,
      );
    const files = valued.filter((o) => o.choices.length === 0).flatMap((o) => o.flags);
    return [
      `    ${c.name})`,
      '      case "$prev" in',
      ...valueCases,
      ...(files.length > 0 ? [`        ${files.join('|')}) return ;;`] : []),
      '      esac',
      `      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "${words(c.options.flatMap((o) => o.flags))}" -- "$cur"))`,
      ...(c.argumentChoices.length > 0
        ? [`      else COMPREPLY=($(compgen -W "${words(c.argumentChoices)}" -- "$cur"))`]
        : []),
      '      fi ;;',
    ].join('\n');
  });
  return `# amime completion for bash: eval "$(amime completion bash)", e.g. in ~/.bashrc
_amime_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  COMPREPLY=()
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${words(commands.map((c) => c.name))} help --help --version" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases.join('\n')}
  esac
}
complete -o default -F _amime_complete amime
`;
}

function zsh(commands: CommandModel[]): string {
  return `# amime completion for zsh: eval "$(amime completion zsh)", e.g. in ~/.zshrc
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bash(commands).split('\n').slice(1).join('\n')}`;
}

function fish(commands: CommandModel[]): string {
  const lines = [
    '# amime completion for fish: amime completion fish > ~/.config/fish/completions/amime.fish',
    'complete -c amime -f',
  ];
  for (const c of commands)
    lines.push(`complete -c amime -n __fish_use_subcommand -a ${c.name} -d ${quoteFish(c.summary)}`);
  for (const c of commands) {
    const when = `-n '__fish_seen_subcommand_from ${c.name}'`;
    if (c.argumentChoices.length > 0)
      lines.push(`complete -c amime ${when} -a ${quoteFish(words(c.argumentChoices))}`);
    else lines.push(`complete -c amime ${when} -F`);
    for (const o of c.options) {
      const names = o.flags
        .map((f) => (f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`))
        .join(' ');
      const value = !o.takesValue
        ? ''
        : o.choices.length > 0
          ? ` -x -a ${quoteFish(words(o.choices))}`
          : ' -r -F';
      lines.push(
        `complete -c amime ${when} ${names}${value} -d ${quoteFish(o.description.split('\n')[0] ?? '')}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: Shell, program: Command): string {
  const model = completionModel(program);
  return shell === 'bash' ? bash(model) : shell === 'zsh' ? zsh(model) : fish(model);
}
