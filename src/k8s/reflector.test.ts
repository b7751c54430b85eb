/**
 * The Reflector against the API-server double: when its watch resumes from a
 * resourceVersion the server has compacted away (410 Expired), it lists again and
 * passes the difference on, so a delete it never saw as an event is not lost.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiServerTestDouble } from '../../test/k8s-double/api-server-double.js';
import type { Pod } from './objects.js';
import { Reflector, type Change } from './reflector.js';
import { RestKubeClient } from './rest-client.js';

let double: ApiServerTestDouble;
let client: RestKubeClient;
let reflector: Reflector<Pod> | undefined;

beforeEach(async () => {
  double = await ApiServerTestDouble.start({ historyLimit: 50 });
  client = new RestKubeClient(double.kubeConfig());
  await client.create('/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'ns' },
  });
});

afterEach(async () => {
  await reflector?.stop();
  reflector = undefined;
  await double.close();
});

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [] },
});
const lists = () => double.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/pods').length;

describe('Reflector', () => {
  it('relists after 410 Expired and reports what changed while it was not watching', async () => {
    await client.create('/api/v1/namespaces/ns/pods', pod('stays'));
    await client.create('/api/v1/namespaces/ns/pods', pod('goes'));
    const changes: string[] = [];
    reflector = new Reflector<Pod>(client, '/api/v1/pods', { backoffMs: 10 });
    reflector.onChange((batch: ReadonlyArray<Change<Pod>>) =>
      changes.push(...batch.map((c) => `${c.type} ${c.object.metadata.name}`)),
    );
    reflector.start();
    await reflector.synced();
    expect(changes.sort()).toEqual(['add goes', 'add stays']);
    expect(lists()).toBe(1);

    // The watch ends; while it is away a pod is deleted, one is added, and the history
    // it would resume from is compacted.
    double.holdWatches(true);
    double.closeWatches();
    await client.delete('/api/v1/namespaces/ns/pods/goes');
    await client.create('/api/v1/namespaces/ns/pods', pod('new'));
    double.compact();
    changes.length = 0;
    double.holdWatches(false);

    await vi.waitFor(() => expect(changes.sort()).toEqual(['add new', 'delete goes']), { timeout: 10_000 });
    expect(lists()).toBe(2);
    expect(
      reflector
        .list()
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(['new', 'stays']);
    // And it watches again from the new list: later changes arrive as events.
    await client.create('/api/v1/namespaces/ns/pods', pod('later'));
    await vi.waitFor(() => expect(changes).toContain('add later'), { timeout: 10_000 });
    expect(lists()).toBe(2);
  });
});
