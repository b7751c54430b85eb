import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../model/index.js';
import { loadText } from './index.js';

const lines = (r: { diagnostics: Parameters<typeof formatDiagnostic>[0][] }): string[] =>
  r.diagnostics.map(formatDiagnostic);

describe('classification', () => {
  it('sorts mesh objects, namespaces, pods and the rest', () => {
    const r = loadText(
      [
        'apiVersion: appmesh.k8s.aws/v1beta2\nkind: Mesh\nmetadata: {name: m}',
        'apiVersion: appmesh.k8s.aws/v1beta2\nkind: BackendGroup\nmetadata: {name: bg, namespace: ns}',
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: ns, labels: {mesh: m}}',
        'apiVersion: v1\nkind: Service\nmetadata: {name: s}',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}',
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization',
      ].join('\n---\n'),
      'mix.yaml',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.meshObjects.map((o) => (o.object as { kind: string }).kind)).toEqual(['Mesh', 'BackendGroup']);
    expect(r.namespaces.map((n) => n.name)).toEqual(['ns']);
    expect(r.pods).toEqual([]);
    expect(r.ignored).toBe(3);
  });

  it('defaults the namespace of namespaced mesh objects, not of the Mesh', () => {
    const r = loadText(
      'apiVersion: appmesh.k8s.aws/v1beta2\nkind: Mesh\nmetadata: {name: m}\n---\n' +
        'apiVersion: appmesh.k8s.aws/v1beta2\nkind: VirtualNode\nmetadata: {name: vn}\n---\n' +
        'apiVersion: appmesh.k8s.aws/v1beta2\nkind: VirtualService\nmetadata: {name: vs, namespace: own}\n',
      'ns.yaml',
    );
    expect(r.meshObjects.map((o) => (o.object as { metadata: unknown }).metadata)).toEqual([
      { name: 'm' },
      { name: 'vn', namespace: 'default' },
      { name: 'vs', namespace: 'own' },
    ]);
  });

  it('reads pods from a Pod and from the template of every workload kind', () => {
    const tpl =
      'template: {metadata: {labels: {app: X}, annotations: {note: X}}, spec: {containers: [{name: c}]}}';
    const docs = [
      'apiVersion: v1\nkind: Pod\nmetadata: {name: pod, namespace: n, labels: {app: pod}, annotations: {note: pod}}\nspec: {containers: [{name: c}]}',
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: dep, namespace: n}\nspec: {${tpl.replace(/X/g, 'dep')}}`,
      `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: sts}\nspec: {${tpl.replace(/X/g, 'sts')}}`,
      `apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ds, namespace: n}\nspec: {${tpl.replace(/X/g, 'ds')}}`,
      `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: rs, namespace: n}\nspec: {${tpl.replace(/X/g, 'rs')}}`,
      `apiVersion: v1\nkind: ReplicationController\nmetadata: {name: rc, namespace: n}\nspec: {${tpl.replace(/X/g, 'rc')}}`,
      `apiVersion: batch/v1\nkind: Job\nmetadata: {name: job, namespace: n}\nspec: {${tpl.replace(/X/g, 'job')}}`,
      `apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cron, namespace: n}\nspec:\n  schedule: "* * * * *"\n  jobTemplate:\n    spec:\n      ${tpl.replace(/X/g, 'cron')}`,
    ];
    const r = loadText(docs.join('\n---\n'), 'w.yaml');
    expect(r.diagnostics).toEqual([]);
    expect(r.pods.map((p) => [p.origin, p.namespace, p.name, p.labels.app, p.annotations.note])).toEqual([
      ['Pod', 'n', 'pod', 'pod', 'pod'],
      ['Deployment', 'n', 'dep', 'dep', 'dep'],
      ['StatefulSet', 'default', 'sts', 'sts', 'sts'],
      ['DaemonSet', 'n', 'ds', 'ds', 'ds'],
      ['ReplicaSet', 'n', 'rs', 'rs', 'rs'],
      ['ReplicationController', 'n', 'rc', 'rc', 'rc'],
      ['Job', 'n', 'job', 'job', 'job'],
      ['CronJob', 'n', 'cron', 'cron', 'cron'],
    ]);
    for (const p of r.pods) expect(p.podSpec).toEqual({ containers: [{ name: 'c' }] });
    const cron = r.pods[7]!;
    // Pod-relative paths land inside spec.jobTemplate.spec.template.
    expect(cron.locate(['metadata', 'labels', 'app'])).toEqual({ file: 'w.yaml', line: 43, col: 38 });
    expect(cron.source).toEqual({ file: 'w.yaml', line: 43, col: 29 });
  });

  it('a kind of the wrong API group is not a workload', () => {
    const r = loadText(
      'apiVersion: example.com/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {}}',
      'g.yaml',
    );
    expect(r.pods).toEqual([]);
    expect(r.ignored).toBe(1);
  });

  it('reports workloads without a name or a pod template', () => {
    const r = loadText(
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {namespace: n}\nspec: {template: {}}\n---\n' +
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: n}\nspec: {replicas: 1}\n',
      'w.yaml',
    );
    expect(lines(r)).toEqual([
      'w.yaml:3:1: error: metadata.name: Deployment has no metadata.name [load.missing-name]',
      'w.yaml:9:1: error: Deployment n/d: spec.template: Deployment has no pod template at spec.template [load.missing-pod-template]',
    ]);
  });

  it('reports non-string labels and annotations at their keys and leaves them out', () => {
    const r = loadText(
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n  labels:\n    ok: "1"\n    port: 80\n    on: true\n',
      'l.yaml',
    );
    expect(r.namespaces[0]!.labels).toEqual({ ok: '1' });
    expect(lines(r)).toEqual([
      'l.yaml:7:5: error: Namespace ns: metadata.labels.port: value must be a string, found number 80 (quote it: "80") [load.invalid-map]',
      'l.yaml:8:5: error: Namespace ns: metadata.labels.on: value must be a string, found boolean true (quote it: "true") [load.invalid-map]',
    ]);
  });

  it('rejects other appmesh.k8s.aws versions, naming the supported one', () => {
    const r = loadText('apiVersion: appmesh.k8s.aws/v1beta1\nkind: Mesh\nmetadata: {name: m}\n', 'v.yaml');
    expect(r.meshObjects).toEqual([]);
    expect(lines(r)).toEqual([
      'v.yaml:1:1: error: Mesh m: apiVersion: appmesh.k8s.aws/v1beta1 is not supported; use appmesh.k8s.aws/v1beta2 [load.unsupported-version]',
    ]);
  });

  it('rejects unknown kinds of the group, with a hint for a wrong case', () => {
    const r = loadText(
      'apiVersion: appmesh.k8s.aws/v1beta2\nkind: Route\nmetadata: {name: r}\n---\n' +
        'apiVersion: appmesh.k8s.aws/v1beta2\nkind: virtualNode\nmetadata: {name: v}\n',
      'k.yaml',
    );
    expect(r.meshObjects).toEqual([]);
    expect(lines(r)).toEqual([
      'k.yaml:2:1: error: Route r: kind: "Route" is not a kind of appmesh.k8s.aws/v1beta2; expected one of Mesh, VirtualNode, VirtualService, VirtualRouter, VirtualGateway, GatewayRoute, BackendGroup [load.unknown-kind]',
      'k.yaml:6:1: error: virtualNode v: kind: "virtualNode" is not a kind of appmesh.k8s.aws/v1beta2; did you mean VirtualNode? [load.unknown-kind]',
    ]);
  });

  it('reports a missing or malformed apiVersion and kind', () => {
    const r = loadText('# no header\nmetadata: {name: x}\n---\napiVersion: 1\nkind: ""\n', 'h.yaml');
    expect(lines(r)).toEqual([
      'h.yaml:2:1: error: apiVersion is missing [load.missing-api-version]',
      'h.yaml:2:1: error: kind is missing [load.missing-kind]',
      'h.yaml:4:1: error: apiVersion: must be a non-empty string [load.missing-api-version]',
      'h.yaml:5:1: error: kind: must be a non-empty string [load.missing-kind]',
    ]);
  });

  it('ignores an IAM policy document without a word', () => {
    const r = loadText(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "appmesh:*", "Resource": "*"}]}',
      'p.json',
    );
    expect(r).toMatchObject({ diagnostics: [], ignored: 1, meshObjects: [] });
  });

  it('reports a Namespace without a name', () => {
    const r = loadText('apiVersion: v1\nkind: Namespace\nmetadata: {labels: {a: b}}\n', 'n.yaml');
    expect(r.namespaces).toEqual([]);
    expect(lines(r)).toEqual([
      'n.yaml:3:1: error: metadata.name: Namespace has no metadata.name [load.missing-name]',
    ]);
  });
});

describe('names that are not strings', () => {
  it('says what was found', () => {
    const r = loadText('apiVersion: v1\nkind: Namespace\nmetadata: {name: 10}\n', 'n.yaml');
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      'n.yaml:3:12: error: metadata.name: must be a non-empty string, found number 10 (quote it: "10") [load.missing-name]',
    ]);
  });
});
