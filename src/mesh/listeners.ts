/**
 * Listener rules shared by VirtualNodes, VirtualGateways and VirtualRouters:
 * unique ports, a connection pool and timeout of the listener's own protocol, and
 * health-check fields that only some protocols use.
 */
import type { Path } from '../model/index.js';
import type { BuildContext } from './context.js';
import { relatedAt, type ResourceEntry } from './context.js';

interface ListenerLike {
  portMapping?: { port?: unknown; protocol?: unknown };
  connectionPool?: Record<string, unknown>;
  timeout?: Record<string, unknown>;
  healthCheck?: { path?: unknown; protocol?: unknown; healthyThreshold?: unknown };
}

export function listenersOf(e: ResourceEntry): ListenerLike[] {
  const l = (e.resource.spec as { listeners?: unknown }).listeners;
  return Array.isArray(l) ? (l as ListenerLike[]) : [];
}

const NO_PORTS: ReadonlyArray<{ port: number; protocol: string }> = [];
const portsCache = new WeakMap<readonly unknown[], ReadonlyArray<{ port: number; protocol: string }>>();

/**
 * Listener ports and protocols, cached by the listeners array: route and gateway-route
 * checks ask once per target, and an incremental validation builds new entries for the
 * same resources on every write (a router's targets' ports were found again per
 * UpdateRoute). Resources are not changed in place, so the array stands for its ports.
 */
export function portsOf(e: ResourceEntry): ReadonlyArray<{ port: number; protocol: string }> {
  const l = (e.resource.spec as { listeners?: unknown }).listeners;
  if (!Array.isArray(l)) return NO_PORTS;
  let ports = portsCache.get(l);
  if (!ports) {
    ports = (l as ListenerLike[]).flatMap((x) =>
      typeof x.portMapping?.port === 'number' && typeof x.portMapping.protocol === 'string'
        ? [{ port: x.portMapping.port, protocol: x.portMapping.protocol }]
        : [],
    );
    portsCache.set(l, ports);
  }
  return ports;
}

export interface ListenerRuleOptions {
  /** VirtualGateway health checks do not require healthyThreshold in the CRD, but App Mesh does. */
  requireHealthyThreshold?: boolean;
}

export function checkListeners(ctx: BuildContext, e: ResourceEntry, options: ListenerRuleOptions = {}): void {
  const byPort = new Map<number, number>();
  listenersOf(e).forEach((l, i) => {
    const at: Path = ['spec', 'listeners', i];
    const port = l.portMapping?.port;
    const protocol = l.portMapping?.protocol;
    if (typeof port === 'number') {
      const first = byPort.get(port);
      if (first !== undefined) {
        ctx.error(
          e,
          [...at, 'portMapping', 'port'],
          'listener.duplicate-port',
          `port ${port} is already used by spec.listeners[${first}]; each listener needs its own port`,
          [relatedAt(e, ['spec', 'listeners', first, 'portMapping', 'port'], 'first listener on this port')],
        );
      } else byPort.set(port, i);
    }
    if (typeof protocol !== 'string') return;
    for (const [field, what] of [
      ['connectionPool', 'connection pool'],
      ['timeout', 'timeout'],
    ] as const) {
      const value = l[field];
      if (!value || typeof value !== 'object') continue;
      // A warning (issue 16 item 7): App Mesh's API reference only says the type "should be the
      // same protocol as the one chosen under port mapping" (API_VirtualNodeConnectionPool);
      // no evidence that its API refused another. Envoy gets it as written.
      for (const type of Object.keys(value)) {
        if (value[type] === undefined || value[type] === null || type === protocol) continue;
        ctx.warning(
          e,
          [...at, field, type],
          `listener.${field === 'connectionPool' ? 'connection-pool' : 'timeout'}-protocol`,
          `a ${type} ${what} on a ${protocol} listener: App Mesh's API reference says its type should be the listener's protocol (${protocol}); it is applied as written`,
        );
      }
    }
    const hc = l.healthCheck;
    if (hc && typeof hc === 'object') {
      if (hc.path !== undefined && hc.protocol !== 'http' && hc.protocol !== 'http2') {
        ctx.warning(
          e,
          [...at, 'healthCheck', 'path'],
          'listener.health-check-path-ignored',
          `healthCheck.path is only used by http and http2 health checks; it is ignored for protocol ${String(hc.protocol)}`,
        );
      }
      if (options.requireHealthyThreshold && hc.healthyThreshold === undefined) {
        ctx.error(
          e,
          [...at, 'healthCheck', 'healthyThreshold'],
          'listener.health-check-healthy-threshold',
          'App Mesh requires healthyThreshold (2..10) in a health check, although the CRD does not',
        );
      }
    }
  });
}
