/** Every label selector must be one Kubernetes can parse; a broken one selects nothing. */
import type { Path, LabelSelector } from '../model/index.js';
import { type BuildContext, type ResourceEntry } from './context.js';
import { selectorProblems } from './selectors.js';

const SELECTOR_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Mesh: ['namespaceSelector'],
  VirtualNode: ['podSelector'],
  VirtualGateway: ['namespaceSelector', 'gatewayRouteSelector', 'podSelector'],
};

function selectorsOf(e: ResourceEntry): Array<[string, LabelSelector | undefined]> {
  const spec = e.resource.spec as Record<string, LabelSelector | undefined>;
  return (SELECTOR_FIELDS[e.kind] ?? []).map((f) => [f, spec[f]]);
}

export function checkSelectors(ctx: BuildContext, e: ResourceEntry): void {
  for (const [field, selector] of selectorsOf(e)) {
    for (const p of selectorProblems(selector)) {
      const path: Path = ['spec', field, ...p.path];
      ctx.error(
        e,
        path,
        'selector.invalid',
        `${p.message}; Kubernetes cannot use this selector, so it selects nothing`,
      );
    }
  }
}

export function hasBrokenSelector(e: ResourceEntry): boolean {
  return selectorsOf(e).some(([, s]) => selectorProblems(s).length > 0);
}
