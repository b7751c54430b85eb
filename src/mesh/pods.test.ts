import { describe, expect, it } from 'vitest';
import type { InputPod } from './graph.js';
import { check, listener, NS, summarize, vg, vn, type Raw } from './fixtures.testkit.js';

const enabled = [{ name: NS, labels: { mesh: 'm', 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' } }];
const node = (name: string, podSelector?: Raw) =>
  vn(name, {
    ...(podSelector ? { podSelector } : {}),
    listeners: [listener()],
    serviceDiscovery: { dns: { hostname: 'h' } },
  });
const gateway = (name: string, podSelector?: Raw) =>
  vg(name, { ...(podSelector ? { podSelector } : {}), listeners: [listener(8088)] });
const pod = (labels: Record<string, string>, more: Partial<InputPod> = {}): InputPod => ({
  namespace: NS,
  name: 'web',
  labels,
  kind: 'Deployment',
  templatePath: ['spec', 'template'],
  locate: (p) => ({ file: 'w.yaml', line: 10 + p.length, col: 1 }),
  ...more,
});

describe('pods against podSelectors (appmesh.md §2.2, §3.1)', () => {
  it('one matching VirtualNode is fine; an absent podSelector selects no pod', () => {
    const r = check([node('a', { matchLabels: { app: 'web' } }), node('b')], {
      namespaces: enabled,
      pods: [pod({ app: 'web' })],
    });
    expect(r.diagnostics).toEqual([]);
  });

  it('rejects a pod matched by two VirtualNodes, at the template labels', () => {
    const r = check([node('a', { matchLabels: { app: 'web' } }), node('b', {})], {
      namespaces: enabled,
      pods: [pod({ app: 'web' })],
    });
    expect(summarize(r.errors)).toEqual(['error pod.multiple-virtual-nodes @ spec.template.metadata.labels']);
    expect(r.errors[0]!.message).toBe(
      'found multiple matching VirtualNodes for pod ns/web: ns/a,ns/b; make their podSelectors disjoint',
    );
    expect(r.errors[0]!.resource).toEqual({ kind: 'Deployment', namespace: NS, name: 'web' });
    expect(r.errors[0]!.source).toEqual({ file: 'w.yaml', line: 12, col: 1 });
  });

  it('rejects a pod matched by two VirtualGateways', () => {
    const r = check(
      [
        gateway('a', { matchLabels: { app: 'gw' } }),
        gateway('b', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }),
      ],
      { namespaces: enabled, pods: [pod({ app: 'gw' })] },
    );
    expect(summarize(r.errors)).toEqual([
      'error pod.multiple-virtual-gateways @ spec.template.metadata.labels',
    ]);
  });

  it('rejects a pod matched by a VirtualNode and a VirtualGateway', () => {
    const r = check([node('a', { matchLabels: { app: 'x' } }), gateway('g', { matchLabels: { app: 'x' } })], {
      namespaces: enabled,
      pods: [pod({ app: 'x' })],
    });
    expect(summarize(r.errors)).toEqual([
      'error pod.virtual-node-and-gateway @ spec.template.metadata.labels',
    ]);
    expect(r.errors[0]!.message).toContain('Please use podSelector on one');
  });

  it('with injection enabled, a pod must match something', () => {
    const r = check([node('a', { matchLabels: { app: 'x' } })], {
      namespaces: enabled,
      pods: [pod({ app: 'db' })],
    });
    expect(summarize(r.errors)).toEqual(['error pod.no-match @ spec.template.metadata.labels']);
    expect(r.errors[0]!.message).toContain(
      'sidecarInject enabled but no matching VirtualNode or VirtualGateway found',
    );
  });

  it('the pod annotation disabled, or a namespace without the injector label, skips the checks', () => {
    const twice = [node('a', {}), node('b', {})];
    expect(
      check(twice, {
        namespaces: enabled,
        pods: [pod({}, { annotations: { 'appmesh.k8s.aws/sidecarInjectorWebhook': 'Disabled' } })],
      }).errors,
    ).toEqual([]);
    expect(check(twice, { pods: [pod({})] }).errors).toEqual([]);
  });

  it('a pod annotation enabled overrides a namespace labelled disabled', () => {
    const ns = [{ name: NS, labels: { mesh: 'm', 'appmesh.k8s.aws/sidecarInjectorWebhook': 'disabled' } }];
    const r = check([node('a', { matchLabels: { app: 'x' } })], {
      namespaces: ns,
      pods: [pod({ app: 'db' }, { annotations: { 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' } })],
    });
    expect(r.errors.map((d) => d.code)).toEqual(['pod.no-match']);
  });

  it('only selectors of the pod namespace count', () => {
    const r = check(
      [
        node('a', {}),
        vn(
          'b',
          { podSelector: {}, listeners: [listener()], serviceDiscovery: { dns: { hostname: 'h' } } },
          { namespace: 'other' },
        ),
      ],
      {
        namespaces: [...enabled, { name: 'other', labels: { mesh: 'm' } }],
        pods: [pod({})],
      },
    );
    expect(r.errors).toEqual([]);
  });

  it('names every matching VirtualNode, and each points at its podSelector', () => {
    const r = check([node('a', { matchLabels: { app: 'web' } }), node('b', {})], {
      namespaces: enabled,
      pods: [pod({ app: 'web' })],
    });
    expect(r.errors[0]!.related).toEqual([
      {
        resource: { kind: 'VirtualNode', namespace: NS, name: 'a' },
        path: 'spec.podSelector',
        message: 'VirtualNode a selects this pod',
      },
      {
        resource: { kind: 'VirtualNode', namespace: NS, name: 'b' },
        path: 'spec.podSelector',
        message: 'VirtualNode b selects this pod',
      },
    ]);
  });

  it('names the matching VirtualGateways, and the node and gateway that both match', () => {
    const gateways = check([gateway('a', {}), gateway('b', {})], { namespaces: enabled, pods: [pod({})] });
    expect(gateways.errors.map((d) => d.message)).toEqual([
      'found multiple matching VirtualGateways for pod ns/web: ns/a,ns/b; make their podSelectors disjoint',
    ]);
    const both = check([node('n', {}), gateway('g', {})], { namespaces: enabled, pods: [pod({})] });
    expect(both.errors.map((d) => [d.message, d.related?.map((x) => x.message)])).toEqual([
      [
        'sidecarInject enabled for both virtualNode n and virtualGateway g on pod web. Please use podSelector on one',
        ['VirtualNode n selects this pod', 'VirtualGateway g selects this pod'],
      ],
    ]);
  });

  it('a pod that matches nothing says which labels nobody selects', () => {
    const message = (labels: Record<string, string>) =>
      check([node('a', { matchLabels: { app: 'x' } })], {
        namespaces: enabled,
        pods: [pod(labels)],
      }).errors.map((d) => d.message);
    expect(message({ app: 'db', tier: 'back' })).toEqual([
      'sidecarInject enabled but no matching VirtualNode or VirtualGateway found: no podSelector in namespace ns selects app=db, tier=back; add a VirtualNode for it or annotate the pod appmesh.k8s.aws/sidecarInjectorWebhook: disabled',
    ]);
    expect(message({})[0]).toContain('selects a pod without labels;');
  });

  it('a podSelector Kubernetes cannot parse selects no pod', () => {
    const broken = node('a', { matchLabels: { 'bad key!': 'x' } });
    const r = check([broken], { namespaces: enabled, pods: [pod({ 'bad key!': 'x' })] });
    expect(r.errors.map((d) => d.code)).toContain('pod.no-match');
  });

  it('in a namespace not in the input, only an enabled pod annotation asks for a match', () => {
    const elsewhere = (annotations?: Record<string, string>) =>
      pod({ app: 'x' }, { namespace: 'elsewhere', ...(annotations ? { annotations } : {}) });
    expect(check([node('a', {})], { namespaces: enabled, pods: [elsewhere()] }).diagnostics).toEqual([]);
    const asked = check([node('a', {})], {
      namespaces: enabled,
      pods: [elsewhere({ 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' })],
    });
    expect(summarize(asked.errors)).toEqual(['error pod.no-match @ spec.template.metadata.labels']);
  });

  it('a bare pod is a Pod with its labels at metadata.labels', () => {
    const r = check([node('a', {}), node('b', {})], {
      namespaces: enabled,
      pods: [
        { namespace: NS, name: 'p', labels: {}, locate: (p) => ({ file: 'p.yaml', line: p.length, col: 1 }) },
      ],
    });
    expect(r.errors.map((d) => [d.resource, d.path, d.source])).toEqual([
      [{ kind: 'Pod', namespace: NS, name: 'p' }, 'metadata.labels', { file: 'p.yaml', line: 2, col: 1 }],
    ]);
  });

  it('skips pods without a string namespace and name', () => {
    const annotations = { 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' };
    const bad = [
      null,
      { namespace: 7, name: 'p', labels: {}, annotations },
      { namespace: NS, name: 7, labels: {}, annotations },
    ];
    const r = check([node('a', {}), node('b', {})], {
      namespaces: enabled,
      pods: bad as unknown as InputPod[],
    });
    expect(r.diagnostics).toEqual([]);
  });
});
