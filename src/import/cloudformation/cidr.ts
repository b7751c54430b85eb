/**
 * `Fn::Cidr [ipBlock, count, cidrBits]`: the first `count` subnets of `ipBlock` with
 * `cidrBits` host bits each, IPv4 or IPv6 (CloudFormation's definition).
 */
import { isIPv4, isIPv6 } from 'node:net';

export function cidrSubnets(block: string, count: number, cidrBits: number): string[] {
  const slash = block.indexOf('/');
  const address = block.slice(0, slash);
  const prefix = Number(block.slice(slash + 1));
  const v4 = isIPv4(address);
  if (slash < 0 || (!v4 && !isIPv6(address))) throw new Error(`${JSON.stringify(block)} is not a CIDR block`);
  const width = v4 ? 32 : 128;
  const newPrefix = width - cidrBits;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > width)
    throw new Error(`${JSON.stringify(block)} has an invalid prefix length`);
  if (!Number.isInteger(cidrBits) || cidrBits < 0 || newPrefix < prefix)
    throw new Error(`${cidrBits} host bits do not fit in ${block}`);
  if (!Number.isInteger(count) || count < 1 || BigInt(count) > 1n << BigInt(newPrefix - prefix))
    throw new Error(`${block} holds fewer than ${count} subnets of /${newPrefix}`);
  const base = (toBigInt(address, v4) >> BigInt(width - prefix)) << BigInt(width - prefix);
  const step = 1n << BigInt(cidrBits);
  return Array.from({ length: count }, (_, i) => `${fromBigInt(base + BigInt(i) * step, v4)}/${newPrefix}`);
}

function toBigInt(address: string, v4: boolean): bigint {
  if (v4) return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  const [head = '', tail = ''] = address.split('::') as [string, string?];
  const h = head ? head.split(':') : [];
  const t = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function fromBigInt(value: bigint, v4: boolean): string {
  if (v4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) =>
    ((value >> BigInt(112 - i * 16)) & 0xffffn).toString(16),
  );
  // Compress the longest run of zero groups, as CloudFormation prints addresses.
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len && j - i > 1) best = { start: i, len: j - i };
    i = j;
  }
  if (best.start < 0) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.len).join(':')}`;
}
