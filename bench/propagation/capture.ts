/**
 * The responses the load client received from Amime, kept so that the bare fan-out floor
 * and the go-control-plane peer serve the very same resources. One file of records:
 * u16 node-ID length, node ID, u16 type-URL length, type URL, u32 round (0: the initial
 * configuration, r: what round r sent), u32 length, a DiscoveryResponse. Big-endian.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface Captured {
  nodeId: string;
  typeUrl: string;
  round: number;
  response: Buffer;
}

export function writeCapture(file: string, records: readonly Captured[]): void {
  const parts: Buffer[] = [];
  for (const r of records) {
    const node = Buffer.from(r.nodeId);
    const type = Buffer.from(r.typeUrl);
    const head = Buffer.alloc(2 + node.length + 2 + type.length + 8);
    let o = head.writeUInt16BE(node.length, 0);
    o += node.copy(head, o);
    o = head.writeUInt16BE(type.length, o);
    o += type.copy(head, o);
    o = head.writeUInt32BE(r.round, o);
    head.writeUInt32BE(r.response.length, o);
    parts.push(head, r.response);
  }
  writeFileSync(file, Buffer.concat(parts));
}

export function readCapture(file: string): Captured[] {
  const buf = readFileSync(file);
  const out: Captured[] = [];
  let o = 0;
  const str = (): string => {
    const len = buf.readUInt16BE(o);
    o += 2 + len;
    return buf.toString('utf8', o - len, o);
  };
  while (o < buf.length) {
    const nodeId = str();
    const typeUrl = str();
    const round = buf.readUInt32BE(o);
    const len = buf.readUInt32BE(o + 4);
    o += 8;
    out.push({ nodeId, typeUrl, round, response: buf.subarray(o, o + len) });
    o += len;
  }
  return out;
}
