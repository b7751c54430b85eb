/**
 * Bootstrap goldens: each `testdata/bootstrap/in/<case>.yaml` (node id, xDS address,
 * transport, the App Mesh image's environment variables, the files they name; its
 * header cites the agent code it follows) is rendered as `amime bootstrap` renders it
 * and compared with `testdata/bootstrap/out/<case>.yaml`. Every output must pass the
 * proto/PGV check and load in the real Envoy (`envoy --mode validate`).
 * `npm run golden:update` rewrites the outputs.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ENVOY, describeWithPrograms, programPath } from '../../test/support/system-programs.js';
import { makePki } from '../../test/e2e/support/certs.js';
import { suiteTempDir } from '../../test/support/temp-dir.js';
import {
  bootstrap,
  bootstrapJson,
  bootstrapProblems,
  parseXdsAddress,
  type XdsTransport,
} from './bootstrap.js';
import { mergeCustomConfigs } from './bootstrap-custom.js';
import { REMOVED_UPSTREAM_GUARDS } from './bootstrap-runtime.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const inDir = path.join(here, 'testdata', 'bootstrap', 'in');
const outDir = path.join(here, 'testdata', 'bootstrap', 'out');
const update = process.env['AMIME_UPDATE_GOLDEN'] === '1';
const cases = readdirSync(inDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

interface Case {
  nodeId: string;
  xds: string;
  transport?: XdsTransport;
  env: Record<string, string>;
  files?: Record<string, string>;
  appMeshImage?: boolean;
}

function render(file: string): string {
  const c = YAML.parse(readFileSync(path.join(inDir, file), 'utf8')) as Case;
  const xds = parseXdsAddress(c.xds);
  if (!xds) throw new Error(`${file}: bad xds address ${c.xds}`);
  const readFile = (f: string): string => {
    const text = c.files?.[f];
    if (text === undefined) throw new Error(`${file}: no file ${f} in the case's files`);
    return text;
  };
  const b = bootstrap({
    nodeId: c.nodeId,
    xds,
    env: c.env,
    readFile,
    ...(c.transport ? { transport: c.transport } : {}),
    ...(c.appMeshImage ? { appMeshImage: true } : {}),
  });
  expect(bootstrapProblems(b), file).toEqual([]);
  const merged = mergeCustomConfigs(bootstrapJson(b), c.env, readFile);
  const banner = `# Generated from ../in/${file} by src/envoy/bootstrap.golden.test.ts; run \`npm run golden:update\` to regenerate.\n`;
  const warnings = merged.warnings.map((w) => `# warning: ${w}\n`).join('');
  return banner + warnings + YAML.stringify(merged.bootstrap, { lineWidth: 0 });
}

describe('bootstrap goldens', () => {
  it('every case has an output and every output a case', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
    if (!update) for (const c of cases) expect(existsSync(path.join(outDir, c)), c).toBe(true);
    for (const o of readdirSync(outDir).filter((f) => f.endsWith('.yaml')))
      expect(cases, `orphan ${o}`).toContain(o);
  });

  for (const file of cases) {
    it(file, () => {
      const actual = render(file);
      const target = path.join(outDir, file);
      if (update) {
        mkdirSync(outDir, { recursive: true });
        writeFileSync(target, actual);
      } else expect(actual).toBe(readFileSync(target, 'utf8'));
    });
  }
});

describeWithPrograms('bootstrap goldens load in the real Envoy', [ENVOY], (programs) => {
  const envoy = programPath(programs, ENVOY);
  // The files the secured cases name, made real: Envoy reads them while it validates.
  const scratch = suiteTempDir('amime-bootstrap-validate-');
  let dir: string;
  beforeAll(() => {
    dir = scratch();
    const pki = makePki();
    const client = pki.client('envoy', 'vnode-x');
    for (const [name, content] of [
      ['xds-ca.pem', pki.ca],
      ['xds-token', 'token-for-validation'],
      ['envoy.crt', client.cert],
      ['envoy.key', client.key],
    ] as const)
      writeFileSync(path.join(dir, name), content);
  });

  for (const file of cases) {
    it(file, { timeout: 60_000 }, async () => {
      const text = readFileSync(path.join(outDir, file), 'utf8').replaceAll('/etc/amime/', `${dir}/`);
      const config = path.join(dir, file);
      writeFileSync(config, text);
      // A file, not a pipe, for Envoy's output: it opens /dev/stdout (the outlier event log), which a socket cannot be.
      const log = path.join(dir, `${file}.log`);
      const fd = openSync(log, 'w');
      const proc = spawn(envoy, ['--mode', 'validate', '-c', config, '-l', 'warning'], {
        stdio: ['ignore', fd, fd],
      });
      closeSync(fd);
      const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
      const output = readFileSync(log, 'utf8');
      expect(code, `envoy --mode validate -c ${file}:\n${output}`).toBe(0);
      // Upstream Envoy logs an "envoy bug" for runtime guards it removed; only the App Mesh image's bootstrap keeps them.
      const bugs = [...output.matchAll(/Using a removed guard (\S+)\./g)].map((m) => m[1]);
      if (file !== 'appmesh-image.yaml') expect(bugs, output).toEqual([]);
      else for (const b of bugs) expect(REMOVED_UPSTREAM_GUARDS).toContain(b);
    });
  }
});
