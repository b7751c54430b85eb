/**
 * The migration runbook (docs/migration.md, issue 15 item 16) runs as written: every
 * command of its shell blocks, in order, in one shell, against the API-server double,
 * on a cluster that looks like one App Mesh left: its controller (installed by Helm),
 * its webhooks and CRDs, and the seed mesh with App Mesh's status, ARNs and finalizers.
 * `kubectl` is the real one, pointed at the double; `helm` is a stand-in that does what
 * `helm uninstall` / `helm upgrade -i` of the App Mesh chart do to these objects (never
 * the CRDs); `npx amime` is the built CLI. The double has no kube-controller-manager,
 * so the kubectl stand-in marks Deployments available around each call, as it would.
 * Lines ending in `# by hand` need a real cluster, a registry or AWS and are skipped.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RestKubeClient } from '../../src/k8s/rest-client.js';
import { ApiServerTestDouble } from '../k8s-double/api-server-double.js';
import { apply, readManifests } from '../k8s-double/apply.js';
import { CLI } from '../support/cli.js';
import { REPO_ROOT, SEED_COMPLETE } from '../support/fixtures.js';
import { KUBECTL, describeWithPrograms, programPath } from '../support/system-programs.js';

const RUNBOOK = path.join(REPO_ROOT, 'docs/migration.md');
const REGION = 'ap-northeast-1';
const ACCOUNT = '111122223333';

/** The shell blocks of the runbook before and after its Rollback heading, without the by-hand lines. */
function scripts(): { migrate: string; rollback: string } {
  const text = readFileSync(RUNBOOK, 'utf8');
  const at = text.indexOf('\n## Rollback');
  const blocks = (part: string) =>
    [...part.matchAll(/```sh\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .join('')
      .split('\n')
      .filter((line) => !/#\s*by hand\s*$/.test(line))
      .join('\n');
  return { migrate: blocks(text.slice(0, at)), rollback: blocks(text.slice(at)) };
}

/** What the App Mesh chart (eks-charts appmesh-controller) put in the cluster, its CRDs aside. */
const APPMESH_CHART = [
  {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'appmesh-controller', namespace: 'appmesh-system' },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'appmesh-controller', namespace: 'appmesh-system' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'appmesh-controller' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'appmesh-controller' } },
        spec: {
          containers: [
            {
              name: 'controller',
              image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon/appmesh-controller:v1.13.1',
            },
          ],
        },
      },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'appmesh-controller-webhook-service', namespace: 'appmesh-system' },
    spec: {
      ports: [{ port: 443, targetPort: 9443 }],
      selector: { 'app.kubernetes.io/name': 'appmesh-controller' },
    },
  },
  ...(['Mutating', 'Validating'] as const).map((type) => ({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: `${type}WebhookConfiguration`,
    metadata: { name: `appmesh-${type.toLowerCase()}-webhook-configuration` },
    // Ignore: App Mesh's controller is not running in the double either.
    webhooks: [
      {
        name: `${type === 'Mutating' ? 'm' : 'v'}virtualnode.appmesh.k8s.aws`,
        admissionReviewVersions: ['v1beta1'],
        clientConfig: {
          service: { name: 'appmesh-controller-webhook-service', namespace: 'appmesh-system', path: '/x' },
        },
        failurePolicy: 'Ignore',
        sideEffects: 'None',
        rules: [
          {
            apiGroups: ['appmesh.k8s.aws'],
            apiVersions: ['v1beta2'],
            operations: ['CREATE', 'UPDATE'],
            resources: ['virtualnodes'],
          },
        ],
      },
    ],
  })),
];

let dir: string;
let double: ApiServerTestDouble;
let client: RestKubeClient;

/** Runs `script` in bash with the stand-ins first on PATH; resolves with its output (rejects on failure). */
function bash(script: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      'bash',
      ['-c', `set -euo pipefail\n${script}`],
      {
        cwd: dir,
        env: { PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? ''}`, HOME: dir },
        timeout: 180_000,
        maxBuffer: 32 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`${error.message}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`))
          : resolve(stdout),
    ),
  );
}

