/** VirtualGateway rules (appmesh.md §1.2, §2.4, Appendix A). */
import type { VirtualGateway } from '../model/index.js';
import type { BuildContext } from './context.js';
import { type ResourceEntry } from './context.js';
import { checkListeners } from './listeners.js';

export function checkVirtualGateway(ctx: BuildContext, e: ResourceEntry): void {
  const spec = (e.resource as VirtualGateway).spec;
  // App Mesh's API requires the member (VirtualGatewaySpec.listeners) but sets no minimum length.
  if (spec.listeners === undefined) {
    ctx.error(
      e,
      ['spec', 'listeners'],
      'vg.listener-required',
      "a VirtualGateway needs spec.listeners (App Mesh's API requires it; the CRD alone does not)",
    );
  } else if (spec.listeners.length === 0) {
    ctx.warning(
      e,
      ['spec', 'listeners'],
      'vg.no-listener',
      'the gateway has no listeners, so it serves no port; add one',
    );
  }
  checkListeners(ctx, e, { requireHealthyThreshold: true });
}
