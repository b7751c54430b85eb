import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SEED_AS_WRITTEN, SEED_COMPLETE } from '../../test/support/fixtures.js';
import { readManifests } from './import-manifests.js';
import { DEFAULT_READ_BUDGET, ManifestReader } from './read-manifests-off-thread.js';

const dirs: string[] = [];
const readers: ManifestReader[] = [];
afterAll(() => {
  readers.forEach((r) => r.close());
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function reader(budget = DEFAULT_READ_BUDGET): ManifestReader {
  const r = new ManifestReader(budget);
  readers.push(r);
  return r;
}

function folderWith(name: string, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'amime-offthread-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, name), text);
  return dir;
}

/** A List whose items share one anchor: what sent the old loader into quadratic time. */
function aliasList(items: number): string {
  const out = ['apiVersion: v1', 'kind: List', 'items:'];
  for (let i = 0; i < items; i++) {
    out.push(
      '- apiVersion: appmesh.k8s.aws/v1beta2',
      '  kind: VirtualNode',
      '  metadata:',
      `    name: node-${i}`,
      '    namespace: ns',
      i === 0 ? '    labels: &l\n      app: x' : '    labels: *l',
      '  spec:',
      '    serviceDiscovery:',
      '      dns:',
      `        hostname: node-${i}.ns.svc.cluster.local`,
    );
  }
  return out.join('\n') + '\n';
}

describe('ManifestReader', () => {
  it('gives what readManifests gives, for a valid and an invalid folder', async () => {
    const r = reader();
    for (const dir of [SEED_COMPLETE, SEED_AS_WRITTEN]) {
      const [here, there] = await Promise.all([readManifests([dir]), r.read([dir], {})]);
      expect(there.diagnostics).toEqual(here.diagnostics);
      expect([...there.records]).toEqual([...here.records]);
    }
  });

  it('leaves the event loop free while a slow file is read', async () => {
    const dir = folderWith('big.yaml', aliasList(4000));
    let worstGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 10);
    const result = await reader().read([dir], {});
    clearInterval(ticker);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['load.alias-limit']);
    // The read itself takes seconds on a busy machine; the loop never waits for it.
    expect(worstGap).toBeLessThan(500);
  });

  it('abandons a read that runs over its time budget, and reads again afterwards', async () => {
    const dir = folderWith('big.yaml', aliasList(4000));
    const r = reader({ ...DEFAULT_READ_BUDGET, timeMs: 1 });
    for (let i = 0; i < 2; i++) {
      const result = await r.read([dir], {});
      expect(result.records.size).toBe(0);
      expect(result.diagnostics).toEqual([
        expect.objectContaining({ severity: 'error', code: 'load.timeout' }),
      ]);
      expect(result.diagnostics[0]!.message).toMatch(/took longer than 0\.001 s/);
    }
  });

  it('refuses a file over its size budget', async () => {
    const dir = folderWith('big.yaml', aliasList(50));
    const result = await reader({ ...DEFAULT_READ_BUDGET, maxFileBytes: 1000 }).read([dir], {});
    expect(result.records.size).toBe(0);
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({ severity: 'error', code: 'load.too-large' }),
    );
  });
});
