/** Fn::Cidr examples from the CloudFormation template reference ("Fn::Cidr"), and IPv6. */
import { describe, expect, it } from 'vitest';
import { cidrSubnets } from './cidr.js';

describe('Fn::Cidr', () => {
  it('splits an IPv4 block as the reference example does', () => {
    expect(cidrSubnets('192.168.0.0/24', 6, 5)).toEqual([
      '192.168.0.0/27',
      '192.168.0.32/27',
      '192.168.0.64/27',
      '192.168.0.96/27',
      '192.168.0.128/27',
      '192.168.0.160/27',
    ]);
  });

  it('starts from the block’s network address and splits IPv6', () => {
    expect(cidrSubnets('10.0.3.7/16', 2, 8)).toEqual(['10.0.0.0/24', '10.0.1.0/24']);
    expect(cidrSubnets('2001:db8:1234:1a00::/56', 3, 64)).toEqual([
      '2001:db8:1234:1a00::/64',
      '2001:db8:1234:1a01::/64',
      '2001:db8:1234:1a02::/64',
    ]);
  });

  it('refuses what does not fit', () => {
    expect(() => cidrSubnets('10.0.0.0/24', 2, 9)).toThrow(/do not fit/);
    expect(() => cidrSubnets('10.0.0.0/24', 300, 0)).toThrow(/fewer than 300 subnets/);
    expect(() => cidrSubnets('not-a-block', 1, 1)).toThrow(/not a CIDR block/);
  });
});
