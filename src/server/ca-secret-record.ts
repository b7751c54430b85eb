/**
 * The built-in CA's record on Kubernetes, where the cluster is the store and holds no
 * Amime record of its own: Secret `amime-ca` in Amime's namespace, key `state.json`
 * (the roots, each root key sealed under the key-encryption key, which lives in
 * another Secret mounted as --ca-key-file). Writes are conditional on the Secret's
 * resourceVersion, so replicas starting together keep one root; other replicas'
 * rotations are seen by watching the Secret.
 */
import { parseAuthorityState, type AuthorityRecord, type AuthorityState } from '../ca/index.js';
import { isKubeError, type KubeClient } from '../k8s/index.js';
import { ConflictError } from '../store/index.js';

export const CA_SECRET = 'amime-ca';
const KEY = 'state.json';
const RETRY_MS = 5_000;

interface Secret {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  type?: string;
  data?: Record<string, string>;
}

/** resourceVersion is opaque to clients but an integer in every API server (etcd's revision). */
function versionOf(secret: Secret, name: string): number {
  const v = Number(secret.metadata.resourceVersion);
  if (!Number.isSafeInteger(v) || v <= 0)
    throw new Error(
      `${name}: resourceVersion "${secret.metadata.resourceVersion}" is not a positive integer`,
    );
  return v;
}

export function secretAuthorityRecord(client: KubeClient, namespace: string): AuthorityRecord {
  const name = `Secret ${namespace}/${CA_SECRET}`;
  const collection = `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;
  const path = `${collection}/${CA_SECRET}`;
  const body = (state: AuthorityState, resourceVersion?: string): Secret => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: CA_SECRET,
      namespace,
      labels: { 'app.kubernetes.io/name': 'amime', 'app.kubernetes.io/managed-by': 'amime' },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    type: 'Opaque',
    data: { [KEY]: Buffer.from(JSON.stringify(state)).toString('base64') },
  });
  return {
    name,
    async read() {
      let secret: Secret;
      try {
        secret = await client.get<Secret>(path);
      } catch (e) {
        if (isKubeError(e, 404)) return undefined;
        throw e;
      }
      const text = secret.data?.[KEY];
      if (text === undefined) throw new Error(`${name} has no ${KEY}: restore it (nothing was overwritten)`);
      let value: unknown;
      try {
        value = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
      } catch {
        throw new Error(`${name}: ${KEY} is not JSON: restore it (nothing was overwritten)`);
      }
      return { state: parseAuthorityState(value, name), version: versionOf(secret, name) };
    },
    async write(state, expectedVersion) {
      try {
        const written =
          expectedVersion === 0
            ? await client.create<Secret>(collection, body(state))
            : await client.replace<Secret>(path, body(state, String(expectedVersion)));
        return versionOf(written, name);
      } catch (e) {
        // Someone else created or changed it first (the actual version is not known here).
        if (isKubeError(e, 409)) throw new ConflictError(name, expectedVersion, -1);
        throw e;
      }
    },
    async watch(onChange) {
      const abort = new AbortController();
      void (async () => {
        while (!abort.signal.aborted) {
          try {
            await client.watch<Secret>(
              collection,
              { fieldSelector: `metadata.name=${CA_SECRET}` },
              (e) => {
                if (e.type === 'ADDED' || e.type === 'MODIFIED') onChange();
              },
              abort.signal,
            );
          } catch {
            // The API server ended or refused the watch: try again shortly.
          }
          if (!abort.signal.aborted) await new Promise((r) => setTimeout(r, RETRY_MS).unref());
        }
      })();
      return () => abort.abort();
    },
  };
}
