/**
 * The composition root of `amime serve`: a store, the pipeline (graph → translation →
 * snapshots), the xDS server, the REST API with health, readiness and metrics. No
 * logic of its own beyond wiring and start-up/shutdown order.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import {
  createStore,
  DEFAULT_SQLITE_FILE,
  EtcdElection,
  EtcdLeasedKeys,
  StoreFreshness,
  StoreMirror,
  type ResourceStore,
  StoreSource,
} from '../store/index.js';
import { Debouncer, FileAuthenticator, SnapshotCache, XdsServer, type Authenticator } from '../xds/index.js';
import type { EndpointSource } from '../envoy/index.js';
import { KubernetesRuntime, WEBHOOK_TLS_SECRET } from '../k8s/index.js';
import type { GraphOptions } from '../mesh/index.js';
import { hasErrors } from '../model/index.js';
import type { HostPort, ServeConfig } from './config.js';
import { createHttpServer, createObservabilityServer } from './http.js';
import { ServeMetrics } from './metrics.js';
import { MeshPipeline } from './pipeline.js';
import { PipelineRuns } from './pipeline-runs.js';
import { DirSource, describeDiagnostics } from './dir-source.js';
import {
  EdgeEndpointSource,
  dnsHostnames,
  nodesWithHostnames,
  readEndpointsFile,
  type EndpointChange,
} from './endpoints.js';
import { readManifests, syncRecords } from './import-manifests.js';
import type { Logger } from './logger.js';
import { sigv4Authenticator } from './xds-sigv4.js';
import { admitWhenCurrent } from './stream-admission.js';
import { startTokenSweeper } from './token-sweeper.js';
import { planXdsTls } from './xds-tls.js';
import { caResourceOwner, startCa } from './ca.js';
import { secretAuthorityRecord } from './ca-secret-record.js';
import { podNamespace } from './pod-namespace.js';
import { serviceAccountOfPods } from './ca-service-accounts.js';
import { CaMetrics } from './ca-metrics.js';
import { registerCaRoutes } from './ca-routes.js';
import type { CertificateChange } from '../ca/index.js';
import {
  ChangeFeed,
  ConsoleAccess,
  consoleApi,
  readTokenFile,
  SnapshotHistory,
  StatusBoard,
  StatusPublisher,
  proxyStatusRows,
} from '../console/index.js';
import { createSigV4Verifier, loadCredentialsFile } from '../api/index.js';
import { randomUUID } from 'node:crypto';

export interface RunningServer {
  apiUrl: string;
  xdsAddress: string;
  /** `--xds-tls-listen`'s bound address. */
  xdsTlsAddress?: string;
  /** `--metrics-listen`'s URL (`/metrics`, `/debug/*` without authentication). */
  metricsUrl?: string;
  store: ResourceStore;
  pipeline: MeshPipeline;
  xds: XdsServer;
  http: FastifyInstance;
  /** Runs pending work now (tests): flushes the debouncer; resolves once the runs it asked for have ended. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface ServeExtras {
  logger: Logger;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** examples/seed, from src/server or dist/server. */
export const SEED_DIR = path.resolve(here, '..', '..', 'examples', 'seed');

