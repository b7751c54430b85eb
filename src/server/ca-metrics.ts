/** Prometheus metrics of the certificate authority: certificates issued, failures to issue, the soonest expiry. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { WorkloadCertificateStats } from '../ca/index.js';

export class CaMetrics {
  readonly issued: Counter;
  readonly failures: Counter;

  constructor(registry: Registry, stats: () => WorkloadCertificateStats | undefined) {
    this.issued = new Counter({
      name: 'amime_ca_certificates_issued_total',
      help: 'Workload certificates issued (first issue, renewal, re-issue after a rotation or identity change)',
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'amime_ca_certificate_failures_total',
      help: 'Issuances or renewals that failed (each is retried; the previous certificate stays served)',
      registers: [registry],
    });
    new Gauge({
      name: 'amime_ca_certificates',
      help: 'Proxy groups holding a workload certificate',
      registers: [registry],
      collect() {
        this.set(stats()?.current ?? 0);
      },
    });
    new Gauge({
      name: 'amime_ca_earliest_expiry_timestamp_seconds',
      help: 'When the first of the current workload certificates expires (Unix seconds; absent without any)',
      registers: [registry],
      collect() {
        const at = stats()?.earliestExpiry;
        this.reset();
        if (at) this.set(at.getTime() / 1000);
      },
    });
  }
}
