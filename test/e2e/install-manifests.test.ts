/**
 * The Kubernetes install manifests (issue 6, item 1; issue 15, item 14): rendered by
 * the real `kubectl kustomize`, compared with the committed deploy/install.yaml, and
 * checked for what the control plane needs: CRDs, least-privilege RBAC, the
 * Deployment, Services, App Mesh's webhook configurations, webhook TLS and the PDB;
 * a pod webhook that cannot block system pods or Amime's own; and `amime install
 * --image …` rendering the same objects as a kustomize overlay that sets the image.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { KINDS } from '../../src/model/kinds.js';
import { KIND_INFO } from '../../src/model/resources.js';
import { generateCrd } from '../../src/model/crd/generate.js';
import { DEFAULT_INJECTOR_CONFIG } from '../../src/k8s/inject/config.js';
import { amime } from '../support/cli.js';
import { KUBECTL, describeWithPrograms, programPath } from '../support/system-programs.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let kubectl = 'kubectl';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}
interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: Array<{ name: string; containerPort: number }>;
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface PodSpec {
  serviceAccountName?: string;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: Array<{ name: string; secret?: { secretName: string; optional?: boolean } }>;
}
interface Webhook {
  name: string;
  admissionReviewVersions: string[];
  clientConfig: {
    service?: { name: string; namespace: string; path: string; port?: number };
    caBundle?: string;
  };
  failurePolicy: string;
  sideEffects: string;
  namespaceSelector?: { matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };
  rules: Array<{ apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] }>;
}

function kustomize(dir: string): string {
  return execFileSync(kubectl, ['kustomize', path.join(root, dir)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as K8sObject;
  });
}

class Rendered {
  constructor(readonly objects: K8sObject[]) {}
  find(kind: string, name: string): K8sObject {
    const found = this.objects.filter((o) => o.kind === kind && o.metadata.name === name);
    expect(found, `${kind} ${name}`).toHaveLength(1);
    return found[0] as K8sObject;
  }
  has(kind: string, name: string): boolean {
    return this.objects.some((o) => o.kind === kind && o.metadata.name === name);
  }
  podSpec(): PodSpec {
    const dep = this.find('Deployment', 'amime') as K8sObject & { spec: { template: { spec: PodSpec } } };
    return dep.spec.template.spec;
  }
  container(): Container {
    const c = this.podSpec().containers.find((x) => x.name === 'amime');
    if (!c) throw new Error('no amime container');
    return c;
  }
  webhooks(kind: 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration'): Webhook[] {
    const name =
      kind === 'MutatingWebhookConfiguration'
        ? 'amime-mutating-webhook-configuration'
        : 'amime-validating-webhook-configuration';
    return (this.find(kind, name) as K8sObject & { webhooks: Webhook[] }).webhooks;
  }
}

/** Whether some rule grants `verb` on `group/resource` (optionally only for `name`). */
function allows(rules: PolicyRule[], group: string, resource: string, verb: string): boolean {
  return rules.some(
    (r) =>
      (r.apiGroups ?? []).includes(group) && (r.resources ?? []).includes(resource) && r.verbs.includes(verb),
  );
}

const plurals = KINDS.map((k) => KIND_INFO[k].plural);

let baseText = '';
let base: Rendered;
let certManager: Rendered;

