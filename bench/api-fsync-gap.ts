/**
 * What one SQLite store write costs as a function of the time since the previous one:
 * puts of an 855 B record (a virtual node as the API stores it) with a gap before each,
 * the thread either busy (as when it serves requests between writes) or asleep, gaps in
 * alternating rounds. On the machine the benches ran on (2026-12-06) a write right after
 * another took 0.05–0.2 ms and one after a 1 ms gap 0.5–1 ms, busy or asleep alike, and
 * a raw fdatasync the same as fsync: the disk's flush costs more the longer since the
 * last one. So in bench:api the API's writes, further apart than the bare side's (its
 * own work between them), are slower inside SQLite too — its extra work per write
 * counts about 1.5 times.
 *
 * Run: npx tsx bench/api-fsync-gap.ts   (ROUNDS, default 4; PUTS per gap and round, default 300)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createStore } from '../src/store/index.js';

const ROUNDS = Number(process.env.ROUNDS ?? 4);
const PUTS = Number(process.env.PUTS ?? 300);
const GAPS = [0, 0.25, 0.5, 1, 2];
const KEYS = 3_000;

const value = { metadata: { name: 'vn' }, spec: { pad: 'x'.repeat(780) } };
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const wait = {
  busy: (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  },
  asleep: (ms: number) => {
    if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
  },
};

const dir = mkdtempSync(path.join(tmpdir(), 'amime-fsync-gap-'));
const store = createStore({ kind: 'sqlite', dataDir: dir });
try {
  let i = 0;
  for (; i < KEYS; i++) await store.put(`VirtualNode/_/m%2Fvn-${i}`, value);
  const ms = new Map<string, number[]>();
  for (let r = 0; r < ROUNDS; r++)
    for (const mode of ['busy', 'asleep'] as const)
      for (const gap of r % 2 === 0 ? GAPS : [...GAPS].reverse()) {
        let total = 0;
        for (let k = 0; k < PUTS; k++) {
          wait[mode](gap);
          const t0 = performance.now();
          await store.put(`VirtualNode/_/m%2Fvn-${i++ % KEYS}`, value);
          total += performance.now() - t0;
        }
        const label = `${mode.padEnd(6)} gap ${gap.toFixed(2)} ms`;
        ms.set(label, [...(ms.get(label) ?? []), total / PUTS]);
      }
  console.log(`SQLite store put (fsync included), ms, ${ROUNDS} rounds of ${PUTS} puts per gap:`);
  for (const [label, runs] of ms) {
    const sorted = [...runs].sort((a, b) => a - b);
    console.log(
      `${label}: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)}  (${runs.map((x) => x.toFixed(3)).join(' ')})`,
    );
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