function standIns(kubectl: string): void {
  const bin = path.join(dir, 'bin');
  const write = (name: string, text: string) => {
    writeFileSync(path.join(bin, name), text);
    chmodSync(path.join(bin, name), 0o755);
  };
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(dir, 'appmesh-chart.yaml'), APPMESH_CHART.map((o) => stringify(o)).join('---\n'));
  write(
    'kubectl',
    `#!/bin/bash
# The real kubectl, at the API-server double. Deployments become available around each
# call, as kube-controller-manager would make them.
k() { ${JSON.stringify(kubectl)} --server ${JSON.stringify(double.url)} "$@"; }
tick() {
  k get deployments --all-namespaces -o jsonpath='{range .items[*]}{.metadata.namespace} {.metadata.name} {.metadata.generation} {.spec.replicas}{"\\n"}{end}' |
  while read -r ns name gen replicas; do
    r=\${replicas:-1}
    k -n "$ns" patch deployment "$name" --subresource=status --type=merge \\
      -p "{\\"status\\":{\\"observedGeneration\\":$gen,\\"replicas\\":$r,\\"updatedReplicas\\":$r,\\"readyReplicas\\":$r,\\"availableReplicas\\":$r,\\"conditions\\":[{\\"type\\":\\"Available\\",\\"status\\":\\"True\\"}]}}" >/dev/null
  done
}
tick
if [ "\${1:-}" = apply ]; then set -- "$@" --validate=false; fi
k "$@"
status=$?
tick
exit $status
`,
  );
  write(
    'helm',
    `#!/bin/bash
# Stands in for Helm with the App Mesh chart: what uninstall and upgrade -i do to its objects.
echo "helm $*" >> ${JSON.stringify(path.join(dir, 'helm.log'))}
case "$1" in
  uninstall) kubectl delete -f ${JSON.stringify(path.join(dir, 'appmesh-chart.yaml'))} --ignore-not-found >/dev/null ;;
  upgrade|install) kubectl apply -f ${JSON.stringify(path.join(dir, 'appmesh-chart.yaml'))} >/dev/null ;;
  get) printf 'region: ${REGION}\\naccountId: "${ACCOUNT}"\\nsidecar:\\n  logLevel: info\\n' ;;
  *) echo "helm stand-in: $1 not modelled" >&2; exit 1 ;;
esac
`,
  );
  write(
    'npx',
    `#!/bin/bash
[ "$1" = amime ] || { echo "npx stand-in: only amime" >&2; exit 1; }
shift
exec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"
`,
  );
}

