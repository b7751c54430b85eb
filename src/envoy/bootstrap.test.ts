import { describe, expect, it } from 'vitest';
import { checkMessage } from './check/index.js';
import { BOOTSTRAP_TYPE, bootstrap, parseXdsAddress } from './bootstrap.js';

describe('bootstrap', () => {
  it('passes the Bootstrap proto round trip and PGV rules for TCP (IP and name) and Unix socket xDS', () => {
    for (const xds of [
      { host: '127.0.0.1', port: 15010 },
      { host: 'amime.amime-system.svc', port: 15010 },
      { pipe: '/var/run/amime/xds.sock' },
    ]) {
      const b = bootstrap({
        nodeId: 'arn:aws:appmesh:us-west-2:111122223333:mesh/m/virtualGateway/gw',
        cluster: 'gw',
        xds,
      });
      expect(checkMessage(BOOTSTRAP_TYPE, b).problems).toEqual([]);
      expect(b.node.cluster).toBe('gw');
    }
    const b = bootstrap({ nodeId: 'mesh/m/virtualNode/a', xds: { host: 'amime', port: 1 } });
    expect(b.static_resources.clusters[0]?.type).toBe('STRICT_DNS');
    expect(b.node.cluster).toBe('mesh/m/virtualNode/a');
  });

  it('refuses ids that name no proxy', () => {
    expect(() => bootstrap({ nodeId: 'vnode-x', xds: { host: 'a', port: 1 } })).toThrow(
      /not a virtual node or virtual gateway id/,
    );
  });

  it('parses xDS addresses', () => {
    expect(parseXdsAddress('amime:15010')).toEqual({ host: 'amime', port: 15010 });
    expect(parseXdsAddress('[::1]:15010')).toEqual({ host: '::1', port: 15010 });
    expect(parseXdsAddress('unix:///run/x.sock')).toEqual({ pipe: '/run/x.sock' });
    expect(parseXdsAddress('amime')).toBeUndefined();
    expect(parseXdsAddress('amime:99999')).toBeUndefined();
    expect(parseXdsAddress('unix://relative')).toBeUndefined();
  });
});