export async function startServer(config: ServeConfig, extras: ServeExtras): Promise<RunningServer> {
  const { logger } = extras;
  const cleanups: Array<() => Promise<void> | void> = [];
  const undoOnFailure: Array<() => void> = [];
  const closeAll = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    // ── store ────────────────────────────────────────────────────────────
    let fresh = config.store === 'memory';
    if (config.store === 'sqlite' && !config.from) {
      fresh = !existsSync(path.join(config.dataDir, DEFAULT_SQLITE_FILE));
      // A start that fails leaves no half-made data directory: the next start seeds again.
      if (fresh) undoOnFailure.push(removeFreshData(config.dataDir, existsSync(config.dataDir)));
      mkdirSync(config.dataDir, { recursive: true });
    }
    const graphOptions = { quotas: config.quotas, clusterDomain: config.clusterDomain };
    // On Kubernetes the cluster is the store: informers, the controller (status,
    // finalizers, leader election), the webhooks, pod endpoints and token auth.
    let kube: KubernetesRuntime | undefined;
    if (config.store === 'kubernetes') {
      kube = await startKubernetes(config, graphOptions, logger);
      const runtime = kube;
      cleanups.push(() => runtime.stop());
    }
    const store: ResourceStore = kube
      ? kube.store
      : createStore({
          kind: config.from ? 'memory' : (config.store as 'sqlite' | 'memory' | 'etcd'),
          dataDir: config.dataDir,
          etcd: { endpoints: config.etcdEndpoints, prefix: config.etcdPrefix },
        });
    if (!kube) cleanups.push(() => store.close());

    // ── sources ──────────────────────────────────────────────────────────
    let dirSource: DirSource | undefined;
    let fromApplied = false;
    if (config.from) {
      dirSource = new DirSource(
        config.from,
        store,
        {
          applied: (r, diagnostics) => {
            fromApplied = true;
            logger.info({ dir: config.from, ...r, warnings: diagnostics.length }, 'manifests applied');
          },
          rejected: (diagnostics) => {
            logger.error(
              { dir: config.from, errors: diagnostics.filter((d) => d.severity === 'error').length },
              `manifests rejected; still serving the last good mesh:\n${describeDiagnostics(diagnostics)}`,
            );
          },
        },
        graphOptions,
      );
      fromApplied = await dirSource.start();
      if (!fromApplied)
        logger.warn(
          { dir: config.from },
          'nothing served, and /readyz says not ready, until the manifests are valid',
        );
      cleanups.push(() => dirSource?.close());
    } else if (fresh && config.seed) {
      const { records, diagnostics } = await readManifests([SEED_DIR], graphOptions);
      if (hasErrors(diagnostics))
        throw new Error(`the example mesh in ${SEED_DIR} is invalid:\n${describeDiagnostics(diagnostics)}`);
      const r = await syncRecords(store, records, new Set());
      logger.info(
        { dir: SEED_DIR, created: r.created },
        'fresh data directory: loaded the example mesh (examples/seed)',
      );
    }

    // ── certificate authority ────────────────────────────────────────────
    const metrics = new ServeMetrics();
    let onCertificates: (change: CertificateChange) => void = () => undefined;
    // Scraped only once `ca` is set.
    const caMetrics = new CaMetrics(metrics.registry, () => ca?.runtime.certificates.stats());
    const ca = await startCa({
      config,
      store,
      ...(kube
        ? {
            record: secretAuthorityRecord(kube.client, podNamespace()),
            serviceAccountOf: serviceAccountOfPods((ns) => kube.cache.pods?.list(ns) ?? []),
          }
        : {}),
      logger,
      onChange: (change) => {
        caMetrics.issued.inc(change.groups.length);
        onCertificates(change);
      },
      onFailure: () => caMetrics.failures.inc(),
    });
    if (ca) cleanups.push(() => ca.close());

    // ── pipeline ─────────────────────────────────────────────────────────
    const cache = new SnapshotCache();
    // What the console's open pages follow: translations and proxies' ACKs, NACKs, arrivals and departures.
    const consoleFeed = new ChangeFeed();
    cleanups.push(() => consoleFeed.close());
    // The endpoint source and the pipeline refer to each other; the source's changes reach the pipeline once it exists.
    let onEndpointChange: (change: EndpointChange) => void = () => undefined;
    const edge = new EdgeEndpointSource((change) => onEndpointChange(change));
    cleanups.push(() => edge.close());
    if (config.endpointsFile && kube) {
      throw new Error(
        '--endpoints-file does not apply with --store kubernetes: there, the pods each VirtualNode podSelector selects are its endpoints',
      );
    }
    if (config.endpointsFile) edge.setRegistry(readEndpointsFile(config.endpointsFile));
    const endpoints: EndpointSource = kube ? kube.endpoints : edge;
    if (kube) kube.endpoints.onChange((nodes) => onEndpointChange({ nodes: [...nodes], hostnames: [] }));
    // The xDS server is made below; until then no proxy can be waiting for an answer.
    let responsesInFlight = (): number => 0;
    const pipeline = new MeshPipeline({
      cache,
      endpoints,
      graph: graphOptions,
      logger,
      sliceMs: config.translationSliceMs,
      responsesInFlight: () => responsesInFlight(),
      ...(ca ? { translate: { ca: { trustDomain: ca.trustDomain } }, secrets: ca.secrets } : {}),
      onRun: (run) => {
        consoleFeed.notify();
        ca?.want(run.graph, pipeline.suppliedSecretNames());
        // The run's own time: not the wait for its proxies' answers (their latency is amime_xds_*).
        metrics.translationSeconds.observe((run.durationMs - run.fanOutWaitMs) / 1000);
        metrics.failedGroups.set(run.failures.length);
        const errors = run.diagnostics.filter((d) => d.severity === 'error').length;
        metrics.meshDiagnostics.set({ severity: 'error' }, errors);
        metrics.meshDiagnostics.set({ severity: 'warning' }, run.diagnostics.length - errors);
        if (!kube) edge.watchHostnames(dnsHostnames(run.graph));
        logger.debug(
          {
            groups: run.groups,
            changed: run.changedGroups,
            removed: run.removedGroups,
            ms: Math.round(run.durationMs),
            ...(run.fanOutWaitMs > 0 ? { fanOutWaitMs: Math.round(run.fanOutWaitMs) } : {}),
          },
          'translated',
        );
      },
    });
    // One run at a time, in time slices; endpoint and secret changes wait behind a run under way.
    // Runs are asked for only once the store source below exists (the debouncer and the first run).
    const runs = new PipelineRuns({
      pipeline,
      read: () => ({ revision: mirror.revision, input: source.graphInput() }),
      logger,
    });
    onCertificates = (change) =>
      runs.exclusive(() => pipeline.secretsChanged(change.bundleChanged ? undefined : change.groups));
    onEndpointChange = (change) =>
      runs.exclusive(() => {
        // The graph of the last run, read when the change is applied (after any run under way).
        const graph = pipeline.graph;
        if (graph)
          pipeline.endpointsChanged([...change.nodes, ...nodesWithHostnames(graph, change.hostnames)]);
      });
    // The process's one view of the store: translation and the REST API both read it.
    const mirror = await StoreMirror.open(store, {
      onError: (err, retryInMs) =>
        logger.error({ err, retryInMs }, 'the store watch failed; listing the store again'),
      onListenerError: (err) => logger.error({ err }, 'applying a store change failed'),
    });
    cleanups.push(() => mirror.close());
    // Other replicas write etcd; a replica cut off from it must notice (a local store cannot be).
    const freshness =
      store.kind === 'etcd'
        ? new StoreFreshness(store, mirror, {
            boundMs: config.storeStalenessMs,
            onChange: (status) =>
              status.fresh
                ? logger.info({ freshness: status }, 'the view of etcd is current again: ready')
                : logger.error(
                    { freshness: status },
                    'cut off from etcd for longer than --store-staleness-ms: not ready, new xDS streams refused',
                  ),
          }).start()
        : undefined;
    if (freshness) cleanups.push(() => freshness.close());
    // What one replica at a time does (src/store/etcd-election.ts); the Kubernetes store's API objects are the cluster's.
    const election =
      store.kind === 'etcd'
        ? EtcdElection.start({
            endpoints: config.etcdEndpoints,
            prefix: config.etcdPrefix,
            name: 'maintenance',
            onChange: (leading) =>
              logger.info(
                { leading },
                leading ? "leading the replicas' maintenance" : 'no longer leading the maintenance',
              ),
          })
        : undefined;
    if (election) cleanups.push(() => election.close());
    if (!kube)
      cleanups.push(
        startTokenSweeper({ store, ...(election ? { election } : {}), everyMs: 10 * 60_000, logger }),
      );
    // Pushes come only from the store source, so `source` is set before the debouncer first fires.
    const debouncer = new Debouncer<true>(() => void runs.request(), config.debounce);
    cleanups.push(() => debouncer.cancel());
    // Cleanups run in reverse: the run under way ends before the store and its mirror close.
    cleanups.push(() => runs.close());
    const source = new StoreSource(mirror, () => debouncer.push(true));
    cleanups.push(() => source.close());
    const first = await runs.request();
    if (!first) throw new Error('translating the stored mesh failed (the error is logged above)');
    const firstErrors = first.diagnostics.filter((d) => d.severity === 'error');
    if (firstErrors.length > 0)
      logger.warn(
        { errors: firstErrors.length },
        `the stored mesh has problems:\n${describeDiagnostics(firstErrors)}`,
      );

    // ── xDS ──────────────────────────────────────────────────────────────
    const tokensAndCertificates: Authenticator | undefined = config.xds.authFile
      ? await FileAuthenticator.fromFile(config.xds.authFile)
      : kube?.authenticator;
    const authenticator = config.xds.sigv4CredentialsFile
      ? await sigv4Authenticator(config.xds.sigv4CredentialsFile, config.xds.authFile, tokensAndCertificates)
      : tokensAndCertificates;
    const xds = new XdsServer({
      cache,
      ...(authenticator ? { authenticator } : {}),
      arn: { region: config.region, account: config.accountId },
      // A shared mesh's resources are its owner's: `mesh/<mesh>@<owner>/…` names them.
      meshOwnerOf: (mesh) => pipeline.graph?.meshes.get(mesh)?.mesh.resource.spec.meshOwner,
      resourceOwner: caResourceOwner,
      limits: {
        ...(config.xds.maxProxiesPerNode ? { maxProxiesPerNode: config.xds.maxProxiesPerNode } : {}),
        ...(config.xds.maxStreams ? { maxStreams: config.xds.maxStreams } : {}),
        ...(config.xds.maxNamesPerStream ? { maxNamesPerStream: config.xds.maxNamesPerStream } : {}),
        ...(config.xds.newStreamsPerSecond !== undefined
          ? { newStreamsPerSecond: config.xds.newStreamsPerSecond }
          : {}),
      },
      logger,
      ...(config.xds.insecure ? { insecure: true } : {}),
      ...(freshness
        ? {
            admitStream: admitWhenCurrent({
              freshness,
              translatedRevision: () => runs.translatedRevision,
              translateNow: () => {
                debouncer.flush();
                return runs.settled();
              },
            }),
          }
        : {}),
    });
    metrics.observeXds(xds);
    responsesInFlight = () => xds.responsesInFlight();
    for (const event of ['connect', 'disconnect', 'ack', 'nack'] as const)
      xds.events.on(event, consoleFeed.notify);
    const history = new SnapshotHistory(cache);
    cleanups.push(() => history.close());
    // Replicas sharing etcd tell each other which proxies they hold, so any one answers
    // for all (src/console/status-record.ts); a local store has one replica, nothing to tell.
    const instance = randomUUID();
    const board = store.kind === 'etcd' ? new StatusBoard(mirror, instance, consoleFeed.notify) : undefined;
    if (board) {
      cleanups.push(() => board.close());
      const writer = new EtcdLeasedKeys({
        endpoints: config.etcdEndpoints,
        prefix: config.etcdPrefix,
        onError: (err) => logger.warn({ err }, 'publishing the connected proxies to etcd failed; retrying'),
      });
      const publisher = new StatusPublisher({
        writer,
        replica: config.replicaName,
        instance,
        rows: () =>
          proxyStatusRows(
            xds.clientStatus(),
            config.replicaName,
            Date.now(),
            (g) => history.snapshots(g)[0]?.version ?? null,
          ),
      });
      for (const event of ['connect', 'disconnect', 'push', 'ack', 'nack'] as const)
        xds.events.on(event, publisher.changed);
      // A graceful stop revokes the lease: the other replicas stop listing these proxies at once.
      cleanups.push(async () => {
        publisher.close();
        await writer.close();
      });
    }
    if (ca && !authenticator)
      logger.warn(
        {},
        "certificate authority: xDS streams are not authenticated, so a proxy's certificate and private key go to whoever claims its node id; give --xds-auth-file (or run with --store kubernetes, which checks service account tokens)",
      );
    const tls = await planXdsTls(config, logger);
    if (!authenticator && !config.xds.insecure && !isLoopbackHost(config.xdsListen.host))
      throw new Error(
        `--xds-listen ${config.xdsListen.host}: proxies on other machines need authentication: give --xds-auth-file (docs/file-formats.md), or --insecure-xds to serve them without`,
      );
    cleanups.push(() => xds.close());
    const xdsPort = await listening('--xds-listen', config.xdsListen, () =>
      xds.listen(config.xdsListen.host, config.xdsListen.port, tls.main),
    );
    const extra = tls.extra;
    const xdsTlsPort = extra
      ? await listening('--xds-tls-listen', extra.at, () =>
          xds.listen(extra.at.host, extra.at.port, extra.tls),
        )
      : undefined;

    // ── HTTP ─────────────────────────────────────────────────────────────
    let ready = false;
    const xdsAddress = `${bracketed(config.xdsListen.host)}:${xdsPort}`;
    const limits = {
      ...(config.api.maxConnections ? { maxConnections: config.api.maxConnections } : {}),
      ...(config.api.requestTimeoutMs ? { requestTimeoutMs: config.api.requestTimeoutMs } : {}),
      ...(config.api.idleTimeoutMs ? { idleTimeoutMs: config.api.idleTimeoutMs } : {}),
    };
    const diagnostics = () => [
      ...(dirSource?.lastDiagnostics ?? []),
      ...(pipeline.graph?.diagnostics ?? []),
      ...pipeline.failureDiagnostics(),
    ];
    const http = await createHttpServer({
      api: {
        store,
        mirror,
        accountId: config.accountId,
        region: config.region,
        quotas: config.quotas,
        ...(config.api.credentialsFile ? { credentials: config.api.credentialsFile } : {}),
        ...(config.api.requestsPerSecond === 0
          ? { rateLimit: false as const }
          : config.api.requestsPerSecond
            ? { rateLimit: { ratePerSecond: config.api.requestsPerSecond } }
            : {}),
        ...(config.api.maxBodyBytes ? { bodyLimit: config.api.maxBodyBytes } : {}),
        logger,
        onMetric: (m) => metrics.apiRequests.inc({ operation: m.operation, code: String(m.statusCode) }),
      },
      limits,
      metrics,
      xds,
      ready: () => ready && (!config.from || fromApplied),
      notReadyReason: () =>
        config.from && !fromApplied
          ? `the manifests in ${config.from} have errors, so there is nothing to serve yet (GET /debug/diagnostics)`
          : undefined,
      xdsAddress: () => xdsAddress,
      store: () => mirror.status(),
      ...(freshness ? { freshness: () => freshness.status() } : {}),
      diagnostics,
      failures: () => pipeline.failures,
      ...(config.from
        ? {
            readOnlyReason: `Amime is serving the manifests in ${config.from} (--from); edit those files instead of calling the API`,
          }
        : {}),
    });
    cleanups.push(() => http.close());
    if (ca)
      registerCaRoutes(http, ca.runtime, {
        ...(config.api.credentialsFile ? { credentialsFile: config.api.credentialsFile } : {}),
      });
    await http.register(consoleApi, {
      sources: {
        replica: config.replicaName,
        clients: () => xds.clientStatus(),
        ...(board ? { elsewhere: (now: number) => board.rows(now), omitted: () => board.omitted() } : {}),
        snapshots: (group) => history.snapshots(group),
        graph: () => pipeline.graph,
        diagnostics,
        feed: consoleFeed,
        ...(config.from
          ? { readOnly: `serving the manifests in ${config.from} (--from): edit those files` }
          : {}),
      },
      access: new ConsoleAccess({
        ...(config.api.consoleTokenFile ? { token: readTokenFile(config.api.consoleTokenFile) } : {}),
        ...(config.api.credentialsFile
          ? {
              verifier: createSigV4Verifier({ credentials: loadCredentialsFile(config.api.credentialsFile) }),
            }
          : {}),
        exposed: !isLoopbackHost(config.apiListen.host),
      }),
    });
    await listening('--api-listen', config.apiListen, () =>
      http.listen({ host: config.apiListen.host, port: config.apiListen.port }),
    );
    let metricsUrl: string | undefined;
    if (config.metricsListen) {
      const at = config.metricsListen;
      const observability = await createObservabilityServer({ limits, metrics, xds, diagnostics });
      cleanups.push(() => observability.close());
      metricsUrl = await listening('--metrics-listen', at, () =>
        observability.listen({ host: at.host, port: at.port }),
      );
    }
    const apiAddress = http.server.address();
    const apiPort = typeof apiAddress === 'object' && apiAddress ? apiAddress.port : config.apiListen.port;
    ready = true;

    const apiUrl = `http://${bracketed(config.apiListen.host)}:${apiPort}`;
    return {
      apiUrl,
      xdsAddress,
      ...(tls.extra ? { xdsTlsAddress: `${bracketed(tls.extra.at.host)}:${xdsTlsPort}` } : {}),
      ...(metricsUrl ? { metricsUrl } : {}),
      store,
      pipeline,
      xds,
      http,
      flush: () => {
        debouncer.flush();
        return runs.settled();
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    for (const undo of undoOnFailure) undo();
    throw err;
  }
}

const bracketed = (host: string) => (host.includes(':') ? `[${host}]` : host);

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Runs `listen`, turning "address in use" into a message that names the flag to change. */
async function listening<T>(flag: string, at: HostPort, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (err) {
    const text = String((err as { message?: string }).message ?? err);
    if ((err as { code?: string }).code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test(text)) {
      const address = `${bracketed(at.host)}:${at.port}`;
      throw new Error(
        `${address} is already in use (${flag}): stop what listens there (another amime serve?) or choose another address, e.g. ${flag} ${bracketed(at.host)}:${at.port + 1}`,
      );
    }
    throw err;
  }
}

/** Removes what a failed first start made in `dir`: all of it if the start made `dir`, else the database. */
function removeFreshData(dir: string, existed: boolean): () => void {
  return () => {
    if (!existed) rmSync(dir, { recursive: true, force: true });
    else
      for (const f of [DEFAULT_SQLITE_FILE, `${DEFAULT_SQLITE_FILE}-wal`, `${DEFAULT_SQLITE_FILE}-shm`])
        rmSync(path.join(dir, f), { force: true });
  };
}

async function startKubernetes(
  config: ServeConfig,
  graphOptions: GraphOptions,
  logger: Logger,
): Promise<KubernetesRuntime> {
  const k = config.kubernetes;
  const namespace = podNamespace();
  if (k.webhookSelfSigned && !k.webhookListen)
    throw new Error(
      '--webhook-self-signed needs --webhook-listen: the certificate is for the webhook server',
    );
  const certDir = k.webhookCertDir ?? '/etc/amime/webhook-tls';
  const runtime = await KubernetesRuntime.start({
    arn: { region: config.region, account: config.accountId },
    graphOptions,
    leaderElection: k.leaderElection === false ? false : { namespace, leaseName: 'amime-leader' },
    ...(k.webhookListen
      ? {
          webhook: {
            host: k.webhookListen.host,
            port: k.webhookListen.port,
            tls: { certDir },
            injector: { sidecarImage: k.sidecarImage, initImage: k.initImage },
            ipFamily: k.clusterIpFamily,
            // Secret amime-webhook-tls in the pod's namespace, for Service amime-webhook there (deploy/kubernetes/README.md).
            ...(k.webhookSelfSigned
              ? { selfSigned: { namespace, clusterDomain: config.clusterDomain } }
              : {}),
          },
        }
      : {}),
    logger,
  });
  if (runtime.webhook && k.webhookListen) {
    logger.info(
      {
        webhook: `${k.webhookListen.host}:${runtime.webhook.port}`,
        certificate: k.webhookSelfSigned ? `Secret ${namespace}/${WEBHOOK_TLS_SECRET}` : certDir,
      },
      'admission webhooks are serving',
    );
  }
  return runtime;
}
