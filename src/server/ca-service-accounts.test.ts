import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Pod } from '../k8s/index.js';
import { loadText } from '../load/index.js';
import { validateLoaded } from '../mesh/index.js';
import { SEED_COMPLETE } from '../../test/support/fixtures.js';
import { serviceAccountOfPods } from './ca-service-accounts.js';

const { graph } = validateLoaded(
  loadText(readFileSync(path.join(SEED_COMPLETE, 'mesh.yaml'), 'utf8'), 'mesh.yaml'),
);
const vnode1 = graph.meshes.get('mesh-1')!.virtualNodes.get('vnode-1_mesh-test')!;
const selected = vnode1.resource.spec.podSelector!.matchLabels!;

const pod = (
  name: string,
  labels: Record<string, string>,
  serviceAccountName?: string,
  ns = 'mesh-test',
): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels },
  spec: { containers: [], ...(serviceAccountName ? { serviceAccountName } : {}) },
});

describe('the service account of a virtual node’s pods', () => {
  const of = (pods: Pod[]) =>
    serviceAccountOfPods((ns) => pods.filter((p) => p.metadata.namespace === ns))(vnode1);

  it('is the one account its selected pods run under', () => {
    expect(
      of([pod('a', selected, 'web'), pod('b', selected, 'web'), pod('c', { app: 'other' }, 'x')]),
    ).toEqual({
      namespace: 'mesh-test',
      serviceAccount: 'web',
    });
    expect(of([pod('a', selected)])).toEqual({ namespace: 'mesh-test', serviceAccount: 'default' });
  });

  it('is unknown with no selected pod, pods in another namespace only, or pods under several accounts', () => {
    expect(of([])).toBeUndefined();
    expect(of([pod('a', selected, 'web', 'elsewhere')])).toBeUndefined();
    expect(of([pod('a', selected, 'web'), pod('b', selected, 'api')])).toBeUndefined();
  });
});
