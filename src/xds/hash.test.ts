import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EMPTY_VERSION, listVersion } from './hash.js';

/** listVersion as it was first written: one hash update per piece. */
function piecewise(pairs: ReadonlyArray<readonly [string, string]>): string {
  const h = createHash('sha256');
  for (const [name, version] of pairs) h.update(name).update('\0').update(version).update('\n');
  return h.digest('hex').slice(0, 16);
}

describe('listVersion', () => {
  it('is the hash of each name and version, piece by piece, whatever the characters', () => {
    const lists: Array<Array<readonly [string, string]>> = [
      [],
      [['a', '0123456789abcdef']],
      [
        ['cds_egress_mesh_vn-1_http_80', 'aaaa'],
        ['cds_egress_mesh_vn-2_http_80', 'bbbb'],
      ],
      [
        ['é名', 'v1'],
        ['\ud83d', '\ude00'],
        ['x\ud83d\ude00y', ''],
        ['', ''],
      ],
    ];
    for (const pairs of lists) expect(listVersion(pairs), JSON.stringify(pairs)).toBe(piecewise(pairs));
    expect(EMPTY_VERSION).toBe(piecewise([]));
  });
});
