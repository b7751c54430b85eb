/** Prometheus metrics for `amime serve` (prom-client), fed by the xDS server's events and the pipeline. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { XdsServer } from '../xds/index.js';
import { shortTypeName } from '../xds/index.js';

const NO_CONFIGURATION = '(no configuration)';

export class ServeMetrics {
  readonly registry = new Registry();
  private xds: Pick<XdsServer, 'connectedByGroup'> | undefined;
  // Read from the server when scraped: a series exists only while a proxy of a
  // group with configuration is connected; every other proxy (an invented or not
  // yet translated node id) is counted under one label, so clients cannot mint series.
  readonly connectedProxies = new Gauge({
    name: 'amime_xds_connected_proxies',
    help: `Proxies connected over ADS, by proxy group (virtual node or gateway); "${NO_CONFIGURATION}" counts those whose group has no configuration`,
    labelNames: ['group'] as const,
    registers: [this.registry],
    collect: () => {
      this.connectedProxies.reset();
      for (const [group, n] of this.xds?.connectedByGroup() ?? [])
        this.connectedProxies.set({ group: group ?? NO_CONFIGURATION }, n);
    },
  });
  readonly pushes = new Counter({
    name: 'amime_xds_pushes_total',
    help: 'DiscoveryResponses sent, by resource type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly acks = new Counter({
    name: 'amime_xds_acks_total',
    help: 'ACKs received, by resource type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly nacks = new Counter({
    name: 'amime_xds_nacks_total',
    help: 'NACKs received, by resource type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly rejectedStreams = new Counter({
    name: 'amime_xds_rejected_streams_total',
    help: 'Streams ended by the server, by gRPC status code (7 denied, 8 quota, 16 unauthenticated...)',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly pushLatency = new Histogram({
    name: 'amime_xds_push_latency_seconds',
    help: 'Time from a configuration change to the proxy ACKing it',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly translationSeconds = new Histogram({
    name: 'amime_translation_seconds',
    help: 'Time to build the mesh graph and translate every changed proxy group',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly failedGroups = new Gauge({
    name: 'amime_translation_failed_groups',
    help: 'Proxy groups not served their current configuration (translation or its checks failed); they keep their last good one',
    registers: [this.registry],
  });
  readonly meshDiagnostics = new Gauge({
    name: 'amime_mesh_diagnostics',
    help: 'Problems in the current mesh configuration, by severity',
    labelNames: ['severity'] as const,
    registers: [this.registry],
  });
  readonly apiRequests = new Counter({
    name: 'amime_api_requests_total',
    help: 'App Mesh REST API requests, by operation and HTTP status code',
    labelNames: ['operation', 'code'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Subscribes to an xDS server's events; labels are bounded (types: CDS…SDS and `other`; codes: gRPC's). */
  observeXds(xds: Pick<XdsServer, 'events' | 'connectedByGroup'>): void {
    this.xds = xds;
    xds.events
      .on('reject', (e) => this.rejectedStreams.inc({ code: String(e.code) }))
      .on('push', (e) => this.pushes.inc({ type: shortTypeName(e.typeUrl) }))
      .on('ack', (e) => {
        this.acks.inc({ type: shortTypeName(e.typeUrl) });
        this.pushLatency.observe(e.pushLatencyMs / 1000);
      })
      .on('nack', (e) => this.nacks.inc({ type: shortTypeName(e.typeUrl) }));
  }
}
