/** Public surface of the storage layer. */
export * from './types.js';
export { createStore } from './create-store.js';
export type { CreateStoreOptions } from './create-store.js';
export { createMemoryStore } from './memory-store.js';
export type { MemoryStoreOptions } from './memory-store.js';
export { createSqliteStore, DEFAULT_SQLITE_FILE } from './sqlite-store.js';
export type { SqliteStoreOptions } from './sqlite-store.js';
export { createEtcdStore, DEFAULT_ETCD_PREFIX } from './etcd-store.js';
export type { EtcdStoreOptions } from './etcd-store.js';
export { DEFAULT_HISTORY_LIMIT } from './local-store.js';
export { MAX_TXN_OPS, MAX_VALUE_BYTES } from './internal.js';
export { StoreMirror } from './mirror.js';
export type { MirrorChange, MirrorListener, MirrorOptions, MirrorStatus } from './mirror.js';
export { StoreSource } from './store-source.js';
export { StoreFreshness } from './freshness.js';
export type { FreshnessOptions, FreshnessStatus } from './freshness.js';
export { EtcdElection } from './etcd-election.js';
export type { EtcdElectionOptions } from './etcd-election.js';
