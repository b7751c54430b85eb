// Loaded into a measured server with `--expose-gc --import` (PROPAGATION_MEMORY=dir): on
// SIGWINCH it collects garbage and appends one JSON line of where the process's memory is
// to dir/memory-<pid>.jsonl, so the bench can split a proxy's RSS into the V8 heap,
// ArrayBuffers and the native rest (nghttp2, Node's C++ objects, malloc's free lists).
// Plain JavaScript: amime serve runs the built dist/ with plain node.
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';

const dir = process.env.AMIME_BENCH_MEMORY_DIR;
if (dir) {
  process.on('SIGWINCH', () => {
    const gc = globalThis.gc;
    if (typeof gc === 'function') for (let i = 0; i < 2; i++) gc();
    const m = process.memoryUsage();
    const smaps = readFileSync('/proc/self/smaps_rollup', 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(smaps)?.[1] ?? NaN) * 1024;
    const line = {
      rss: kb('Rss'),
      anonymous: kb('Anonymous'),
      heapTotal: m.heapTotal,
      heapUsed: m.heapUsed,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      v8Malloced: v8.getHeapStatistics().malloced_memory,
    };
    appendFileSync(path.join(dir, `memory-${process.pid}.jsonl`), `${JSON.stringify(line)}\n`);
  });
}
