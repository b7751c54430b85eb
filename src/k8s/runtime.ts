/**
 * Everything `amime serve --store kubernetes` runs against a cluster, started and
 * stopped together: informers, the controller (status and finalizers, leader-elected),
 * the store the pipeline and REST API read, the EndpointSource, the xDS authenticator,
 * and the HTTPS admission webhooks. The server composes it with the pipeline:
 * `store` in place of the SQLite store, `endpoints` as the EndpointSource (its
 * `onChange` → the pipeline's endpoint fast path), `authenticator` for the xDS server.
 */
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import type { GraphOptions } from '../mesh/index.js';
import type { ArnContext } from '../model/index.js';
import { ClusterCache } from './cluster-cache.js';
import { KubernetesController, type ControllerLogger } from './controller.js';
import { KubernetesEndpoints } from './endpoints.js';
import { DEFAULT_INJECTOR_CONFIG, type InjectorConfig } from './inject/config.js';
import { KubernetesStore } from './kubernetes-store.js';
import { LeaderElector } from './leader-election.js';
import { RestKubeClient, type KubeClient } from './rest-client.js';
import { admissionObjects } from './webhook/admission-objects.js';
import { admissionHandlers } from './webhook/handlers.js';
import { AdmissionWebhookServer, type WebhookTls } from './webhook/server.js';
import { TokenReviewAuthenticator } from './xds-auth.js';

export interface KubernetesRuntimeOptions {
  /** Default: in-cluster service account, else ~/.kube/config (client-node's loadFromDefault). */
  kubeConfig?: KubeConfig;
  arn: ArnContext;
  graphOptions?: GraphOptions;
  /** Lease-based leader election for status writes; false for a single replica. */
  leaderElection?: false | { namespace: string; identity?: string; leaseName?: string; leaseDurationSeconds?: number };
  webhook?: { host: string; port: number; tls: WebhookTls; injector?: Partial<InjectorConfig>; ipFamily?: 'IPv4' | 'IPv6' };
  /** Audience of the sidecars' projected tokens; default `amime`. */
  tokenAudience?: string;
  logger?: ControllerLogger;
}

export class KubernetesRuntime {
  private constructor(
    readonly client: KubeClient,
    readonly cache: ClusterCache,
    readonly controller: KubernetesController,
    readonly endpoints: KubernetesEndpoints,
    readonly store: KubernetesStore,
    readonly authenticator: TokenReviewAuthenticator,
    readonly elector: LeaderElector | undefined,
    readonly webhook: AdmissionWebhookServer | undefined,
  ) {}

  static async start(options: KubernetesRuntimeOptions): Promise<KubernetesRuntime> {
    const kc = options.kubeConfig ?? defaultKubeConfig();
    const client = new RestKubeClient(kc);
    const log = options.logger;
    const cache = new ClusterCache(client, { ...(log ? { onError: (err: unknown) => log.warn({ err: String(err) }, 'watch failed; retrying') } : {}) });
    cache.start();
    const le = options.leaderElection;
    const elector = le
      ? new LeaderElector(client, {
          namespace: le.namespace,
          identity: le.identity ?? process.env.POD_NAME ?? `${hostname()}-${process.pid}`,
          ...(le.leaseName ? { name: le.leaseName } : {}),
          ...(le.leaseDurationSeconds ? { leaseDurationSeconds: le.leaseDurationSeconds } : {}),
          ...(log ? { onError: (err: unknown) => log.warn({ err: String(err) }, 'leader election') } : {}),
        })
      : undefined;
    const controller = new KubernetesController(client, cache, {
      arn: options.arn,
      ...(options.graphOptions ? { graphOptions: options.graphOptions } : {}),
      ...(elector ? { leaderElector: elector } : {}),
      ...(log ? { logger: log } : {}),
    });
    const endpoints = new KubernetesEndpoints(cache);
    controller.onGraph((u) => endpoints.setGraph(u.graph));
    const authenticator = new TokenReviewAuthenticator(client, cache, () => controller.current?.placement, { audience: options.tokenAudience ?? 'amime' });
    let webhook: AdmissionWebhookServer | undefined;
    if (options.webhook) {
      const w = options.webhook;
      webhook = new AdmissionWebhookServer({
        host: w.host,
        port: w.port,
        tls: w.tls,
        handlers: admissionHandlers({
          objects: admissionObjects(cache, client),
          injector: { ...DEFAULT_INJECTOR_CONFIG, region: options.arn.region, accountId: options.arn.account, ...w.injector },
          ...(options.graphOptions ? { graphOptions: options.graphOptions } : {}),
          ...(w.ipFamily ? { ipFamily: w.ipFamily } : {}),
        }),
        ...(log ? { onError: (err: unknown) => log.warn({ err: String(err) }, 'webhook') } : {}),
      });
      await webhook.start();
    }
    elector?.start();
    await controller.start();
    const store = await KubernetesStore.open(client, cache);
    return new KubernetesRuntime(client, cache, controller, endpoints, store, authenticator, elector, webhook);
  }

  async stop(): Promise<void> {
    await this.webhook?.close();
    await this.controller.stop();
    await this.elector?.stop();
    await this.store.close();
    await this.cache.stop();
  }
}

function defaultKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}
