/**
 * Amime's Kubernetes side running against the API-server test double, for end-to-end
 * tests: informers, controller, endpoints and (optionally) the HTTPS admission
 * webhooks registered with the double exactly as deploy/kubernetes declares them,
 * plus a stand-in for the ReplicaSet controller that keeps retrying refused pods.
 */
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import type { Kind } from '../../src/model/index.js';
import { crdObjectPath } from '../../src/k8s/api-paths.js';
import { ClusterCache } from '../../src/k8s/cluster-cache.js';
import { KubernetesController } from '../../src/k8s/controller.js';
import { KubernetesEndpoints } from '../../src/k8s/endpoints.js';
import { DEFAULT_INJECTOR_CONFIG, type InjectorConfig } from '../../src/k8s/inject/config.js';
import type { KubeObject, Pod } from '../../src/k8s/objects.js';
import { KubeApiError, RestKubeClient, isKubeError, type KubeClient } from '../../src/k8s/rest-client.js';
import { admissionObjects } from '../../src/k8s/webhook/admission-objects.js';
import { admissionHandlers } from '../../src/k8s/webhook/handlers.js';
import { AdmissionWebhookServer } from '../../src/k8s/webhook/server.js';
import type { WebhookConfiguration } from './admission-chain.js';
import { ApiServerTestDouble } from './api-server-double.js';
import { apply, podsOf } from './apply.js';
import { makeTestCertificate } from './self-signed-cert.js';

export const WEBHOOKS_MANIFEST = 'deploy/kubernetes/base/webhooks.yaml';

export interface HarnessOptions {
  /** Register Amime's admission webhooks with the double. */
  webhooks: boolean;
  injector?: Partial<InjectorConfig>;
}

export type AppMeshStatusView = {
  conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
  [k: string]: unknown;
};

export class Harness {
  /** Deployments whose pods are still to be created, by namespace/name. */
  private readonly pending = new Map<string, Pod>();
  /** The last refusal of each pending pod. */
  readonly refusals = new Map<string, string>();
  /** Every pod refusal, in order. */
  readonly refusalLog: Array<{ pod: string; message: string }> = [];

  private constructor(
    readonly double: ApiServerTestDouble,
    readonly client: KubeClient,
    readonly cache: ClusterCache,
    readonly controller: KubernetesController,
    readonly endpoints: KubernetesEndpoints,
    readonly webhook: AdmissionWebhookServer | undefined,
  ) {}

  static async start(options: HarnessOptions): Promise<Harness> {
    const double = await ApiServerTestDouble.start();
    const client = new RestKubeClient(double.kubeConfig());
    const cache = new ClusterCache(client);
    cache.start();
    const controller = new KubernetesController(client, cache, {
      arn: { region: 'ap-northeast-1', account: '123456780000' },
    });
    const endpoints = new KubernetesEndpoints(cache);
    controller.onGraph((u) => endpoints.setGraph(u.graph));
    let webhook: AdmissionWebhookServer | undefined;
    if (options.webhooks) {
      // The double dials the Service's DNS name, as kube-apiserver does.
      const cert = await makeTestCertificate(['amime-webhook.amime-system.svc']);
      webhook = new AdmissionWebhookServer({
        tls: { cert: cert.cert, key: cert.key },
        handlers: admissionHandlers({
          objects: admissionObjects(cache, client),
          injector: {
            ...DEFAULT_INJECTOR_CONFIG,
            region: 'ap-northeast-1',
            accountId: '123456780000',
            ...options.injector,
          },
        }),
      });
      const port = await webhook.start();
      const configs = parseAllDocuments(await readFile(WEBHOOKS_MANIFEST, 'utf8')).map(
        (d) => d.toJS() as WebhookConfiguration,
      );
      for (const c of configs) for (const w of c.webhooks ?? []) w.clientConfig.caBundle = cert.caBundle;
      double.configureWebhooks(configs);
      double.setServiceEndpoint('amime-system', 'amime-webhook', `https://127.0.0.1:${port}`);
    }
    await controller.start();
    return new Harness(double, client, cache, controller, endpoints, webhook);
  }

  async stop(): Promise<void> {
    await this.controller.stop();
    await this.cache.stop();
    await this.webhook?.close();
    await this.double.close();
  }

  /**
   * Applies manifests in order, as `kubectl apply -f` does: App Mesh and core objects
   * are created or updated; a Deployment's pods are created like its ReplicaSet would
   * (and retried by `syncPods`). Returns the refusals, by `Kind namespace/name`.
   */
  async applyAll(objects: ReadonlyArray<KubeObject>): Promise<Map<string, string>> {
    const refused = new Map<string, string>();
    for (const o of objects) {
      if (o.kind === 'Deployment') {
        for (const p of podsOf(o)) this.pending.set(`${p.metadata.namespace}/${p.metadata.name}`, p);
        await this.syncPods();
        continue;
      }
      try {
        await apply(this.client, o);
      } catch (e) {
        if (!(e instanceof KubeApiError)) throw e;
        refused.set(
          `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`,
          e.message,
        );
      }
    }
    await this.syncPods();
    return refused;
  }

  /** Tries again to create every pod not created yet (a ReplicaSet's retry). */
  async syncPods(): Promise<void> {
    for (const [key, pod] of [...this.pending]) {
      try {
        await this.client.create(`/api/v1/namespaces/${pod.metadata.namespace}/pods`, pod);
        this.pending.delete(key);
        this.refusals.delete(key);
      } catch (e) {
        if (isKubeError(e, 409)) this.pending.delete(key);
        else if (e instanceof KubeApiError) {
          this.refusals.set(key, e.message);
          this.refusalLog.push({ pod: key, message: e.message });
        } else throw e;
      }
    }
  }

  get pendingPods(): string[] {
    return [...this.pending.keys()];
  }

  pod(namespace: string, name: string): Promise<Pod> {
    return this.client.get<Pod>(`/api/v1/namespaces/${namespace}/pods/${name}`);
  }

  async status(
    kind: Kind,
    namespace: string | undefined,
    name: string,
  ): Promise<AppMeshStatusView | undefined> {
    try {
      return (await this.client.get<{ status?: AppMeshStatusView }>(crdObjectPath(kind, namespace, name)))
        .status;
    } catch (e) {
      if (isKubeError(e, 404)) return undefined;
      throw e;
    }
  }

  /** Waits until `check` passes (it throws until then), up to `ms`. */
  async eventually<T>(check: () => Promise<T>, ms = 5000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      try {
        return await check();
      } catch (e) {
        if (Date.now() > end) throw e;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }
}

/** Objects of the named `Kind/name` entries, in the given order. */
export function pick(objects: ReadonlyArray<KubeObject>, names: ReadonlyArray<string>): KubeObject[] {
  return names.map((n) => {
    const [kind, name] = n.split('/') as [string, string];
    const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
    if (!o) throw new Error(`no ${n} in the manifests`);
    return o;
  });
}
