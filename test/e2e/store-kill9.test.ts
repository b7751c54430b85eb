/**
 * Durability of acknowledged SQLite writes across `kill -9`: a child process creates
 * 1,000 keys with 32 concurrent workers, printing each key before the attempt (`A`) and
 * after the acknowledgement (`K`). It is killed mid-way; the reopened store must hold
 * every acknowledged key, nothing that was never attempted, and a consistent change log.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSqliteStore, DEFAULT_SQLITE_FILE } from '../../src/store/sqlite-store.js';
import { takeEvents } from '../../src/store/store-contract.testkit.js';
import type { StoredRecord } from '../../src/store/types.js';
import { suiteTempDir } from '../support/temp-dir.js';
import { writerKey, writerValue } from './support/store-writer-scheme.js';

const REPO = resolve(import.meta.dirname, '../..');
const WRITER = join(REPO, 'test/e2e/support/store-writer.ts');
const TOTAL = 1000;
const WORKERS = 32;
const KILL_AFTER_ACKS = 100;
const MAX_RUNS = 3;

const root = suiteTempDir('amime-kill9-');

interface WriterRun {
  dataDir: string;
  attempted: Set<string>;
  acked: string[];
  finished: boolean;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function runAndKill(dataDir: string): Promise<WriterRun> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', WRITER, dataDir, String(TOTAL), String(WORKERS)],
      {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const run: WriterRun = {
      dataDir,
      attempted: new Set(),
      acked: [],
      finished: false,
      signal: null,
      stderr: '',
    };
    let pending = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('A ')) run.attempted.add(line.slice(2));
        else if (line.startsWith('K ')) run.acked.push(line.slice(2));
        else if (line.startsWith('DONE')) run.finished = true;
      }
      if (!killed && run.acked.length >= KILL_AFTER_ACKS) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      run.stderr += chunk.toString();
    });
    child.on('error', fail);
    // 'close' fires after stdout is drained: every line the writer emitted has been read.
    child.on('close', (_code, signal) => {
      run.signal = signal;
      done(run);
    });
  });
}

describe('SQLite store under kill -9', () => {
  it('keeps every acknowledged write and invents nothing', async () => {
    let run: WriterRun | undefined;
    for (let i = 0; i < MAX_RUNS; i++) {
      const candidate = await runAndKill(join(root(), `run-${i}`));
      expect(candidate.stderr).toBe('');
      // A writer that finished before the kill landed proves nothing; run again.
      if (candidate.signal === 'SIGKILL' && !candidate.finished) {
        run = candidate;
        break;
      }
    }
    if (run === undefined) throw new Error(`the writer finished before kill -9 in all ${MAX_RUNS} runs`);
    expect(run.acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(run.acked.length).toBeLessThan(TOTAL);

    const store = createSqliteStore({ dataDir: run.dataDir });
    const present: StoredRecord<ReturnType<typeof writerValue>>[] = [];
    let token: string | undefined;
    do {
      const page = await store.list<ReturnType<typeof writerValue>>({
        prefix: 'kill9/',
        limit: 128,
        continueToken: token,
      });
      present.push(...page.items);
      token = page.nextToken;
    } while (token !== undefined);
    const byKey = new Map(present.map((r) => [r.key, r]));

    for (const key of run.acked) {
      const rec = byKey.get(key);
      expect(rec, `acknowledged ${key} is missing`).toBeDefined();
      expect(rec?.value).toEqual(writerValue(Number(key.slice('kill9/'.length))));
      expect(rec?.version).toBe(1);
    }
    for (const rec of present) {
      expect(run.attempted.has(rec.key), `${rec.key} exists but was never attempted`).toBe(true);
      expect(rec.key).toBe(writerKey(rec.value.i));
    }
    expect((await store.list()).items).toHaveLength(present.length);

    // One key per revision, no gaps: no write was half-applied or applied twice.
    const revision = await store.revision();
    expect(revision).toBe(present.length);
    expect(present.map((r) => r.modRevision).sort((a, b) => a - b)).toEqual(
      Array.from({ length: revision }, (_, i) => i + 1),
    );
    // The change log agrees with the table.
    const replay = await store.watch({ fromRevision: 0 });
    const events = await takeEvents(replay, revision);
    expect(new Set(events.map((e) => e.record.key))).toEqual(new Set(byKey.keys()));
    replay.close();

    // The recovered store takes new writes.
    const more = await store.put('kill9/after', 1, { expectedVersion: 0 });
    expect(more.modRevision).toBe(revision + 1);
    await store.close();

    const db = new Database(join(run.dataDir, DEFAULT_SQLITE_FILE), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    console.log(
      `kill -9 after ${run.acked.length} acknowledged writes of ${TOTAL}: ` +
        `${run.attempted.size} attempted, ${present.length} present after reopen`,
    );
  });
});
