/**
 * Issue 15 item 7: the `-c` file's keys and the flags of `amime serve` are one list,
 * the generated docs/configuration.md is current, and examples/amime.yaml sets every key.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/support/fixtures.js';
import {
  CONFIG_DOC,
  SERVE_SETTINGS,
  inputFromFlags,
  readConfigFile,
  renderConfigDoc,
  resolveConfig,
  type Setting,
} from '../server/index.js';
import { buildProgram } from './program.js';

const EXAMPLE = path.join(REPO_ROOT, 'examples/amime.yaml');

function keysOf(value: unknown, prefix = ''): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) =>
    k === 'quotas' ? [k] : keysOf(v, prefix ? `${prefix}.${k}` : k),
  );
}

describe('amime serve settings', () => {
  it('every flag of `amime serve` is a config key and every config key a flag', async () => {
    const program = await buildProgram(['serve']);
    const serve = program.commands.find((c) => c.name() === 'serve')!;
    const flags = serve.options.map((o) => o.long).filter((f) => f !== '--config');
    expect(flags.sort()).toEqual(SERVE_SETTINGS.map((s) => s.flag).sort());
    expect(new Set(SERVE_SETTINGS.map((s) => s.key)).size).toBe(SERVE_SETTINGS.length);
  });

  it(`${CONFIG_DOC} is generated from them (run npm run gen when this fails)`, () => {
    expect(readFileSync(path.join(REPO_ROOT, CONFIG_DOC), 'utf8')).toBe(renderConfigDoc());
  });

  it('examples/amime.yaml sets every key and is a valid configuration', () => {
    const file = readConfigFile(EXAMPLE);
    expect(keysOf(file).sort()).toEqual(SERVE_SETTINGS.map((s) => s.key).sort());
    expect(() => resolveConfig(file, {})).not.toThrow();
    expect(keysOf(parse(readFileSync(EXAMPLE, 'utf8')))).toEqual(keysOf(file));
  });

  it('a flag overrides the file; a file value stays when its flag is not given', () => {
    const given = (values: Record<string, unknown>) => (s: Setting) => values[s.flag];
    const flags = inputFromFlags(given({ '--region': 'eu-west-1', '--quota': ['virtualNodesPerMesh=7'] }));
    const config = resolveConfig(
      { region: 'ap-northeast-1', seed: false, kubernetes: { initImage: 'x/init:1' } },
      flags,
    );
    expect(config.region).toBe('eu-west-1');
    expect(config.seed).toBe(false);
    expect(config.quotas.virtualNodesPerMesh).toBe(7);
    expect(config.kubernetes.initImage).toBe('x/init:1');
    expect(config.kubernetes.sidecarImage).toBe('envoyproxy/envoy:v1.40.0');
  });

  it('a bad flag value names the flag; a bad file value names the file and the key', () => {
    const given = (values: Record<string, unknown>) => (s: Setting) => values[s.flag];
    expect(() => inputFromFlags(given({ '--debounce-max-ms': 'soon' }))).toThrow(
      '--debounce-max-ms: expected a whole number, got "soon"',
    );
    expect(() => inputFromFlags(given({ '--account-id': '12' }))).toThrow(/^--account-id: /);
    const dir = mkdtempSync(path.join(tmpdir(), 'amime-config-'));
    const file = path.join(dir, 'amime.yaml');
    writeFileSync(file, 'xds:\n  authFile: 3\nbogus: 1\n');
    try {
      expect(() => readConfigFile(file)).toThrow(`${file}: invalid configuration`);
      expect(() => readConfigFile(file)).toThrow(/xds\.authFile: Expected string/);
      expect(() => readConfigFile(file)).toThrow(/bogus/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
