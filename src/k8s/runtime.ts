/**
 * Everything `amime serve --store kubernetes` runs against a cluster, started and
 * stopped together: informers, the controller (status and finalizers, leader-elected),
 * the store the pipeline and REST API read, the EndpointSource, the xDS authenticator,
 * and the HTTPS admission webhooks. The server composes it with the pipeline:
 * `store` in place of the SQLite store, `endpoints` as the EndpointSource (its
 * `onChange` → the pipeline's endpoint fast path), `authenticator` for the xDS server.
 * With `webhook.selfSigned` the webhook's certificate comes from Secret
 * `amime-webhook-tls`, made and renewed by Amime itself (webhook/self-signed.ts).
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
import {
  apiUnreachable,
  SelfSignedWebhookCertificate,
  type SelfSignedOptions,
} from './webhook/self-signed.js';
import { AdmissionWebhookServer, type WebhookTls } from './webhook/server.js';
import { TokenReviewAuthenticator } from './xds-auth.js';

export interface KubernetesRuntimeOptions {
  /** Default: in-cluster service account, else ~/.kube/config (client-node's loadFromDefault). */
  kubeConfig?: KubeConfig;
  arn: ArnContext;
  graphOptions?: GraphOptions;
  /** Lease-based leader election for status writes; false for a single replica. */
  leaderElection?:
    false | { namespace: string; identity?: string; leaseName?: string; leaseDurationSeconds?: number };
  webhook?: {
    host: string;
    port: number;
    /** With `selfSigned`: served only while the API cannot be reached at start (the Secret's mounted copy). */
    tls: WebhookTls;
    /** `--webhook-self-signed`: make, renew and serve the certificate in Secret amime-webhook-tls, and set the webhooks' caBundle. */
    selfSigned?: Omit<SelfSignedOptions, 'logger'>;
    injector?: Partial<InjectorConfig>;
    ipFamily?: 'IPv4' | 'IPv6';
  };
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
    readonly certificates: SelfSignedWebhookCertificate | undefined,
  ) {}

  static async start(options: KubernetesRuntimeOptions): Promise<KubernetesRuntime> {
    const kc = options.kubeConfig ?? defaultKubeConfig();
    const client = new RestKubeClient(kc);
    const log = options.logger;
    const cache = new ClusterCache(client, {
      ...(log ? { onError: (err: unknown) => log.warn({ err: String(err) }, 'watch failed; retrying') } : {}),
    });
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
    const authenticator = new TokenReviewAuthenticator(client, cache, () => controller.current?.placement, {
      audience: options.tokenAudience ?? 'amime',
    });
    let webhook: AdmissionWebhookServer | undefined;
    let certificates: SelfSignedWebhookCertificate | undefined;
    if (options.webhook) {
      const w = options.webhook;
      let tls = w.tls;
      let unreachable: unknown;
      if (w.selfSigned) {
        const bootstrap = new SelfSignedWebhookCertificate(client, {
          ...w.selfSigned,
          ...(log ? { logger: log } : {}),
        });
        certificates = bootstrap;
        try {
          const first = await bootstrap.start((next) => {
            try {
              webhook?.setCertificate(next.cert, next.key);
              log?.info({}, 'webhook certificate: now serving the one in the Secret');
            } catch (err) {
              log?.warn({ err: String(err) }, 'webhook certificate: could not load the new certificate');
            }
          });
          tls = { cert: first.cert, key: first.key };
        } catch (err) {
          // README: the mounted copy is for when the API cannot be reached; a refusal (403, 422) is a fault to show.
          if (!apiUnreachable(err) || !('certDir' in w.tls)) {
            bootstrap.stop();
            throw err;
          }
          unreachable = err;
          log?.warn(
            { err: String(err), certDir: w.tls.certDir },
            'webhook certificate: the API cannot be reached; serving the mounted copy until it can',
          );
        }
      }
      webhook = new AdmissionWebhookServer({
        host: w.host,
        port: w.port,
        tls,
        handlers: admissionHandlers({
          objects: admissionObjects(cache, client),
          injector: {
            ...DEFAULT_INJECTOR_CONFIG,
            region: options.arn.region,
            accountId: options.arn.account,
            ...w.injector,
          },
          ...(options.graphOptions ? { graphOptions: options.graphOptions } : {}),
          ...(w.ipFamily ? { ipFamily: w.ipFamily } : {}),
        }),
        ...(log ? { onError: (err: unknown) => log.warn({ err: String(err) }, 'webhook') } : {}),
      });
      try {
        await webhook.start();
      } catch (err) {
        certificates?.stop();
        if (unreachable === undefined) throw err;
        throw new Error(
          `webhook certificate: the API cannot be reached (${String(unreachable)}) and there is no mounted copy (${String(err)})`,
        );
      }
    }
    elector?.start();
    await controller.start();
    const store = await KubernetesStore.open(client, cache);
    return new KubernetesRuntime(
      client,
      cache,
      controller,
      endpoints,
      store,
      authenticator,
      elector,
      webhook,
      certificates,
    );
  }

  async stop(): Promise<void> {
    this.certificates?.stop();
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