describeWithPrograms('install manifests', [KUBECTL], (programs) => {
  beforeAll(() => {
    kubectl = programPath(programs, KUBECTL);
    baseText = kustomize('deploy/kubernetes');
    base = new Rendered(parseObjects(baseText));
    certManager = new Rendered(parseObjects(kustomize('deploy/kubernetes/overlays/cert-manager')));
  });

  describe('deploy/install.yaml', () => {
    it('equals `kubectl kustomize deploy/kubernetes` (run scripts/render-install.sh when this fails)', () => {
      const committed = readFileSync(path.join(root, 'deploy/install.yaml'), 'utf8');
      const trim = (s: string) => s.replace(/\n+$/, '');
      expect(
        trim(committed) === trim(baseText),
        'deploy/install.yaml is stale: run `npm run gen && scripts/render-install.sh`',
      ).toBe(true);
    });
  });

  describe('the default install (deploy/kubernetes)', () => {
    it('puts every namespaced object in amime-system and labels everything part-of amime', () => {
      expect(
        base.find('Namespace', 'amime-system').metadata.labels?.['pod-security.kubernetes.io/enforce'],
      ).toBe('restricted');
      const clusterScoped = new Set([
        'Namespace',
        'CustomResourceDefinition',
        'ClusterRole',
        'ClusterRoleBinding',
        'MutatingWebhookConfiguration',
        'ValidatingWebhookConfiguration',
      ]);
      for (const o of base.objects) {
        if (clusterScoped.has(o.kind))
          expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBeUndefined();
        else expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe('amime-system');
        expect(o.metadata.labels?.['app.kubernetes.io/part-of'], `${o.kind} ${o.metadata.name}`).toBe(
          'amime',
        );
      }
    });

    it('includes the seven CRDs exactly as the model generates them', () => {
      const crds = base.objects.filter((o) => o.kind === 'CustomResourceDefinition');
      expect(crds).toHaveLength(7);
      for (const kind of KINDS) {
        const expected = generateCrd(kind);
        const crd = base.find('CustomResourceDefinition', expected.metadata.name);
        expect(crd['spec']).toEqual(expected.spec);
      }
    });

    it('grants the ClusterRole only what the controller needs', () => {
      const rules = (base.find('ClusterRole', 'amime') as K8sObject & { rules: PolicyRule[] }).rules;
      for (const plural of plurals) {
        // create and delete: the App Mesh REST API writes through to the cluster (src/k8s/kubernetes-store.ts).
        for (const verb of ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'])
          expect(allows(rules, 'appmesh.k8s.aws', plural, verb), `${plural} ${verb}`).toBe(true);
        expect(
          allows(rules, 'appmesh.k8s.aws', plural, 'deletecollection'),
          `${plural} deletecollection`,
        ).toBe(false);
        for (const verb of ['get', 'update', 'patch'])
          expect(allows(rules, 'appmesh.k8s.aws', `${plural}/status`, verb), `${plural}/status ${verb}`).toBe(
            true,
          );
        expect(
          allows(rules, 'appmesh.k8s.aws', `${plural}/finalizers`, 'update'),
          `${plural}/finalizers`,
        ).toBe(true);
      }
      for (const [group, resource] of [
        ['', 'namespaces'],
        ['', 'pods'],
        ['', 'services'],
        ['discovery.k8s.io', 'endpointslices'],
      ] as const) {
        for (const verb of ['get', 'list', 'watch'])
          expect(allows(rules, group, resource, verb), `${resource} ${verb}`).toBe(true);
        for (const verb of ['create', 'update', 'patch', 'delete'])
          expect(allows(rules, group, resource, verb), `${resource} ${verb}`).toBe(false);
      }
      expect(allows(rules, '', 'events', 'create') && allows(rules, '', 'events', 'patch')).toBe(true);
      expect(allows(rules, 'authentication.k8s.io', 'tokenreviews', 'create')).toBe(true);
      // Least privilege: no wildcards, no secrets, nothing beyond the groups above.
      const text = JSON.stringify(rules);
      expect(text).not.toContain('"*"');
      expect(text).not.toContain('secrets');
      const groups = new Set(rules.flatMap((r) => r.apiGroups ?? []));
      expect([...groups].sort()).toEqual([
        '',
        'appmesh.k8s.aws',
        'authentication.k8s.io',
        'discovery.k8s.io',
      ]);
      const binding = base.find('ClusterRoleBinding', 'amime') as K8sObject & {
        roleRef: { name: string };
        subjects: unknown[];
      };
      expect(binding.roleRef.name).toBe('amime');
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: 'amime', namespace: 'amime-system' },
      ]);
      expect(base.has('ServiceAccount', 'amime')).toBe(true);
    });

    it('keeps leader election to one Lease in its own namespace', () => {
      const role = base.find('Role', 'amime-leader-election') as K8sObject & { rules: PolicyRule[] };
      expect(allows(role.rules, 'coordination.k8s.io', 'leases', 'create')).toBe(true);
      const named = role.rules.filter((r) => r.resourceNames);
      expect(named).toEqual([
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          resourceNames: ['amime-leader'],
          verbs: ['get', 'watch', 'update', 'patch'],
        },
      ]);
      expect(base.has('RoleBinding', 'amime-leader-election')).toBe(true);
    });

    it('runs `amime serve --store kubernetes` hardened, probed and sized', () => {
      const dep = base.find('Deployment', 'amime') as K8sObject & { spec: { replicas: number } };
      expect(dep.spec.replicas).toBe(3);
      const c = base.container();
      expect(c.image).toMatch(/^amime:/);
      const version = (
        JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }
      ).version;
      expect(c.image).toBe(`amime:${version}`);
      expect(c.args?.[0]).toBe('serve');
      expect(c.args).toContain('--store=kubernetes');
      expect(c.args).toContain('--xds-listen=0.0.0.0:15010');
      expect(c.args).toContain('--api-listen=0.0.0.0:9080');
      expect(c.args).toContain('--webhook-listen=0.0.0.0:9443');
      expect(c.args).toContain('--webhook-cert-dir=/etc/amime/webhook-tls');
      expect(c.args).toContain('--webhook-self-signed');
      expect(Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]))).toEqual({
        xds: 15010,
        api: 9080,
        webhook: 9443,
      });
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'api' });
      expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'api' });
      expect(c.resources?.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(c.resources?.limits?.['memory']).toBeDefined();
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      const pod = base.podSpec();
      expect(pod.serviceAccountName).toBe('amime');
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.securityContext?.['runAsUser']).not.toBe(0);
      // Webhook TLS from Secret amime-webhook-tls; optional here, since amime creates it.
      const tlsVolume = pod.volumes?.find((v) => v.secret?.secretName === 'amime-webhook-tls');
      expect(tlsVolume?.secret?.optional).toBe(true);
      expect(c.volumeMounts).toContainEqual({
        name: tlsVolume?.name,
        mountPath: '/etc/amime/webhook-tls',
        readOnly: true,
      });
      // A read-only root needs a writable /tmp.
      expect(c.volumeMounts?.some((m) => m.mountPath === '/tmp')).toBe(true);
    });

    it('exposes xDS on amime-xds:15010 and webhooks on amime-webhook:443 → 9443', () => {
      type Svc = K8sObject & {
        spec: {
          selector: Record<string, string>;
          ports: Array<{ port: number; targetPort: string | number }>;
        };
      };
      const podLabels = (
        base.find('Deployment', 'amime') as K8sObject & {
          spec: { template: { metadata: { labels: Record<string, string> } } };
        }
      ).spec.template.metadata.labels;
      const portByName = Object.fromEntries(
        (base.container().ports ?? []).map((p) => [p.name, p.containerPort]),
      );
      const target = (svc: Svc): number | undefined => {
        const t = svc.spec.ports[0]?.targetPort;
        return typeof t === 'number' ? t : portByName[t ?? ''];
      };
      const xds = base.find('Service', 'amime-xds') as Svc;
      const webhook = base.find('Service', 'amime-webhook') as Svc;
      for (const svc of [xds, webhook]) {
        expect(svc.spec.ports).toHaveLength(1);
        expect(podLabels).toMatchObject(svc.spec.selector);
      }
      expect([xds.spec.ports[0]?.port, target(xds)]).toEqual([15010, 15010]);
      expect([webhook.spec.ports[0]?.port, target(webhook)]).toEqual([443, 9443]);
    });

    it("registers App Mesh's mutating and validating webhooks for every kind", () => {
      const check = (hooks: Webhook[], prefix: 'm' | 'v', verb: 'mutate' | 'validate') => {
        for (const kind of KINDS) {
          const lower = kind.toLowerCase();
          const hook = hooks.find((h) => h.name === `${prefix}${lower}.appmesh.k8s.aws`);
          expect(hook, `${prefix}${lower}`).toBeDefined();
          expect(hook).toMatchObject({
            admissionReviewVersions: ['v1'],
            failurePolicy: 'Fail',
            sideEffects: 'None',
            clientConfig: {
              service: {
                name: 'amime-webhook',
                namespace: 'amime-system',
                path: `/${verb}-appmesh-k8s-aws-v1beta2-${lower}`,
                port: 443,
              },
            },
            rules: [
              {
                apiGroups: ['appmesh.k8s.aws'],
                apiVersions: ['v1beta2'],
                operations: ['CREATE', 'UPDATE'],
                resources: [KIND_INFO[kind].plural],
              },
            ],
          });
          expect(hook?.namespaceSelector).toBeUndefined();
        }
      };
      const mutating = base.webhooks('MutatingWebhookConfiguration');
      const validating = base.webhooks('ValidatingWebhookConfiguration');
      check(mutating, 'm', 'mutate');
      check(validating, 'v', 'validate');
      expect(mutating).toHaveLength(8);
      expect(validating).toHaveLength(7);
    });

    it('calls the pod injector on pod CREATE only, in namespaces labelled for injection', () => {
      const pod = base
        .webhooks('MutatingWebhookConfiguration')
        .find((h) => h.name === 'mpod.appmesh.k8s.aws');
      expect(pod).toEqual({
        name: 'mpod.appmesh.k8s.aws',
        admissionReviewVersions: ['v1'],
        clientConfig: {
          service: { name: 'amime-webhook', namespace: 'amime-system', path: '/mutate-v1-pod', port: 443 },
        },
        failurePolicy: 'Fail',
        // Never the cluster's own namespaces or Amime's, never Amime's pods (issue 15 item 14).
        namespaceSelector: {
          matchExpressions: [
            {
              key: 'appmesh.k8s.aws/sidecarInjectorWebhook',
              operator: 'In',
              values: ['enabled', 'disabled'],
            },
            {
              key: 'kubernetes.io/metadata.name',
              operator: 'NotIn',
              values: ['kube-system', 'kube-public', 'kube-node-lease', 'amime-system'],
            },
          ],
        },
        objectSelector: {
          matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['amime'] }],
        },
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
        sideEffects: 'None',
      });
    });

    it('lets amime bootstrap its own webhook certificate, and nothing more', () => {
      const role = base.find('Role', 'amime-webhook-bootstrap') as K8sObject & { rules: PolicyRule[] };
      expect(role.rules).toEqual([
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
        {
          apiGroups: [''],
          resources: ['secrets'],
          resourceNames: ['amime-webhook-tls'],
          verbs: ['get', 'update'],
        },
      ]);
      const cr = base.find('ClusterRole', 'amime-webhook-bootstrap') as K8sObject & { rules: PolicyRule[] };
      expect(cr.rules.map((r) => [r.apiGroups, r.resources, r.resourceNames, r.verbs])).toEqual([
        [
          ['admissionregistration.k8s.io'],
          ['mutatingwebhookconfigurations'],
          ['amime-mutating-webhook-configuration'],
          ['get', 'patch'],
        ],
        [
          ['admissionregistration.k8s.io'],
          ['validatingwebhookconfigurations'],
          ['amime-validating-webhook-configuration'],
          ['get', 'patch'],
        ],
      ]);
      expect(
        base.has('RoleBinding', 'amime-webhook-bootstrap') &&
          base.has('ClusterRoleBinding', 'amime-webhook-bootstrap'),
      ).toBe(true);
      for (const hook of [
        ...base.webhooks('MutatingWebhookConfiguration'),
        ...base.webhooks('ValidatingWebhookConfiguration'),
      ]) {
        expect(hook.clientConfig.caBundle, hook.name).toBeUndefined();
      }
    });

    it('turns the built-in CA on once Secret amime-ca-kek exists (optional mount, never a default key), with rights on Secret amime-ca only', () => {
      const c = base.container();
      expect(c.args).toContain('--ca-key-file=/etc/amime/ca-kek/kek');
      const kek = base.podSpec().volumes?.find((v) => v.secret?.secretName === 'amime-ca-kek');
      expect(kek?.secret?.optional).toBe(true);
      expect(c.volumeMounts).toContainEqual({
        name: kek?.name,
        mountPath: '/etc/amime/ca-kek',
        readOnly: true,
      });
      // No Secret amime-ca-kek in the install: a shipped key would be everyone's key.
      expect(base.objects.some((o) => o.kind === 'Secret')).toBe(false);
      const role = base.find('Role', 'amime-ca') as K8sObject & { rules: PolicyRule[] };
      expect(role.rules).toEqual([
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
        {
          apiGroups: [''],
          resources: ['secrets'],
          resourceNames: ['amime-ca'],
          verbs: ['get', 'update', 'list', 'watch'],
        },
      ]);
      expect(base.has('RoleBinding', 'amime-ca')).toBe(true);
    });

    it('exempts Amime from its own pod webhook: its pods carry the label the objectSelector excludes', () => {
      const labels = (
        base.find('Deployment', 'amime') as K8sObject & {
          spec: { template: { metadata: { labels: Record<string, string> } } };
        }
      ).spec.template.metadata.labels;
      expect(labels['app.kubernetes.io/name']).toBe('amime');
    });

    it('reads its settings from ConfigMap amime-config (-c), with pinned injector images', () => {
      const c = base.container();
      expect(c.args).toContain('--config=/etc/amime/config/amime.yaml');
      const volume = base
        .podSpec()
        .volumes?.find((v) => (v as { configMap?: { name: string } }).configMap?.name === 'amime-config');
      expect(c.volumeMounts).toContainEqual({
        name: volume?.name,
        mountPath: '/etc/amime/config',
        readOnly: true,
      });
      const config = parseAllDocuments(
        (base.find('ConfigMap', 'amime-config') as K8sObject & { data: Record<string, string> }).data[
          'amime.yaml'
        ]!,
      )[0]!.toJS() as { kubernetes: { sidecarImage: string; initImage: string } };
      expect(config.kubernetes).toEqual({
        sidecarImage: DEFAULT_INJECTOR_CONFIG.sidecarImage,
        initImage: DEFAULT_INJECTOR_CONFIG.initImage,
      });
      const version = (
        JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }
      ).version;
      expect(config.kubernetes.initImage).toBe(`amime-proxy-init:${version}`);
      expect(config.kubernetes.sidecarImage).toMatch(/^envoyproxy\/envoy:v\d+\.\d+\.\d+$/);
    });

    it('keeps one replica through voluntary disruptions', () => {
      const pdb = base.find('PodDisruptionBudget', 'amime') as K8sObject & {
        spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } };
      };
      expect(pdb.apiVersion).toBe('policy/v1');
      expect(pdb.spec.minAvailable).toBe(2);
      const podLabels = (
        base.find('Deployment', 'amime') as K8sObject & {
          spec: { template: { metadata: { labels: Record<string, string> } } };
        }
      ).spec.template.metadata.labels;
      expect(podLabels).toMatchObject(pdb.spec.selector.matchLabels);
    });
  });

  describe('overlays/cert-manager', () => {
    it('issues the webhook certificate with cert-manager and injects its CA', () => {
      expect(certManager.find('Issuer', 'amime-selfsigned')['spec']).toEqual({ selfSigned: {} });
      const cert = certManager.find('Certificate', 'amime-webhook') as K8sObject & {
        spec: { secretName: string; dnsNames: string[]; issuerRef: { name: string } };
      };
      expect(cert.metadata.namespace).toBe('amime-system');
      expect(cert.spec.secretName).toBe('amime-webhook-tls');
      expect(cert.spec.dnsNames).toContain('amime-webhook.amime-system.svc');
      expect(cert.spec.issuerRef.name).toBe('amime-selfsigned');
      for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'] as const) {
        const name =
          kind === 'MutatingWebhookConfiguration'
            ? 'amime-mutating-webhook-configuration'
            : 'amime-validating-webhook-configuration';
        expect(certManager.find(kind, name).metadata.annotations?.['cert-manager.io/inject-ca-from']).toBe(
          'amime-system/amime-webhook',
        );
        expect(certManager.webhooks(kind)).toEqual(base.webhooks(kind));
      }
    });

    it('drops the self-signed bootstrap: no flag, no rights on Secret amime-webhook-tls or webhook configurations', () => {
      const c = certManager.container();
      expect(c.args).not.toContain('--webhook-self-signed');
      expect(c.args).toEqual(base.container().args?.filter((a) => a !== '--webhook-self-signed'));
      const tlsVolume = certManager
        .podSpec()
        .volumes?.find((v) => v.secret?.secretName === 'amime-webhook-tls');
      expect(tlsVolume?.secret?.optional ?? false).toBe(false);
      expect(certManager.objects.some((o) => o.metadata.name === 'amime-webhook-bootstrap')).toBe(false);
      // The CA's Role (amime-ca, its own Secret) stays: cert-manager issues the webhook's certificate only.
      const rules = certManager.objects
        .filter((o) => (o.kind === 'Role' || o.kind === 'ClusterRole') && o.metadata.name !== 'amime-ca')
        .flatMap((o) => (o as K8sObject & { rules: PolicyRule[] }).rules);
      expect(JSON.stringify(rules)).not.toMatch(/secrets|webhookconfigurations/);
    });

    it('otherwise installs the same objects as the default install', () => {
      const key = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
      const only = (a: Rendered, b: Rendered) =>
        a.objects
          .map(key)
          .filter((k) => !b.objects.some((o) => key(o) === k))
          .sort();
      expect(only(base, certManager)).toEqual([
        'ClusterRole/amime-webhook-bootstrap',
        'ClusterRoleBinding/amime-webhook-bootstrap',
        'Role/amime-webhook-bootstrap',
        'RoleBinding/amime-webhook-bootstrap',
      ]);
      expect(only(certManager, base)).toEqual(['Certificate/amime-webhook', 'Issuer/amime-selfsigned']);
    });
  });

  describe('amime install (issue 15 item 14)', () => {
    /** Objects with the -c file parsed, so comments and quoting do not count. */
    const semantic = (text: string) =>
      parseObjects(text).map((o) => {
        const data = (o as { data?: Record<string, string> }).data;
        return o.kind === 'ConfigMap' && data?.['amime.yaml']
          ? { ...o, data: { ...data, 'amime.yaml': parseAllDocuments(data['amime.yaml'])[0]!.toJS() } }
          : o;
      });

    it('renders the same objects as a kustomize overlay that sets the image and settings (examples/install-overlay)', async () => {
      const r = await amime([
        'install',
        '--image',
        'registry.example.com/platform/amime:0.1.0',
        '--region',
        'ap-northeast-1',
        '--account-id',
        '111122223333',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(semantic(r.stdout)).toEqual(semantic(kustomize('examples/install-overlay')));
      const deployment = new Rendered(parseObjects(r.stdout)).container();
      expect(deployment.image).toBe('registry.example.com/platform/amime:0.1.0');
    });

    it('without --image: the local build name, and a warning saying how a cluster gets it', async () => {
      const r = await amime(['install']);
      expect(r.code).toBe(0);
      expect(new Rendered(parseObjects(r.stdout)).container().image).toMatch(/^amime:\d+\.\d+\.\d+$/);
      expect(r.stderr).toMatch(/^amime install: no --image: using amime:[\d.]+, the name of a local build/);
      expect((await amime(['install', '--account-id', '12'])).code).toBe(2);
    });
  });
});
