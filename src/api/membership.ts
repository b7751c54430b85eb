/**
 * Which mesh (and which gateway) a stored resource belongs to, App Mesh style
 * (appmesh.md §2.2): `spec.meshRef` / `spec.virtualGatewayRef` when set (API-created
 * resources and anything the webhook defaulted), else label selectors: the one Mesh
 * whose namespaceSelector matches the object's namespace labels, and for a
 * GatewayRoute the one VirtualGateway whose namespaceSelector matches its namespace and
 * whose gatewayRouteSelector (absent = all) matches its labels. Ambiguous or no match
 * = not a member (the mesh graph reports why).
 */
import type { LabelSelector } from '../model/schema/common.js';

export type Labels = Readonly<Record<string, string>>;

/** An absent selector selects nothing; an empty one selects everything. */
export function selectorMatches(selector: LabelSelector | undefined, labels: Labels, absentMatchesAll = false): boolean {
  if (selector === undefined || selector === null) return absentMatchesAll;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    const value = labels[req.key];
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
