/**
 * A proxy group that is not served its current configuration shows on the HTTP side:
 * `/readyz` says `degraded` (still 200: the other groups are served) and names it,
 * `/debug/diagnostics` carries it as an error on its virtual node, and `/metrics` counts it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../store/index.js';
import { SnapshotCache, XdsServer } from '../xds/index.js';
import type { Diagnostic } from '../model/index.js';
import { createHttpServer } from './http.js';
import { ServeMetrics } from './metrics.js';
import type { GroupFailure } from './pipeline.js';

const failure: GroupFailure = {
  group: 'mesh/m/virtualNode/a_ns',
  stage: 'check',
  message: 'RouteConfiguration "rds_egress_http_80": route.timeout: is out of range\nsecond line',
  servedLastGood: true,
};
const diagnostic: Diagnostic = {
  severity: 'error',
  code: 'translate.check-failed',
  resource: { kind: 'VirtualNode', namespace: 'ns', name: 'a' },
  path: '',
  message: `proxy group ${failure.group} keeps its last good configuration: …`,
};

describe('the HTTP side of a failing proxy group', async () => {
  let failures: GroupFailure[] = [failure];
  const metrics = new ServeMetrics();
  metrics.failedGroups.set(1);
  const app = await createHttpServer({
    api: { store: createMemoryStore() },
    metrics,
    xds: new XdsServer({ cache: new SnapshotCache() }),
    ready: () => true,
    diagnostics: () => (failures.length > 0 ? [diagnostic] : []),
    failures: () => failures,
  });
  afterAll(() => app.close());

  it('/readyz is degraded (200) and names the group; ready again once it is served', async () => {
    const degraded = await app.inject('/readyz');
    expect(degraded.statusCode).toBe(200);
    expect(degraded.json()).toEqual({
      status: 'degraded',
      failedGroups: [
        {
          group: failure.group,
          stage: 'check',
          servedLastGood: true,
          reason: 'RouteConfiguration "rds_egress_http_80": route.timeout: is out of range',
        },
      ],
    });
    failures = [];
    expect((await app.inject('/readyz')).json()).toEqual({ status: 'ready' });
    failures = [failure];
  });

  it('/debug/diagnostics and /metrics show it', async () => {
    expect((await app.inject('/debug/diagnostics')).json()).toEqual({ diagnostics: [diagnostic] });
    expect((await app.inject('/metrics')).body).toMatch(/^amime_translation_failed_groups 1$/m);
  });
});
