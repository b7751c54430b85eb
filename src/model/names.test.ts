import { describe, expect, it } from 'vitest';
import { arnOf, defaultAwsName, parseArn, parsedArn, PARSED_ARNS_KEPT, resourcePath } from './names.js';

describe('names', () => {
  it('defaults awsName as the App Mesh webhook does', () => {
    expect(defaultAwsName('Mesh', 'mesh-1', undefined)).toBe('mesh-1');
    expect(defaultAwsName('VirtualService', 'svc-v', 'mesh-test')).toBe('svc-v.mesh-test');
    expect(defaultAwsName('VirtualNode', 'vnode-1', 'mesh-test')).toBe('vnode-1_mesh-test');
    expect(defaultAwsName('GatewayRoute', 'gr', 'ns')).toBe('gr_ns');
  });

  it('builds and parses ARNs in full and short form', () => {
    const arn = arnOf(resourcePath('VirtualNode', 'mesh-1', 'vnode-1_mesh-test'), {
      region: 'ap-northeast-1',
      account: '111122223333',
    });
    expect(arn).toBe('arn:aws:appmesh:ap-northeast-1:111122223333:mesh/mesh-1/virtualNode/vnode-1_mesh-test');
    expect(parseArn(arn)).toEqual({
      region: 'ap-northeast-1',
      account: '111122223333',
      mesh: 'mesh-1',
      type: 'virtualNode',
      name: 'vnode-1_mesh-test',
    });
    expect(parseArn('mesh/m@123456789012/virtualGateway/gw')).toEqual({
      mesh: 'm',
      meshOwner: '123456789012',
      type: 'virtualGateway',
      name: 'gw',
    });
    expect(parseArn(arnOf(resourcePath('Route', 'm', 'r1', 'vr')))).toMatchObject({
      type: 'route',
      name: 'r1',
      parent: 'vr',
    });
    expect(parseArn('nonsense')).toBeUndefined();
    expect(parseArn('mesh/m/virtualNode')).toBeUndefined();
  });
});

describe('parsedArn', () => {
  const arn = 'arn:aws:appmesh:us-west-2:000000000000:mesh/m/virtualNode/n_ns';

  it('answers what parseArn does, once per text', () => {
    for (const text of [arn, 'mesh/m/virtualRouter/r', 'not an arn', 'mesh/m@111111111111/virtualNode/x'])
      expect(parsedArn(text)).toEqual(parseArn(text));
    expect(parsedArn(arn)).toBe(parsedArn(arn));
    expect(parsedArn('not an arn')).toBeUndefined();
  });

  it('keeps at most PARSED_ARNS_KEPT texts, and answers the same past them', () => {
    const first = parsedArn(arn);
    for (let i = 0; i <= PARSED_ARNS_KEPT; i++) parsedArn(`mesh/m/virtualNode/n-${i}`);
    const again = parsedArn(arn);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});
