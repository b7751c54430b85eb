/**
 * Issue 16 item 2, walkthrough howto-k8s-egress (aws/aws-app-mesh-examples
 * walkthroughs/howto-k8s-egress/v1beta2/manifest.yaml.template): a DROP_ALL mesh whose
 * VirtualService `external` is named blue.mesh-external.svc.cluster.local. Its caller must
 * reach that name and nothing more: no `external.howto-k8s-egress.svc…` forms, which
 * would open a second way out of the DROP_ALL mesh.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_ENDPOINTS, parseGroupKey, translateGroupDetailed } from '../../src/envoy/index.js';
import { loadPaths } from '../../src/load/index.js';
import { validateLoaded } from '../../src/mesh/index.js';

describe('howto-k8s-egress: a VirtualService with an external awsName', () => {
  it('is reached by its awsName only', async () => {
    const file = path.join(import.meta.dirname, 'testdata', 'howto-k8s-egress.yaml');
    const { graph } = validateLoaded(await loadPaths([file]));
    const group = parseGroupKey('mesh/howto-k8s-egress/virtualNode/front_howto-k8s-egress')!;
    const { resources } = translateGroupDetailed(graph, group, NO_ENDPOINTS);
    const rc = resources.routes.find((r) => r.name === 'rds_egress_http_8080')!;
    const service = rc.virtual_hosts!.find((vh) => vh.name === 'blue.mesh-external.svc.cluster.local')!;
    expect(service.domains).toEqual([
      'blue.mesh-external.svc.cluster.local',
      'blue.mesh-external.svc.cluster.local:8080',
    ]);
    const all = rc.virtual_hosts!.flatMap((vh) => vh.domains ?? []);
    expect(all.filter((d) => d.includes('external.howto-k8s-egress'))).toEqual([]);
  });
});
