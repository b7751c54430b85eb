/**
 * Child process for the kill -9 test: `store-writer.ts <dataDir> <count> <workers>`.
 * Workers create keys `kill9/0000`… concurrently against a SQLite store. Before each
 * write it prints `A <key>` (attempted); after the write is acknowledged, `K <key>`.
 * stdout to a pipe is synchronous on Linux, so a printed line was really emitted
 * before anything that follows it.
 */
import { createSqliteStore } from '../../../src/store/sqlite-store.js';
import { writerKey, writerValue } from './store-writer-scheme.js';

async function main(): Promise<void> {
  const [dataDir, countArg, workersArg] = process.argv.slice(2);
  if (dataDir === undefined) throw new Error('usage: store-writer.ts <dataDir> [count] [workers]');
  const count = Number(countArg ?? 1000);
  const workers = Number(workersArg ?? 32);
  const store = createSqliteStore({ dataDir });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const key = writerKey(i);
      process.stdout.write(`A ${key}\n`);
      await store.put(key, writerValue(i), { expectedVersion: 0 });
      process.stdout.write(`K ${key}\n`);
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: workers }, worker));
  process.stdout.write(`DONE ${count} ${Date.now() - started}ms\n`);
  await store.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
