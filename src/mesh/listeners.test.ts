import { describe, expect, it } from 'vitest';
import { BuildContext, type ResourceEntry } from './context.js';
import { entryOf } from './fixtures.testkit.js';
import { DEFAULT_QUOTAS } from './graph.js';
import { checkListeners, listenersOf, portsOf } from './listeners.js';

// Entries as the rules see them, including what remains of schema-invalid resources (probes).
const entry = (listeners: unknown): ResourceEntry =>
  entryOf('VirtualNode', 'n', listeners === undefined ? {} : { listeners });

function run(listeners: unknown, options?: { requireHealthyThreshold?: boolean }) {
  const ctx = new BuildContext(DEFAULT_QUOTAS, 'cluster.local', true);
  checkListeners(ctx, entry(listeners), options);
  return ctx.diagnostics;
}

const http = (port: number, more: object = {}) => ({ portMapping: { port, protocol: 'http' }, ...more });

describe('listenersOf and portsOf', () => {
  it('listeners only when spec.listeners is an array', () => {
    expect(listenersOf(entry(undefined))).toEqual([]);
    expect(listenersOf(entry({ 0: http(80) }))).toEqual([]);
    expect(listenersOf(entry([http(80)]))).toEqual([http(80)]);
  });

  it('ports of the listeners with a numeric port and a string protocol, computed once', () => {
    const e = entry([
      http(80),
      {},
      { portMapping: { port: 81 } },
      { portMapping: { protocol: 'tcp' } },
      { portMapping: { port: '82', protocol: 'tcp' } },
      { portMapping: { port: 83, protocol: 7 } },
      { portMapping: { port: 84, protocol: 'grpc' } },
    ]);
    expect(portsOf(e)).toEqual([
      { port: 80, protocol: 'http' },
      { port: 84, protocol: 'grpc' },
    ]);
    expect(portsOf(e)).toBe(portsOf(e));
    expect(portsOf(entry(undefined))).toEqual([]);
  });
});

describe('checkListeners', () => {
  it('a second listener on a port points at the first', () => {
    expect(run([http(80), http(81), http(80)])).toEqual([
      {
        severity: 'error',
        code: 'listener.duplicate-port',
        path: 'spec.listeners[2].portMapping.port',
        message: 'port 80 is already used by spec.listeners[0]; each listener needs its own port',
        resource: { kind: 'VirtualNode', namespace: 'ns', name: 'n' },
        related: [
          {
            resource: { kind: 'VirtualNode', namespace: 'ns', name: 'n' },
            path: 'spec.listeners[0].portMapping.port',
            message: 'first listener on this port',
          },
        ],
      },
    ]);
  });

  it('says nothing about listeners without a usable port or protocol', () => {
    expect(
      run([
        {},
        { portMapping: { port: '80' } },
        { portMapping: { port: '80' } },
        { portMapping: { port: 81 }, connectionPool: { http: { maxConnections: 1 } }, timeout: { grpc: {} } },
        { portMapping: { protocol: 7 }, connectionPool: { tcp: {} } },
      ]),
    ).toEqual([]);
  });

  it('warns on a connection pool or timeout of another protocol, ignoring empty and odd values', () => {
    const found = run([
      http(80, {
        connectionPool: { grpc: { maxRequests: 1 }, http: { maxConnections: 1 } },
        timeout: { tcp: {} },
      }),
      http(81, { connectionPool: { grpc: null, tcp: undefined }, timeout: null }),
      http(82, { connectionPool: 'ab', timeout: 7 }),
    ]);
    expect(found.map((d) => `${d.severity} ${d.code} @ ${d.path}`)).toEqual([
      'warning listener.connection-pool-protocol @ spec.listeners[0].connectionPool.grpc',
      'warning listener.timeout-protocol @ spec.listeners[0].timeout.tcp',
    ]);
    expect(found[0]!.message).toBe(
      "a grpc connection pool on a http listener: App Mesh's API reference says its type should be the listener's protocol (http); it is applied as written",
    );
  });

  it('a health-check path only counts for http and http2 health checks', () => {
    const hc = (protocol: string) =>
      http(80, { healthCheck: { protocol, path: '/ping', healthyThreshold: 2 } });
    expect(run([hc('http')])).toEqual([]);
    expect(run([hc('http2')])).toEqual([]);
    const grpc = run([hc('grpc')]);
    expect(grpc.map((d) => `${d.code} @ ${d.path}`)).toEqual([
      'listener.health-check-path-ignored @ spec.listeners[0].healthCheck.path',
    ]);
    expect(grpc[0]!.message).toBe(
      'healthCheck.path is only used by http and http2 health checks; it is ignored for protocol grpc',
    );
  });

  it('healthyThreshold is required only when asked, and only of a health check that is there', () => {
    const without = [http(80, { healthCheck: { protocol: 'tcp' } })];
    expect(run(without)).toEqual([]);
    expect(
      run(without, { requireHealthyThreshold: true }).map((d) => `${d.severity} ${d.code} @ ${d.path}`),
    ).toEqual([
      'error listener.health-check-healthy-threshold @ spec.listeners[0].healthCheck.healthyThreshold',
    ]);
    expect(
      run([http(80, { healthCheck: null }), http(81, { healthCheck: 'tcp' }), http(82)], {
        requireHealthyThreshold: true,
      }),
    ).toEqual([]);
  });
});
