import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { graphFromText } from './golden.testkit.js';
import { resolveProxy } from './resolve-proxy.js';

const text = readFileSync(fileURLToPath(new URL('./testdata/in/seed-vnode-x.yaml', import.meta.url)), 'utf8');
const { graph } = graphFromText(text);
const key = (id: string, grpc = false): string => {
  const r = resolveProxy(graph, id, grpc);
  return 'group' in r ? r.group.key : `error: ${r.error}`;
};

describe('resolveProxy', () => {
  it('accepts node ids, ARNs, <mesh>/<kind>/<name> with awsName, k8s name or namespace/name', () => {
    const vnx = 'mesh/mesh-1/virtualNode/vnode-x_mesh-test';
    expect(key(vnx)).toBe(vnx);
    expect(key('arn:aws:appmesh:eu-west-1:111122223333:mesh/mesh-1/virtualNode/vnode-x_mesh-test')).toBe(vnx);
    expect(key('mesh-1/virtualNode/vnode-x')).toBe(vnx);
    expect(key('mesh-1/vn/mesh-test/vnode-x')).toBe(vnx);
    expect(key('mesh/mesh-1/vg/gateway-v')).toBe('mesh/mesh-1/virtualGateway/gateway-v_mesh-test');
  });

  it('picks the proxyless flavour with #grpc or the flag, never for gateways', () => {
    expect(key('mesh-1/vn/vnode-x#grpc')).toBe('mesh/mesh-1/virtualNode/vnode-x_mesh-test#grpc');
    expect(key('mesh-1/vn/vnode-x', true)).toBe('mesh/mesh-1/virtualNode/vnode-x_mesh-test#grpc');
    expect(key('mesh-1/vg/gateway-v', true)).toBe('mesh/mesh-1/virtualGateway/gateway-v_mesh-test');
  });

  it('says what exists when nothing matches', () => {
    const r = resolveProxy(graph, 'mesh-2/vn/vnode-x');
    expect('error' in r && r.available).toContain('mesh/mesh-1/virtualNode/vnode-1_mesh-test');
  });
});
