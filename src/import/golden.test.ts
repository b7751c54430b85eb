/**
 * Golden tests: one mesh with every App Mesh resource type and every spec field of the
 * API, written four ways (testdata/in): a CloudFormation YAML template using every
 * intrinsic function, a template shaped as `cdk synth` writes it, `terraform show
 * -json` of a state, and `aws appmesh describe-*` output. All four import to the same
 * manifests (testdata/out/manifests.yaml), which validate clean and give the proxies
 * the same Envoy configuration as the same resources created through the REST API.
 * `AMIME_UPDATE_GOLDEN=1 npx vitest run src/import` rewrites the outputs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepPath, createApiServer } from '../api/index.js';
import { NO_ENDPOINTS, proxyGroups, translateGroupDetailed, resourcesView } from '../envoy/index.js';
import { loadText } from '../load/index.js';
import { buildMeshGraph, validateLoaded, type MeshGraph } from '../mesh/index.js';
import { API_KIND_INFO, API_KINDS } from '../model/api-form/index.js';
import { formatDiagnostic } from '../model/index.js';
import { createMemoryStore, StoreMirror, StoreSource } from '../store/index.js';
import {
  importFiles,
  renderManifests,
  sortForApi,
  toApiJson,
  toManifests,
  type ImportFormat,
} from './index.js';
import type { ImportResult } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const inDir = path.join(here, 'testdata', 'in');
const outDir = path.join(here, 'testdata', 'out');
const update = process.env['AMIME_UPDATE_GOLDEN'] === '1';

const FLAGS = {
  region: 'eu-west-1',
  accountId: '111122223333',
  parameters: { Env: 'prod' },
  importValues: {
    'shop-ca-authority-arn': 'arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/ca-1',
  },
};
const INPUTS: ReadonlyArray<[ImportFormat, string]> = [
  ['cloudformation', 'mesh.template.yaml'],
  ['cloudformation', 'cdk.template.json'],
  ['terraform', 'terraform-state.json'],
  ['appmesh-json', 'describe.json'],
];

function importOne(format: ImportFormat, file: string): ImportResult {
  const rel = path.join('src/import/testdata/in', file);
  return importFiles(format, [{ path: rel, text: readFileSync(path.join(inDir, file), 'utf8') }], FLAGS);
}

function golden(name: string, actual: string): void {
  const target = path.join(outDir, name);
  if (update) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(target, actual);
    return;
  }
  expect(actual).toBe(readFileSync(target, 'utf8'));
}

const errorsOf = (r: { diagnostics: ImportResult['diagnostics'] }) =>
  r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);

describe('import goldens', () => {
  const results = new Map(INPUTS.map(([format, file]) => [file, importOne(format, file)]));
  const manifests = (file: string) => {
    const m = toManifests(results.get(file)!.resources);
    expect(errorsOf(m)).toEqual([]);
    return renderManifests(m.objects);
  };

  for (const [, file] of INPUTS) {
    it(`${file} imports without errors to testdata/out/manifests.yaml`, () => {
      expect(errorsOf(results.get(file)!)).toEqual([]);
      golden('manifests.yaml', manifests(file));
    });
  }

  it('the CloudFormation template gives testdata/out/cloudformation.api.json and names every lossy step', () => {
    const r = results.get('mesh.template.yaml')!;
    golden('cloudformation.api.json', toApiJson(r.resources));
    const warnings = [...r.diagnostics, ...toManifests(r.resources).diagnostics]
      .filter((d) => d.severity === 'warning')
      .map(formatDiagnostic);
    golden('cloudformation.warnings.txt', `${warnings.join('\n')}\n`);
  });

  it('a template cdk synth wrote (testdata/in/cdk-synth) imports to testdata/out/cdk-synth.manifests.yaml, which validates clean', () => {
    const r = importOne('cloudformation', 'cdk-synth/ShopMeshStack.template.json');
    expect(errorsOf(r)).toEqual([]);
    const m = toManifests(r.resources);
    expect(errorsOf(m)).toEqual([]);
    const text = renderManifests(m.objects);
    golden('cdk-synth.manifests.yaml', text);
    const warnings = [...r.diagnostics, ...m.diagnostics].map(formatDiagnostic);
    golden('cdk-synth.warnings.txt', `${warnings.join('\n')}\n`);
    const { diagnostics } = validateLoaded(loadText(text, 'manifests.yaml'));
    expect(diagnostics.map(formatDiagnostic)).toEqual([]);
  });

  it('gives the same API resources from every source (describe-* output carries no tags)', () => {
    const untagged = (file: string) =>
      toApiJson(results.get(file)!.resources.map(({ tags: _tags, ...r }) => r));
    const expected = untagged('mesh.template.yaml');
    for (const [, file] of INPUTS) expect(untagged(file), file).toBe(expected);
  });

  it('covers every spec field of every kind of the App Mesh API', () => {
    const seen = new Set<string>();
    for (const r of results.get('describe.json')!.resources) collectPaths(r.spec, r.kind, seen);
    const missing = API_KINDS.flatMap((kind) =>
      schemaPaths(API_KIND_INFO[kind].spec, kind).filter((p) => !seen.has(p)),
    );
    expect(missing).toEqual([]);
    expect(new Set(results.get('describe.json')!.resources.map((r) => r.kind))).toEqual(new Set(API_KINDS));
  });

  it('uses every intrinsic function and short form in the template', () => {
    const text = readFileSync(path.join(inDir, 'mesh.template.yaml'), 'utf8');
    const forms = [
      '!Ref ',
      '!Sub ',
      '!GetAtt ',
      '!Join ',
      '!If ',
      '!Select ',
      '!Split ',
      '!FindInMap ',
      '!ImportValue ',
      '!Equals ',
      '!Not ',
      '!Or ',
      '!Condition ',
      '!Base64 ',
      '!GetAZs ',
      '!Cidr ',
      'Ref:',
      'Fn::GetAtt:',
      'Fn::Sub:',
      'Fn::And:',
      'Condition:',
      'AWS::NoValue',
      '${AWS::Partition}',
      '${AWS::Region}',
      '${AWS::AccountId}',
    ];
    for (const form of forms) expect(text, form).toContain(form);
  });

  it('validates clean', () => {
    const { diagnostics } = validateLoaded(loadText(manifests('mesh.template.yaml'), 'manifests.yaml'));
    expect(diagnostics.map(formatDiagnostic)).toEqual([]);
  });

  describe('renders what the same resources created through the REST API render', () => {
    let fromManifests: MeshGraph;
    let fromApi: MeshGraph;
    let close: () => Promise<void>;
    beforeAll(async () => {
      fromManifests = validateLoaded(loadText(manifests('terraform-state.json'), 'manifests.yaml')).graph;
      const store = createMemoryStore();
      const app = createApiServer({
        store,
        rateLimit: false,
        region: FLAGS.region,
        accountId: FLAGS.accountId,
      });
      await app.ready();
      for (const r of sortForApi(results.get('mesh.template.yaml')!.resources)) {
        const info = API_KIND_INFO[r.kind];
        const res = await app.inject({
          method: 'PUT',
          url: `/v20190125${stepPath(r, false)}`,
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({
            [r.kind === 'Mesh' ? 'meshName' : info.nameField]: r.name,
            spec: r.spec,
          }),
        });
        expect(res.statusCode, `${r.kind} ${r.name}: ${res.body}`).toBe(200);
      }
      const mirror = await StoreMirror.open(store);
      const source = new StoreSource(mirror, () => {});
      fromApi = buildMeshGraph(source.graphInput());
      close = async () => {
        source.close();
        mirror.close();
        await app.close();
      };
    });
    afterAll(() => close?.());

    it('for every virtual node (Envoy and proxyless gRPC) and gateway', () => {
      const groups = proxyGroups(fromManifests);
      expect(groups.length).toBe(11);
      for (const g of groups) {
        const view = (graph: MeshGraph) =>
          withoutKubernetesNames(resourcesView(translateGroupDetailed(graph, g, NO_ENDPOINTS).resources));
        expect(view(fromManifests), g.key).toEqual(view(fromApi));
      }
    });
  });
});

/**
 * A VirtualService in a namespace is also reachable by its Kubernetes service names
 * (`<name>.<namespace>.svc.cluster.local`); the API has no namespaces, so those names
 * are the one expected difference.
 */
function withoutKubernetesNames(value: unknown): unknown {
  const k8s = /\.svc(\.cluster\.local)?(:\d+)?$/;
  if (Array.isArray(value))
    return value
      .filter((v) => !(typeof v === 'string' && k8s.test(v)))
      .filter((v) => !(v && typeof v === 'object' && k8s.test(String((v as { name?: unknown }).name))))
      .map(withoutKubernetesNames);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutKubernetesNames(v)]));
}

type Schema = TSchema & { properties?: Record<string, Schema>; items?: Schema };

function schemaPaths(schema: Schema, at: string): string[] {
  if (schema.type === 'array' && schema.items) return schemaPaths(schema.items, `${at}[]`);
  if (schema.type !== 'object') return [at];
  return Object.entries(schema.properties ?? {}).flatMap(([k, s]) => schemaPaths(s, `${at}.${k}`));
}

function collectPaths(value: unknown, at: string, out: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) collectPaths(v, `${at}[]`, out);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) collectPaths(v, `${at}.${k}`, out);
  else out.add(at);
}
