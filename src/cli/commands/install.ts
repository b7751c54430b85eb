/**
 * `amime install --image REF | kubectl apply -f -`: the default install
 * (deploy/install.yaml, rendered from deploy/kubernetes) with your images and
 * settings. The same objects as a kustomize overlay of your own that sets them
 * (examples/install-overlay); test/e2e/install-manifests.test.ts holds the two equal.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseAllDocuments, stringify, type Document } from 'yaml';
import { CliError } from '../failure.js';
import { packageVersion } from '../program.js';

export interface InstallOptions {
  image?: string;
  initImage?: string;
  sidecarImage?: string;
  region?: string;
  accountId?: string;
}

const INSTALL_YAML = new URL('../../../deploy/install.yaml', import.meta.url);

/** `reg/team/amime:0.1.0` → `reg/team/amime-proxy-init:0.1.0`: the init image built beside it. */
export function initImageBeside(image: string): string {
  const m = /^(.*?)(@sha256:[0-9a-f]+|:[\w][\w.-]*)?$/.exec(image)!;
  const tag = m[2]?.startsWith(':') ? m[2] : `:${packageVersion()}`;
  return `${m[1]}-proxy-init${tag}`;
}

function configText(settings: Record<string, unknown>): string {
  return `# amime serve's settings in the cluster (keys: docs/configuration.md), written by amime install.\n${stringify(settings)}`;
}

/** deploy/install.yaml's documents with the image and the -c file's settings replaced. */
export function renderInstall(
  text: string,
  o: Required<Pick<InstallOptions, 'image'>> & InstallOptions,
): string {
  const docs = parseAllDocuments(text) as Document.Parsed[];
  let deployment = false;
  let config = false;
  for (const doc of docs) {
    const kind = doc.get('kind');
    const name = doc.getIn(['metadata', 'name']);
    if (kind === 'Deployment' && name === 'amime') {
      doc.setIn(['spec', 'template', 'spec', 'containers', 0, 'image'], o.image);
      deployment = true;
    }
    if (kind === 'ConfigMap' && name === 'amime-config') {
      const current = (
        parseAllDocuments(String(doc.getIn(['data', 'amime.yaml'])))[0] as Document.Parsed
      ).toJS() as {
        kubernetes?: Record<string, unknown>;
      };
      const settings = {
        ...(o.region ? { region: o.region } : {}),
        ...(o.accountId ? { accountId: o.accountId } : {}),
        kubernetes: {
          ...current.kubernetes,
          sidecarImage: o.sidecarImage ?? current.kubernetes?.sidecarImage,
          initImage: o.initImage ?? initImageBeside(o.image),
        },
      };
      doc.setIn(['data', 'amime.yaml'], configText(settings));
      config = true;
    }
  }
  if (!deployment || !config)
    throw new Error(
      'deploy/install.yaml has no Deployment amime or ConfigMap amime-config: is this install complete?',
    );
  // Each document after the first keeps its own '---'.
  return docs.map((d) => d.toString({ lineWidth: 0 })).join('');
}

const HELP = `
Prints the Kubernetes objects of the default install (deploy/install.yaml: CRDs, RBAC,
Deployment, Services, webhooks with a self-signed certificate, PDB) with your images.
The pod webhook only acts in namespaces labelled appmesh.k8s.aws/sidecarInjectorWebhook,
never on kube-system or Amime's own pods. Wait for Amime before restarting workloads.

Images: build and push both from the repository root (Dockerfile):
  $ docker build -t registry.example.com/platform/amime:0.1.0 .
  $ docker build --target proxy-init -t registry.example.com/platform/amime-proxy-init:0.1.0 .

Examples:
  $ amime install --image registry.example.com/platform/amime:0.1.0 | kubectl apply -f -
  $ kubectl -n amime-system rollout status deployment/amime --timeout=5m
  $ amime install --image reg/amime:0.1.0 --region eu-west-1 --account-id 111122223333 > install.yaml
  Or keep a kustomize overlay of your own: examples/install-overlay.
`;

export function configure(command: Command): void {
  command
    .option(
      '--image <ref>',
      `the Amime image (default amime:<version>, a local build's name, with a warning)`,
    )
    .option(
      '--init-image <ref>',
      "the sidecar's iptables init image (default: beside --image, <repository>-proxy-init:<tag>)",
    )
    .option('--sidecar-image <ref>', 'the Envoy image the injector adds (default envoyproxy/envoy:v1.40.0)')
    .option('--region <region>', 'region in ARNs: your App Mesh region keeps ARNs and dashboards')
    .option('--account-id <12 digits>', 'account in ARNs: your App Mesh account')
    .addHelpText('after', HELP)
    .action((o: InstallOptions) => {
      if (o.accountId !== undefined && !/^\d{12}$/.test(o.accountId))
        throw new CliError(`--account-id: expected 12 digits, got "${o.accountId}"`, 2);
      let image = o.image;
      if (!image) {
        image = `amime:${packageVersion()}`;
        process.stderr.write(
          `amime install: no --image: using ${image}, the name of a local build (docker build -t ${image} .), which a cluster pulls only if you loaded it there (kind load docker-image, minikube image load); give --image <registry>/amime:${packageVersion()} otherwise\n`,
        );
      }
      process.stdout.write(renderInstall(readFileSync(INSTALL_YAML, 'utf8'), { ...o, image }));
    });
}