describeWithPrograms(
  'the migration runbook (docs/migration.md)',
  [KUBECTL],
  (programs) => {
    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'amime-runbook-'));
      double = await ApiServerTestDouble.start();
      client = new RestKubeClient(double.kubeConfig());
      standIns(programPath(programs, KUBECTL));
      // App Mesh's CRDs (the same schema as Amime's), then the seed mesh as App Mesh left it.
      for (const file of [
        'meshes',
        'virtualnodes',
        'virtualservices',
        'virtualrouters',
        'virtualgateways',
        'gatewayroutes',
        'backendgroups',
      ])
        for (const crd of await readManifests(
          path.join(REPO_ROOT, `deploy/crds/appmesh.k8s.aws_${file}.yaml`),
        ))
          await apply(client, crd);
      for (const o of [
        ...(await readManifests(path.join(SEED_COMPLETE, 'mesh.yaml'))),
        ...(await readManifests(path.join(SEED_COMPLETE, 'workloads.yaml'))),
      ]) {
        await apply(client, {
          ...o,
          metadata: {
            ...o.metadata,
            ...(o.apiVersion === 'appmesh.k8s.aws/v1beta2'
              ? { finalizers: ['finalizers.appmesh.k8s.aws/aws-appmesh-resources'] }
              : {}),
          },
        });
        if (o.kind === 'VirtualNode')
          await client.patch(
            `/apis/appmesh.k8s.aws/v1beta2/namespaces/${o.metadata.namespace}/virtualnodes/${o.metadata.name}/status`,
            'merge',
            {
              status: {
                virtualNodeARN: `arn:aws:appmesh:${REGION}:${ACCOUNT}:mesh/mesh-1/virtualNode/${o.metadata.name}_${o.metadata.namespace}`,
                conditions: [{ type: 'VirtualNodeActive', status: 'True' }],
              },
            },
          );
      }
      await apply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'appmesh-system' } });
      for (const o of APPMESH_CHART) await apply(client, o as never);
    });

    afterAll(async () => {
      await double?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const virtualNodes = async () =>
      (
        await client.get<{ items: Array<{ metadata: { name: string } }> }>(
          '/apis/appmesh.k8s.aws/v1beta2/virtualnodes',
        )
      ).items
        .map((i) => i.metadata.name)
        .sort();
    const exists = async (p: string) =>
      client.get(p).then(
        () => true,
        () => false,
      );

    it('migrates: backup, region and account read from the ARNs, App Mesh controller removed, Amime installed with them, workloads restarted', async () => {
      const out = await bash(scripts().migrate);
      expect(out).toContain(`App Mesh region ${REGION}, account ${ACCOUNT}`);
      expect(out).toMatch(/^3$/m); // virtual nodes in the backup
      expect(out).toContain('1 mesh · 7 resources · 0 errors · 0 warnings');
      expect(readFileSync(path.join(dir, 'appmesh-backup.yaml'), 'utf8')).toContain(
        'finalizers.appmesh.k8s.aws/aws-appmesh-resources',
      );
      expect(readFileSync(path.join(dir, 'helm.log'), 'utf8')).toContain(
        'helm uninstall appmesh-controller -n appmesh-system',
      );
      // App Mesh's controller and webhooks are gone; its CRDs and every object stayed.
      expect(await exists('/apis/apps/v1/namespaces/appmesh-system/deployments/appmesh-controller')).toBe(
        false,
      );
      expect(
        await exists(
          '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/appmesh-mutating-webhook-configuration',
        ),
      ).toBe(false);
      expect(
        await exists('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/virtualnodes.appmesh.k8s.aws'),
      ).toBe(true);
      expect(await virtualNodes()).toEqual(['vnode-1', 'vnode-2', 'vnode-x']);
      // Amime, with App Mesh's region and account and the images of step 0.
      const deployment = await client.get<{
        spec: { template: { spec: { containers: Array<{ image: string }> } } };
      }>('/apis/apps/v1/namespaces/amime-system/deployments/amime');
      expect(deployment.spec.template.spec.containers[0]!.image).toBe(
        'registry.example.com/platform/amime:0.1.0',
      );
      const config = await client.get<{ data: Record<string, string> }>(
        '/api/v1/namespaces/amime-system/configmaps/amime-config',
      );
      expect(config.data['amime.yaml']).toContain(`region: ${REGION}`);
      expect(config.data['amime.yaml']).toContain(`accountId: "${ACCOUNT}"`);
      expect(config.data['amime.yaml']).toContain(
        'initImage: registry.example.com/platform/amime-proxy-init:0.1.0',
      );
      expect(
        await exists(
          '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/amime-mutating-webhook-configuration',
        ),
      ).toBe(true);
      // The mesh namespace's workloads were restarted (after Amime rolled out).
      const workloads = await client.get<{
        items: Array<{ spec: { template: { metadata: { annotations?: Record<string, string> } } } }>;
      }>('/apis/apps/v1/namespaces/mesh-test/deployments');
      expect(workloads.items.length).toBeGreaterThan(0);
      for (const w of workloads.items)
        expect(w.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();
    });

    it('rolls back: Amime removed by name (its CRDs kept, so every object), App Mesh controller back', async () => {
      await bash(scripts().rollback);
      expect(
        await exists(
          '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/amime-mutating-webhook-configuration',
        ),
      ).toBe(false);
      expect(await exists('/apis/apps/v1/namespaces/amime-system/deployments/amime')).toBe(false);
      expect(await exists('/apis/apps/v1/namespaces/appmesh-system/deployments/appmesh-controller')).toBe(
        true,
      );
      expect(
        await exists('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/virtualnodes.appmesh.k8s.aws'),
      ).toBe(true);
      expect(await virtualNodes()).toEqual(['vnode-1', 'vnode-2', 'vnode-x']);
      expect(readFileSync(path.join(dir, 'helm.log'), 'utf8')).toContain(
        'helm upgrade -i appmesh-controller',
      );
    });
  },
  { timeout: 300_000 },
);
