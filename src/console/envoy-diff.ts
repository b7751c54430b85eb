/**
 * What changes in Envoy between two mesh graphs: for every proxy group whose rendered
 * resources differ, a unified diff of their YAML (Envoy's config_dump form, without
 * endpoints, which come from the running system and not from manifests). `amime diff`
 * prints these.
 */
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import {
  NO_ENDPOINTS,
  proxyGroups,
  resourcesView,
  translateGroupDetailed,
  type ProxyGroup,
} from '../envoy/index.js';
import type { MeshGraph } from '../mesh/index.js';

export interface GroupDiff {
  group: string;
  action: 'added' | 'removed' | 'changed';
  /** A unified diff (`--- a/<group>`, `+++ b/<group>`). */
  patch: string;
}

export interface EnvoyDiffOptions {
  /** Also the groups of proxyless gRPC clients (`<node id>#grpc`). */
  grpc?: boolean;
  /** Called after each group is rendered, with the count so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

const EMPTY_VIEW = '';

function rendered(graph: MeshGraph, group: ProxyGroup): string {
  const t = translateGroupDetailed(graph, group, NO_ENDPOINTS);
  const { endpoints: _endpoints, ...view } = resourcesView(t.resources);
  return stringify(view, { lineWidth: 0, aliasDuplicateObjects: false });
}

export function envoyDiff(before: MeshGraph, after: MeshGraph, options: EnvoyDiffOptions = {}): GroupDiff[] {
  const wanted = (g: ProxyGroup) => options.grpc === true || g.flavour !== 'grpc';
  const a = new Map(
    proxyGroups(before)
      .filter(wanted)
      .map((g) => [g.key, g]),
  );
  const b = new Map(
    proxyGroups(after)
      .filter(wanted)
      .map((g) => [g.key, g]),
  );
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: GroupDiff[] = [];
  keys.forEach((key, i) => {
    const ga = a.get(key);
    const gb = b.get(key);
    const textA = ga ? rendered(before, ga) : EMPTY_VIEW;
    const textB = gb ? rendered(after, gb) : EMPTY_VIEW;
    options.onProgress?.(i + 1, keys.length);
    if (textA === textB) return;
    out.push({
      group: key,
      action: !ga ? 'added' : !gb ? 'removed' : 'changed',
      patch: createTwoFilesPatch(`a/${key}`, `b/${key}`, textA, textB, undefined, undefined, { context: 3 }),
    });
  });
  return out;
}
