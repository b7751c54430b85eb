/**
 * The human view of a group's resources, as Envoy shows them in its admin
 * config_dump: each resource encoded, decoded, and printed with `@type` on every Any
 * (see proto/json.ts), sorted by name. `amime render` and the golden files print this.
 */
import {
  toJsonView,
  type JsonObject,
  XDS_KINDS,
  XDS_TYPE_NAME,
  resourceNameOf,
  type XdsKind,
} from '../proto/index.js';
import { cmp } from './context.js';
import { encodeOne, type EnvoyResources } from './translate.js';

export type ResourcesView = Partial<Record<XdsKind, JsonObject[]>>;

export function resourcesView(res: EnvoyResources, kinds: ReadonlyArray<XdsKind> = XDS_KINDS): ResourcesView {
  const out: ResourcesView = {};
  for (const kind of XDS_KINDS) {
    if (!kinds.includes(kind)) continue;
    const sorted = [...(res[kind] as object[])].sort((a, b) =>
      cmp(resourceNameOf(kind, a), resourceNameOf(kind, b)),
    );
    out[kind] = sorted.map((r) => toJsonView(XDS_TYPE_NAME[kind], encodeOne(kind, r)));
  }
  return out;
}
