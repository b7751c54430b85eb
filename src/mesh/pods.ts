/**
 * Pods against podSelectors (appmesh.md §2.2, §3.1), as the sidecar injector sees
 * them: at most one VirtualNode and at most one VirtualGateway, never both, and a
 * match when injection is `enabled`. Pods come from Pod objects and workload templates.
 */
import type { VirtualGateway, VirtualNode } from '../model/index.js';

import type { BuildContext } from './context.js';
import { relatedAt, safeLocate, type ResourceEntry } from './context.js';
import type { InputPod } from './graph.js';
import { selectorMatches, selectorProblems } from './selectors.js';

const INJECT_LABEL = 'appmesh.k8s.aws/sidecarInjectorWebhook';

export type InjectionMode = 'enabled' | 'disabled' | 'unspecified';

function modeOf(value: string | undefined): InjectionMode {
  const v = value?.toLowerCase();
  return v === 'enabled' ? 'enabled' : v === 'disabled' ? 'disabled' : 'unspecified';
}

/** appmesh.md §3.1: the namespace label's value, overridden by the pod annotation (case-insensitive). */
export function injectionMode(
  namespaceLabels: Readonly<Record<string, string>>,
  podAnnotations: Readonly<Record<string, string>>,
): InjectionMode {
  const pod = modeOf(podAnnotations[INJECT_LABEL]);
  return pod !== 'unspecified' ? pod : modeOf(namespaceLabels[INJECT_LABEL]);
}

export function checkPods(ctx: BuildContext, pods: ReadonlyArray<InputPod>): void {
  const byNamespace = new Map<string, { vns: ResourceEntry[]; vgs: ResourceEntry[] }>();
  for (const e of ctx.entries) {
    if ((e.kind !== 'VirtualNode' && e.kind !== 'VirtualGateway') || !e.id.namespace) continue;
    let slot = byNamespace.get(e.id.namespace);
    if (!slot) byNamespace.set(e.id.namespace, (slot = { vns: [], vgs: [] }));
    (e.kind === 'VirtualNode' ? slot.vns : slot.vgs).push(e);
  }
  for (const pod of pods) {
    if (!pod || typeof pod.namespace !== 'string' || typeof pod.name !== 'string') continue;
    const ns = ctx.namespaces.get(pod.namespace);
    // The injector only runs in namespaces labelled enabled/disabled; unknown namespaces get the benefit of the doubt.
    const nsValue = ns?.labels[INJECT_LABEL];
    if (ns && nsValue !== 'enabled' && nsValue !== 'disabled') continue;
    const mode = injectionMode(ns?.labels ?? {}, pod.annotations ?? {});
    if (mode === 'disabled') continue;
    const labels = pod.labels ?? {};
    const slot = byNamespace.get(pod.namespace) ?? { vns: [], vgs: [] };
    const matching = (list: ResourceEntry[]) =>
      list.filter((e) => {
        const sel = (e.resource as VirtualNode | VirtualGateway).spec.podSelector;
        return selectorProblems(sel).length === 0 && selectorMatches(sel, labels, 'none');
      });
    const vns = matching(slot.vns);
    const vgs = matching(slot.vgs);
    const kind = pod.kind ?? 'Pod';
    const prefix = pod.templatePath ?? [];
    const at = {
      id: { kind, namespace: pod.namespace, name: pod.name },
      locate: (p: ReadonlyArray<string | number>) => safeLocate(pod.locate, p.slice(prefix.length)),
    };
    const labelsPath = [...prefix, 'metadata', 'labels'];
    const podName = `${pod.namespace}/${pod.name}`;
    const names = (list: ResourceEntry[]) => list.map((e) => `${e.id.namespace}/${e.id.name}`).join(',');
    const rel = (list: ResourceEntry[]) =>
      list.map((e) => relatedAt(e, ['spec', 'podSelector'], `${e.kind} ${e.id.name} selects this pod`));
    if (vns.length > 1) {
      ctx.errorAt(
        at,
        labelsPath,
        'pod.multiple-virtual-nodes',
        `found multiple matching VirtualNodes for pod ${podName}: ${names(vns)}; make their podSelectors disjoint`,
        rel(vns),
      );
    }
    if (vgs.length > 1) {
      ctx.errorAt(
        at,
        labelsPath,
        'pod.multiple-virtual-gateways',
        `found multiple matching VirtualGateways for pod ${podName}: ${names(vgs)}; make their podSelectors disjoint`,
        rel(vgs),
      );
    }
    if (vns.length > 0 && vgs.length > 0) {
      ctx.errorAt(
        at,
        labelsPath,
        'pod.virtual-node-and-gateway',
        `sidecarInject enabled for both virtualNode ${vns[0]!.id.name} and virtualGateway ${vgs[0]!.id.name} on pod ${pod.name}. Please use podSelector on one`,
        rel([vns[0]!, vgs[0]!]),
      );
    }
    if (mode === 'enabled' && vns.length === 0 && vgs.length === 0) {
      ctx.errorAt(
        at,
        labelsPath,
        'pod.no-match',
        `sidecarInject enabled but no matching VirtualNode or VirtualGateway found: no podSelector in namespace ${pod.namespace} selects ${formatLabels(labels)}; add a VirtualNode for it or annotate the pod ${INJECT_LABEL}: disabled`,
      );
    }
  }
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  const e = Object.entries(labels);
  return e.length === 0 ? 'a pod without labels' : e.map(([k, v]) => `${k}=${v}`).join(', ');
}
