/**
 * `amime serve`: run the control plane. Its flags are the settings of the config
 * file, one list (src/server/settings.ts); the server itself is loaded only to run.
 */
import { Option, type Command } from 'commander';
import {
  ConfigError,
  readConfigFile,
  resolveConfig,
  type ServeConfig,
  SERVE_SETTINGS,
  inputFromFlags,
  type Setting,
} from '../../server/index.js';
import { CliError } from '../failure.js';

const EXAMPLES = `
Every flag is also a key of the -c file (shown after each flag); docs/configuration.md
lists them with an example file, examples/amime.yaml.

Examples:
  $ amime serve                                  # SQLite in ./amime-data; a fresh one gets the example mesh
  $ amime serve --from ./manifests               # serve a folder of App Mesh YAML, reloaded on change
  $ amime serve --store etcd --etcd-endpoints http://10.0.0.1:2379   # several replicas share etcd
  $ amime serve -c examples/amime.yaml --log-format json
  $ aws appmesh list-virtual-nodes --mesh-name mesh-1 --endpoint-url http://127.0.0.1:9080

Envoy: point a sidecar at the xDS address with node id mesh/<mesh>/virtualNode/<name>;
\`amime bootstrap --proxy <id> --xds <host:port>\` prints a bootstrap file.`;

const collect = (value: string, previous: string[] = []) => [...previous, value];

function optionOf(s: Setting): Option {
  const shown = s.default === undefined || s.type === 'boolean' ? '' : `; default ${String(s.default)}`;
  const option = new Option(
    s.arg ? `${s.flag} ${s.arg}` : s.flag,
    `${s.description} (config: ${s.key}${shown})`,
  );
  if (s.choices) option.choices(s.choices);
  if (s.type === 'map') option.argParser(collect);
  return option;
}

export function configure(command: Command): void {
  command.option(
    '-c, --config <file>',
    'YAML or JSON file of settings (the keys shown below); flags override it',
  );
  const options = SERVE_SETTINGS.map((s) => {
    const option = optionOf(s);
    command.addOption(option);
    return { s, attribute: option.attributeName() };
  });
  command
    .addHelpText('after', EXAMPLES)
    .action(async (flags: Record<string, unknown> & { config?: string }) => {
      let config: ServeConfig;
      try {
        // Only what was typed counts: a --no-x flag's implied default must not hide the file's value.
        const typed = inputFromFlags((s) => {
          const o = options.find((x) => x.s === s)!;
          return command.getOptionValueSource(o.attribute) === 'cli' ? flags[o.attribute] : undefined;
        });
        config = resolveConfig(flags.config ? readConfigFile(flags.config) : {}, typed);
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(err.message, 2);
        throw err;
      }
      const { runServe } = await import('../run-serve.js');
      await runServe(config);
    });
}
