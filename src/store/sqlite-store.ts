/**
 * Embedded durable back end. WAL + synchronous=FULL: a write is acknowledged only
 * after its commit is fsynced, so it survives `kill -9` (and power loss, as far as the
 * disk honours fsync). The file is opened with an exclusive lock: watches are fanned
 * out in-process, so a second process writing the same file would go unseen.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreUnavailableError } from './errors.js';
import type { LocalBackend, LocalStoreOptions, RawChange, RawRecord } from './local-store.js';
import { LocalStore } from './local-store.js';
import type { ResourceStore, WatchEventType } from './types.js';

export interface SqliteStoreOptions extends LocalStoreOptions {
  /** Directory holding the database; created if missing. */
  dataDir: string;
  /** File name inside dataDir. Default `amime.sqlite`. */
  fileName?: string;
  /** How long to wait for the file lock at open, ms. Default 2,000. */
  lockTimeoutMs?: number;
}

export const DEFAULT_SQLITE_FILE = 'amime.sqlite';
const SCHEMA_VERSION = 1;

export function createSqliteStore(options: SqliteStoreOptions): ResourceStore {
  return new LocalStore('sqlite', new SqliteBackend(options), options);
}

interface RecordRow {
  key: string;
  value: string;
  version: number;
  create_revision: number;
  mod_revision: number;
}

interface ChangeRow extends RecordRow {
  revision: number;
  type: WatchEventType;
}

class SqliteBackend implements LocalBackend {
  readonly initialRevision: number;
  readonly initialCompacted: number;
  private readonly db: Database.Database;
  private readonly file: string;
  private readonly stmt: ReturnType<typeof prepare>;
  private readonly inTxn: Database.Transaction<(fn: () => unknown) => unknown>;

  constructor(options: SqliteStoreOptions) {
    mkdirSync(options.dataDir, { recursive: true });
    const file = join(options.dataDir, options.fileName ?? DEFAULT_SQLITE_FILE);
    const db = new Database(file, { timeout: options.lockTimeoutMs ?? 2_000 });
    try {
      // EXCLUSIVE before WAL: no shared-memory index, and the lock is held until close.
      db.pragma('locking_mode = EXCLUSIVE');
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`journal_mode is ${String(mode)}, not wal`);
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = OFF');
      // BEGIN IMMEDIATE takes the write lock now, so a second process fails here, not later.
      db.transaction(() => migrate(db)).immediate();
    } catch (err) {
      db.close();
      const locked = (err as { code?: string }).code === 'SQLITE_BUSY';
      throw new StoreUnavailableError(
        locked ? `${file} is in use by another process` : `cannot open ${file}: ${(err as Error).message}`,
        err,
      );
    }
    this.db = db;
    this.file = file;
    this.stmt = prepare(db);
    this.inTxn = db.transaction((fn: () => unknown) => fn());
    this.initialRevision = readMeta(db, 'revision');
    this.initialCompacted = readMeta(db, 'compacted');
  }

  atomic<R>(fn: () => R): R {
    return this.guard(() => this.inTxn.immediate(fn) as R);
  }

  read(key: string): RawRecord | undefined {
    const row = this.guard(() => this.stmt.get.get(key) as RecordRow | undefined);
    return row === undefined ? undefined : fromRow(row);
  }

  range(start: string, end: string | undefined, limit: number | undefined): RawRecord[] {
    const lim = limit ?? -1;
    const rows = this.guard(
      () =>
        (end === undefined
          ? this.stmt.rangeOpen.all(start, lim)
          : this.stmt.range.all(start, end, lim)) as RecordRow[],
    );
    return rows.map(fromRow);
  }

  /** SQLite's own failures (a full disk, an I/O error) become the store's "unavailable"; the transaction is rolled back. */
  private guard<R>(fn: () => R): R {
    try {
      return fn();
    } catch (err) {
      if (err instanceof Database.SqliteError)
        throw new StoreUnavailableError(`${this.file}: ${err.code}: ${err.message}`, err);
      throw err;
    }
  }

  commit(revision: number, changes: readonly RawChange[]): void {
    const s = this.stmt;
    let seq = 0;
    for (const { type, record: r } of changes) {
      if (type === 'put') s.upsert.run(r.key, r.text, r.version, r.createRevision, r.modRevision);
      else s.remove.run(r.key);
      s.log.run(revision, seq++, type, r.key, r.text, r.version, r.createRevision, r.modRevision);
    }
    s.setMeta.run(revision, 'revision');
  }

  history(afterRevision: number, prefix: string): RawChange[] {
    const rows = this.stmt.history.all(afterRevision) as ChangeRow[];
    const out: RawChange[] = [];
    for (const row of rows) {
      if (row.key.startsWith(prefix))
        out.push({ revision: row.revision, type: row.type, record: fromRow(row) });
    }
    return out;
  }

  prune(throughRevision: number, explicit: boolean): void {
    this.stmt.prune.run(throughRevision);
    if (explicit) this.stmt.setMeta.run(throughRevision, 'compacted');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function migrate(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (
      name  TEXT PRIMARY KEY,
      value INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS resources (
      key             TEXT PRIMARY KEY,
      value           TEXT NOT NULL,
      version         INTEGER NOT NULL,
      create_revision INTEGER NOT NULL,
      mod_revision    INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS changes (
      revision        INTEGER NOT NULL,
      seq             INTEGER NOT NULL,
      key             TEXT NOT NULL,
      type            TEXT NOT NULL CHECK (type IN ('put', 'delete')),
      value           TEXT NOT NULL,
      version         INTEGER NOT NULL,
      create_revision INTEGER NOT NULL,
      mod_revision    INTEGER NOT NULL,
      PRIMARY KEY (revision, seq)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO meta (name, value) VALUES ('schema', ${SCHEMA_VERSION}), ('revision', 0), ('compacted', 0);
  `);
  const schema = readMeta(db, 'schema');
  if (schema !== SCHEMA_VERSION)
    throw new Error(`unsupported schema version ${schema} (this build reads ${SCHEMA_VERSION})`);
}

function readMeta(db: Database.Database, name: string): number {
  const row = db.prepare('SELECT value FROM meta WHERE name = ?').get(name) as { value: number } | undefined;
  return row?.value ?? 0;
}

function prepare(db: Database.Database) {
  const cols = 'key, value, version, create_revision, mod_revision';
  return {
    get: db.prepare(`SELECT ${cols} FROM resources WHERE key = ?`),
    range: db.prepare(`SELECT ${cols} FROM resources WHERE key >= ? AND key < ? ORDER BY key LIMIT ?`),
    rangeOpen: db.prepare(`SELECT ${cols} FROM resources WHERE key >= ? ORDER BY key LIMIT ?`),
    upsert: db.prepare(
      `INSERT INTO resources (${cols}) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version,
         create_revision = excluded.create_revision, mod_revision = excluded.mod_revision`,
    ),
    remove: db.prepare('DELETE FROM resources WHERE key = ?'),
    log: db.prepare(`INSERT INTO changes (revision, seq, type, ${cols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    history: db.prepare(
      `SELECT revision, type, ${cols} FROM changes WHERE revision > ? ORDER BY revision, seq`,
    ),
    prune: db.prepare('DELETE FROM changes WHERE revision <= ?'),
    setMeta: db.prepare('UPDATE meta SET value = ? WHERE name = ?'),
  };
}

function fromRow(row: RecordRow): RawRecord {
  return {
    key: row.key,
    text: row.value,
    version: row.version,
    createRevision: row.create_revision,
    modRevision: row.mod_revision,
  };
}
