import { InvalidArgumentError } from './errors.js';
import { createEtcdStore } from './etcd-store.js';
import type { LocalStoreOptions } from './local-store.js';
import { createMemoryStore } from './memory-store.js';
import { createSqliteStore } from './sqlite-store.js';
import type { ResourceStore, StoreKind } from './types.js';

export interface CreateStoreOptions {
  kind: StoreKind;
  /** sqlite: directory of the database file (required). */
  dataDir?: string;
  /** etcd: endpoints (required) and key prefix (default `amime/`). */
  etcd?: { endpoints: string[]; prefix?: string; requestTimeoutMs?: number };
  /** memory/sqlite: revisions of change history kept for watch resume (default 10,000). */
  historyLimit?: number;
}

export function createStore(options: CreateStoreOptions): ResourceStore {
  const local: LocalStoreOptions =
    options.historyLimit === undefined ? {} : { historyLimit: options.historyLimit };
  switch (options.kind) {
    case 'memory':
      return createMemoryStore(local);
    case 'sqlite':
      if (options.dataDir === undefined || options.dataDir === '') {
        throw new InvalidArgumentError('the sqlite store needs a data directory (dataDir)');
      }
      return createSqliteStore({ ...local, dataDir: options.dataDir });
    case 'etcd':
      if (options.etcd === undefined || options.etcd.endpoints.length === 0) {
        throw new InvalidArgumentError('the etcd store needs at least one endpoint (etcd.endpoints)');
      }
      return createEtcdStore(options.etcd);
    default:
      throw new InvalidArgumentError(
        `unknown store kind ${JSON.stringify((options as { kind: unknown }).kind)}`,
      );
  }
}
