/**
 * A stopped server's SQLite data directory, read without changing it: its records are
 * copied into a memory store behind the same App Mesh API the server runs, in this
 * process, so an export from a data directory and one from a running server are the
 * same code. A running server holds the database's exclusive lock; then this refuses.
 *
 * The server keeps its database in WAL mode under an exclusive lock, so after `kill -9`
 * the newest writes may still sit in the `-wal` file, which a read-only connection
 * cannot replay; those databases are read from a temporary copy instead.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createApiServer, API_PREFIX, AppMeshClientError } from '../api/index.js';
import { createMemoryStore, DEFAULT_SQLITE_FILE } from '../store/index.js';
import type { ApiCaller } from './read-api.js';

export interface DataDirReader {
  api: ApiCaller;
  /** Records read from the database. */
  records: number;
  close(): Promise<void>;
}

export class DataDirError extends Error {}

export async function openDataDir(
  dir: string,
  arn: { region?: string; accountId?: string } = {},
): Promise<DataDirReader> {
  const rows = readRows(dir);
  const store = createMemoryStore();
  for (const row of rows) await store.put(row.key, JSON.parse(row.value) as unknown);
  const app = createApiServer({
    store,
    rateLimit: false,
    ...(arn.region ? { region: arn.region } : {}),
    ...(arn.accountId ? { accountId: arn.accountId } : {}),
  });
  await app.ready();
  const api: ApiCaller = {
    async call<T>(
      method: 'GET' | 'PUT' | 'DELETE',
      path: string,
      body?: unknown,
      query: Record<string, string | undefined> = {},
    ) {
      const qs = Object.entries(query)
        .filter((e): e is [string, string] => e[1] !== undefined)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
        .join('&');
      const res = await app.inject({
        method,
        url: `${API_PREFIX}${path}${qs ? `?${qs}` : ''}`,
        ...(body !== undefined
          ? { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
          : {}),
      });
      const parsed = res.body === '' ? {} : (JSON.parse(res.body) as Record<string, unknown>);
      if (res.statusCode >= 400) {
        const type = String(res.headers['x-amzn-errortype'] ?? `HTTP${res.statusCode}`).split(
          ':',
        )[0] as string;
        throw new AppMeshClientError(type, res.statusCode, String(parsed.message ?? res.body));
      }
      return parsed as T;
    },
  };
  return {
    api,
    records: rows.length,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

interface Row {
  key: string;
  value: string;
}

function readRows(dir: string): Row[] {
  const file = join(dir, DEFAULT_SQLITE_FILE);
  if (!existsSync(file))
    throw new DataDirError(
      `${file} does not exist: --data-dir names the folder amime serve kept its store in (--data-dir of amime serve, ./amime-data by default)`,
    );
  try {
    return select(file, { readonly: true, fileMustExist: true, timeout: 200 });
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
      throw new DataDirError(
        `${file} is locked: an amime serve process is using it; stop that server first, or export from it while it runs with --server URL`,
      );
    if (!code.startsWith('SQLITE_IOERR') && code !== 'SQLITE_CANTOPEN')
      throw new DataDirError(`cannot read ${file}: ${(err as Error).message}`);
  }
  // Not locked, but the write-ahead log needs replaying: read a copy, so the original stays untouched.
  const copyDir = mkdtempSync(join(tmpdir(), 'amime-export-'));
  try {
    const copy = join(copyDir, DEFAULT_SQLITE_FILE);
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    return select(copy, { fileMustExist: true });
  } catch (err) {
    throw new DataDirError(`cannot read ${file}: ${(err as Error).message}`);
  } finally {
    rmSync(copyDir, { recursive: true, force: true });
  }
}

function select(file: string, options: Database.Options): Row[] {
  const db = new Database(file, options);
  try {
    // Exclusive mode keeps the WAL index in memory: no `-shm` file is created next to the database.
    db.pragma('locking_mode = EXCLUSIVE');
    return db.prepare('SELECT key, value FROM resources ORDER BY key').all() as Row[];
  } finally {
    db.close();
  }
}
