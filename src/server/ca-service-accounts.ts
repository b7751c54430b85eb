/**
 * On Kubernetes, who a virtual node's pods are: the service account of the pods its
 * podSelector selects, when they all run under one — their certificates then carry
 * `spiffe://<trust-domain>/ns/<ns>/sa/<service-account>`. With no pod yet, or pods
 * under several accounts, the group keeps the mesh form
 * (`…/mesh/<mesh>/virtualNode/<name>`); listeners under the mesh switch accept both.
 */
import type { ServiceAccountOf } from '../ca/index.js';
import type { Pod } from '../k8s/index.js';
import { selectorMatches, selectorProblems } from '../mesh/index.js';

export function serviceAccountOfPods(podsIn: (namespace: string) => readonly Pod[]): ServiceAccountOf {
  return (node) => {
    const selector = node.resource.spec.podSelector;
    const namespace = node.resource.metadata.namespace;
    if (!selector || !namespace || selectorProblems(selector).length > 0) return undefined;
    const accounts = new Set<string>();
    for (const pod of podsIn(namespace))
      if (!pod.metadata.deletionTimestamp && selectorMatches(selector, pod.metadata.labels ?? {}, 'none'))
        accounts.add(pod.spec?.serviceAccountName ?? 'default');
    return accounts.size === 1 ? { namespace, serviceAccount: [...accounts][0]! } : undefined;
  };
}
