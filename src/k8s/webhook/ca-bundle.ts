/**
 * Step 4 of `--webhook-self-signed` (deploy/kubernetes/README.md): point every webhook
 * of Amime's webhook configurations at the CA, by JSON patch and only where
 * `clientConfig.caBundle` differs. `kubectl apply` never sets `caBundle`, so
 * re-applying the install keeps the value.
 */
import { isKubeError, type KubeClient } from '../rest-client.js';

export interface WebhookConfigurationNames {
  mutating: readonly string[];
  validating: readonly string[];
}

export interface CaBundleSync {
  /** `MutatingWebhookConfiguration/<name>` of every configuration that was patched. */
  patched: string[];
  /** Configurations not found (not installed yet, or removed on purpose). */
  missing: string[];
}

const BASE = '/apis/admissionregistration.k8s.io/v1';

interface Configuration {
  webhooks?: Array<{ name: string; clientConfig?: { caBundle?: string } }>;
}

export function caBundleOf(caPem: string): string {
  return Buffer.from(caPem, 'utf8').toString('base64');
}

export async function syncCaBundle(
  client: KubeClient,
  names: WebhookConfigurationNames,
  caPem: string,
): Promise<CaBundleSync> {
  const want = caBundleOf(caPem);
  const out: CaBundleSync = { patched: [], missing: [] };
  const targets = [
    ...names.mutating.map(
      (n) => ['MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', n] as const,
    ),
    ...names.validating.map(
      (n) => ['ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', n] as const,
    ),
  ];
  for (const [kind, resource, name] of targets) {
    const path = `${BASE}/${resource}/${encodeURIComponent(name)}`;
    let config: Configuration;
    try {
      config = await client.get<Configuration>(path);
    } catch (e) {
      if (isKubeError(e, 404)) {
        out.missing.push(`${kind}/${name}`);
        continue;
      }
      throw e;
    }
    // `test` pins each index to the webhook read, so a concurrent reorder fails the patch (422) instead of mislabelling.
    const ops = (config.webhooks ?? []).flatMap((w, i) =>
      w.clientConfig?.caBundle === want
        ? []
        : [
            { op: 'test', path: `/webhooks/${i}/name`, value: w.name },
            { op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: want },
          ],
    );
    if (ops.length === 0) continue;
    await client.patch(path, 'json', ops);
    out.patched.push(`${kind}/${name}`);
  }
  return out;
}
