/** VirtualGateway rules (appmesh.md §1.2, §2.4, Appendix A). */
import type { VirtualGateway } from '../model/index.js';
import type { BuildContext } from './context.js';
import { type Entry } from './context.js';
import { checkListeners } from './listeners.js';

export function checkVirtualGateway(ctx: BuildContext, e: Entry): void {
  const spec = (e.resource as VirtualGateway).spec;
  if (!spec.listeners || spec.listeners.length === 0) {
    ctx.error(
      e,
      ['spec', 'listeners'],
      'vg.listener-required',
      'a VirtualGateway needs at least one listener (App Mesh requires one; the CRD alone does not)',
    );
  }
  checkListeners(ctx, e, { requireHealthyThreshold: true });
}
