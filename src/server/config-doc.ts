/**
 * docs/configuration.md, generated from the settings (`npm run gen`; a test fails when
 * it is stale): every key of the `-c` file with its flag, type, default and meaning.
 */
import { SERVE_SETTINGS, type Setting } from './settings.js';

export const CONFIG_DOC = 'docs/configuration.md';

function typeText(s: Setting): string {
  if (s.choices) return s.choices.map((c) => `\`${c}\``).join(' \\| ');
  if (s.type === 'list') return 'list of strings';
  if (s.type === 'map') return 'map of name → integer';
  return s.type;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function renderConfigDoc(): string {
  const rows = SERVE_SETTINGS.map(
    (s) =>
      `| \`${s.key}\` | \`${s.flag}${s.arg ? ` ${s.arg}` : ''}\` | ${typeText(s)} | ${s.default === undefined ? '' : `\`${String(s.default)}\``} | ${cell(s.description)} |`,
  );
  return `<!-- Generated from src/server/config.ts by \`npm run gen\`; do not edit. -->
# \`amime serve\` configuration

Every setting is a flag and a key of the YAML or JSON file given with \`-c\`; a flag
overrides the file, and the file overrides the default. Nested keys are written as
nested maps (\`xds.authFile\` is \`authFile:\` under \`xds:\`). An unknown key or a value
of the wrong type is an error naming the key. [\`examples/amime.yaml\`](../examples/amime.yaml)
sets every key. A \`--no-x\` flag turns off a setting that is on by default (\`x: false\`
in the file).

| key | flag | type | default | what |
|---|---|---|---|---|
${rows.join('\n')}

Files that settings point to have their own formats: [file-formats.md](file-formats.md).
`;
}
