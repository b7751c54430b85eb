/**
 * Durability of the REST API over the embedded SQLite store: `kill -9` in the middle
 * of 1,000 concurrent writes, then a restart on the same data directory. Every write
 * that got a 200 is there; none that got an error response is; nothing appears that
 * was never attempted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { suiteTempDir } from '../support/temp-dir.js';
import { startServe, type ServeProcess } from './support/serve-process.js';

const dir = suiteTempDir('amime-kill9-');
let serve: ServeProcess | undefined;

afterAll(async () => {
  await serve?.kill9();
});

async function listNodes(apiUrl: string): Promise<Set<string>> {
  const names = new Set<string>();
  let token: string | undefined;
  do {
    const url = `${apiUrl}/v20190125/meshes/mesh-1/virtualNodes?limit=100${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`;
    const page = (await (await fetch(url)).json()) as {
      virtualNodes: Array<{ virtualNodeName: string }>;
      nextToken?: string;
    };
    for (const n of page.virtualNodes) names.add(n.virtualNodeName);
    token = page.nextToken;
  } while (token);
  return names;
}

describe('kill -9 during 1,000 concurrent API writes', () => {
  it('keeps every acknowledged write and none that failed', async () => {
    const dataDir = path.join(dir(), 'data');
    const args = ['--data-dir', dataDir, '--quota', 'virtualNodesPerMesh=2000', '--log-level', 'warn'];
    serve = await startServe(args);
    const apiUrl = serve.apiUrl;
    const acked = new Set<string>();
    const refused = new Set<string>();
    const attempted = new Set<string>();
    const total = 1000;
    const concurrency = 50;
    let next = 0;
    let killed = false;
    const kill = async () => {
      killed = true;
      await serve!.kill9();
    };
    const worker = async () => {
      while (next < total && !killed) {
        const name = `load-${String(next++).padStart(4, '0')}`;
        attempted.add(name);
        try {
          const res = await fetch(`${apiUrl}/v20190125/meshes/mesh-1/virtualNodes`, {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ virtualNodeName: name, spec: {}, clientToken: name }),
          });
          if (res.status === 200) acked.add(name);
          else refused.add(name);
          await res.arrayBuffer();
        } catch {
          // connection cut by the kill: outcome unknown
        }
        if (acked.size >= 300 && !killed) await kill();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    expect(killed).toBe(true);

    serve = await startServe(args);
    const present = await listNodes(serve.apiUrl);
    const loadNodes = new Set([...present].filter((n) => n.startsWith('load-')));
    console.log(
      `kill -9 after ${acked.size} acknowledged writes of ${attempted.size} attempted; ${loadNodes.size} present after restart; ${refused.size} refused`,
    );
    expect(acked.size).toBeGreaterThanOrEqual(300);
    for (const name of acked) expect(loadNodes.has(name), `${name} was acknowledged`).toBe(true);
    for (const name of refused) expect(loadNodes.has(name), `${name} was refused`).toBe(false);
    for (const name of loadNodes) expect(attempted.has(name), `${name} was never attempted`).toBe(true);
    // The seed was loaded only on the first (fresh) start.
    expect(present.has('vnode-1_mesh-test')).toBe(true);
  });
});
