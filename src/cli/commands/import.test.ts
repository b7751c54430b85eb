/**
 * `amime import` as a user meets it: the four input mistakes of issue 13 each exit 1
 * with one message naming the file (with line and column), the resource and the fix,
 * and nothing on stdout.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suiteTempDir } from '../../../test/support/temp-dir.js';
import { createApiServer } from '../../api/index.js';
import type { ImportFormat } from '../../import/index.js';
import { createMemoryStore } from '../../store/index.js';
import { runImport, type ImportCliOptions } from './import.js';

const dir = suiteTempDir('amime-import-cli-');

const OPTIONS: ImportCliOptions = { output: 'yaml', parameter: {}, importValue: {}, resolve: {} };

async function run(
  format: ImportFormat,
  name: string,
  text: string,
  options: Partial<ImportCliOptions> = {},
) {
  const file = path.join(dir(), name);
  writeFileSync(file, text);
  let stdout = '';
  let stderr = '';
  const code = await runImport(
    format,
    [file],
    { ...OPTIONS, ...options },
    { write: (s: string) => (stdout += s) },
    { write: (s: string) => (stderr += s) },
  );
  return { code, stdout, stderr: stderr.replaceAll(dir() + path.sep, '') };
}

const TEMPLATE = `Resources:
  Mesh:
    Type: AWS::AppMesh::Mesh
    Properties:
      MeshName: shop
  Api:
    Type: AWS::AppMesh::VirtualNode
    Properties:
      MeshName: !Ref Mesh
      VirtualNodeName: api
      Spec:
        Backends:
          - VirtualService:
              VirtualServiceName: !ImportValue shared-catalog-service
`;

describe('amime import: input mistakes', () => {
  it('an unresolved !ImportValue', async () => {
    const r = await run('cloudformation', 'app.yaml', TEMPLATE.replace('!Ref Mesh', 'shop'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'app.yaml:14:35: error: AWS::AppMesh::VirtualNode Api: Fn::ImportValue shared-catalog-service: the value is exported by another stack; pass --import-value shared-catalog-service=VALUE [import.unresolved]\n' +
        'amime import: nothing written: fix the errors above (1 error)\n',
    );
    const fixed = await run('cloudformation', 'app.yaml', TEMPLATE.replace('!Ref Mesh', 'shop'), {
      importValue: { 'shared-catalog-service': 'catalog.shop.local' },
    });
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain(
      'virtualServiceARN: arn:aws:appmesh:us-west-2:000000000000:mesh/shop/virtualService/catalog.shop.local',
    );
  });

  it('a malformed template', async () => {
    const r = await run(
      'cloudformation',
      'broken.yaml',
      TEMPLATE.replace('      VirtualNodeName: api', '      VirtualNodeName: [api'),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^broken\.yaml:\d+:\d+: error: .* \(in resource Api\); a CloudFormation template is YAML or JSON: fix the syntax at this place \[import\.syntax\]\n/,
    );
  });

  it('a Terraform JSON with no App Mesh resources', async () => {
    const state = {
      format_version: '1.0',
      values: {
        root_module: {
          resources: [
            { address: 'aws_ecs_service.api', mode: 'managed', type: 'aws_ecs_service', values: {} },
          ],
        },
      },
    };
    const r = await run('terraform', 'state.json', JSON.stringify(state, null, 2));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'state.json:4:20: error: no aws_appmesh_* resources among the 1 managed resources (aws_ecs_service.api) of values.root_module and its child modules; pass the state (terraform show -json) of the configuration that manages the mesh [import.no-resources]\n' +
        'amime import: nothing written: fix the errors above (1 error)\n',
    );
  });

  it('a describe-* file of an unknown shape', async () => {
    const r = await run('appmesh-json', 'dump.json', '{\n  "VirtualNodeName": "api",\n  "Spec": {}\n}\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'dump.json:1:1: error: not an App Mesh API object (its keys are VirtualNodeName, Spec): expected the output of aws appmesh describe-* ({"mesh": ...}, {"virtualNode": ...}, ...) or list-* ({"meshes": [...]}, ...), or a MeshData/VirtualNodeData/... object with meshName and spec; pass that output unchanged [import.unknown-shape]\n' +
        'amime import: nothing written: fix the errors above (1 error)\n',
    );
  });

  it('reads standard input for -, and names it <stdin> in messages', async () => {
    const run = async (text: string) => {
      let stdout = '';
      let stderr = '';
      const code = await runImport(
        'cloudformation',
        ['-'],
        OPTIONS,
        { write: (s: string) => (stdout += s) },
        { write: (s: string) => (stderr += s) },
        () => text,
      );
      return { code, stdout, stderr };
    };
    const plain = TEMPLATE.replace('!Ref Mesh', 'shop');
    const ok = await run(plain.replace('!ImportValue shared-catalog-service', 'catalog.shop.local'));
    expect(ok.stderr).toMatch(/^<stdin>:6:3: warning: AWS::AppMesh::VirtualNode Api: .* not in the input/);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('kind: VirtualNode');
    const bad = await run(plain);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^<stdin>:14:35: error: .*pass --import-value shared-catalog-service=VALUE/);
  });

  it('an unreadable file', async () => {
    let stderr = '';
    const code = await runImport(
      'terraform',
      [path.join(dir(), 'missing.json')],
      OPTIONS,
      { write: () => 0 },
      {
        write: (s: string) => (stderr += s),
      },
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/^amime import: cannot read .*missing\.json: ENOENT/);
  });
});

describe('amime import --server: progress', () => {
  let app: FastifyInstance;
  let server: string;
  beforeAll(async () => {
    app = createApiServer({ store: createMemoryStore(), rateLimit: false });
    server = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => app.close());

  const dump = (mesh: string) =>
    JSON.stringify([
      { mesh: { meshName: mesh, spec: {} } },
      ...Array.from({ length: 24 }, (_, i) => ({
        virtualNode: { meshName: mesh, virtualNodeName: `node-${i}`, spec: {} },
      })),
    ]);

  async function importTo(mesh: string, isTTY: boolean) {
    const file = path.join(dir(), `${mesh}.json`);
    writeFileSync(file, dump(mesh));
    let stdout = '';
    let stderr = '';
    const code = await runImport(
      'appmesh-json',
      [file],
      { ...OPTIONS, server },
      { write: (s: string) => (stdout += s) },
      { write: (s: string) => (stderr += s), isTTY },
    );
    return { code, stdout, stderr };
  }

  it('counts the resources on a terminal and clears the line when done', async () => {
    const r = await importTo('tty', true);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('\r\u001b[2K[1/25] mesh/tty');
    expect(r.stderr).toContain('[25/25] virtualnode/node-9');
    expect(r.stderr.endsWith('\r\u001b[2K')).toBe(true);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(25);
  });

  it('writes nothing but the results when piped', async () => {
    const r = await importTo('piped', false);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('mesh/piped created\n');
  });
});
