/**
 * Where the built-in CA's state lives: one record of the ResourceStore (SQLite, etcd,
 * memory), so replicas sharing etcd share the CA and a restart keeps it. Writes are
 * conditional on the version read: two replicas starting together keep one root.
 */
import { ConflictError, resourceKey, type ResourceStore } from '../store/index.js';
import { parseAuthorityState, type AuthorityState } from './state.js';

/** Not an App Mesh kind: the REST API and the mesh pipeline never see it. */
export const AUTHORITY_RECORD_KEY = resourceKey('AmimeCertificateAuthority', undefined, 'root');

export interface VersionedState {
  state: AuthorityState;
  version: number;
}

export interface AuthorityRecord {
  /** For messages: `store record <key> (<kind>)`. */
  readonly name: string;
  read(): Promise<VersionedState | undefined>;
  /** `expectedVersion` 0: only if absent. Throws ConflictError when someone else wrote first. */
  write(state: AuthorityState, expectedVersion: number): Promise<number>;
  /** Calls `onChange` after every write (by this process or another replica). Returns the stop function. */
  watch(onChange: () => void): Promise<() => void>;
}

export { ConflictError };

export function storeAuthorityRecord(store: ResourceStore): AuthorityRecord {
  const name = `store record ${AUTHORITY_RECORD_KEY} (${store.kind})`;
  return {
    name,
    async read() {
      const r = await store.get(AUTHORITY_RECORD_KEY);
      return r ? { state: parseAuthorityState(r.value, name), version: r.version } : undefined;
    },
    async write(state, expectedVersion) {
      return (await store.put(AUTHORITY_RECORD_KEY, state, { expectedVersion })).version;
    },
    async watch(onChange) {
      const stream = await store.watch({ prefix: AUTHORITY_RECORD_KEY });
      let stopped = false;
      void (async () => {
        try {
          for await (const e of stream) if (e.record.key === AUTHORITY_RECORD_KEY) onChange();
        } catch {
          // The store closed or failed; the server's own store handling reports that.
        }
      })();
      return () => {
        if (!stopped) stream.close();
        stopped = true;
      };
    },
  };
}
