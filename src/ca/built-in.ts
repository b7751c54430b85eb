/**
 * Opening, creating and rotating the built-in CA. On first start (no record) a root is
 * made and sealed with the key-encryption key, created if the operator allowed that;
 * afterwards a missing or wrong key, or a damaged record, stops the server with a
 * message naming the file or record. Nothing that exists is ever overwritten.
 */
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { BuiltInAuthority, rootBinding } from './authority.js';
import { CaError } from './errors.js';
import { createKek, readKek } from './kek-file.js';
import { createRoot } from './root.js';
import { KEK_BYTES, seal } from './seal.js';
import { withRotation, type AuthorityState, type RotationTiming } from './state.js';
import { ConflictError, type AuthorityRecord } from './record.js';

/** Where the key-encryption key comes from. */
export interface KekSource {
  /** For messages: `key file <path>` or `Secret <ns>/<name>`. */
  readonly name: string;
  /** Throws CaError naming the source when it is missing or malformed. */
  read(): Buffer;
  /** Makes one when none exists yet (only asked when the store has no CA either). */
  create?(): Buffer;
  exists(): boolean;
}

export function kekFile(file: string, options: { create: boolean }): KekSource {
  return {
    name: `key file ${file}`,
    read: () => readKek(file),
    ...(options.create ? { create: () => createKek(file) } : {}),
    exists: () => existsSync(file),
  };
}

/** A key that lives as long as the process: for a memory store, whose CA does not outlive it either. */
export function ephemeralKek(): KekSource {
  const kek = randomBytes(KEK_BYTES);
  return { name: 'the in-memory key', read: () => kek, exists: () => true };
}

export interface OpenOptions {
  record: AuthorityRecord;
  kek: KekSource;
  now: Date;
  rootValidityMs?: number;
}

export interface Opened {
  authority: BuiltInAuthority;
  version: number;
  /** True when this call made the root. */
  created: boolean;
}

async function sealedRoot(kek: Buffer, now: Date, validityMs: number | undefined) {
  const root = await createRoot({ now, ...(validityMs ? { validityMs } : {}) });
  return { certificate: root.certificate, key: seal(kek, root.privateKey, rootBinding(root.certificate)) };
}

function readKekFor(options: OpenOptions, why: string): Buffer {
  try {
    return options.kek.read();
  } catch (err) {
    throw new CaError(`${(err as Error).message}; ${why}`);
  }
}

export async function openBuiltIn(options: OpenOptions): Promise<Opened> {
  const { record, kek } = options;
  const existing = await record.read();
  if (existing) {
    const key = readKekFor(
      options,
      `the CA in ${record.name} is sealed with it: restore the file or Secret (the CA was left as it is)`,
    );
    return {
      authority: await BuiltInAuthority.open(existing.state, key, record.name, kek.name),
      version: existing.version,
      created: false,
    };
  }
  let key: Buffer;
  if (kek.exists() || !kek.create) key = readKekFor(options, 'it is needed to create the CA');
  else key = kek.create();
  const state: AuthorityState = {
    format: 1,
    roots: [
      {
        ...(await sealedRoot(key, options.now, options.rootValidityMs)),
        addedAt: options.now.toISOString(),
        signsFrom: options.now.toISOString(),
      },
    ],
  };
  try {
    const version = await record.write(state, 0);
    return {
      authority: await BuiltInAuthority.open(state, key, record.name, kek.name),
      version,
      created: true,
    };
  } catch (err) {
    // Another replica created it first: use theirs.
    if (err instanceof ConflictError) return openBuiltIn(options);
    throw err;
  }
}

/** Reloads after a write by this or another process. */
export async function reopenBuiltIn(record: AuthorityRecord, kek: KekSource): Promise<Opened | undefined> {
  const current = await record.read();
  if (!current) return undefined;
  return {
    authority: await BuiltInAuthority.open(current.state, kek.read(), record.name, kek.name),
    version: current.version,
    created: false,
  };
}

/** Starts a root rotation; returns the new state, written. */
export async function rotateBuiltIn(
  record: AuthorityRecord,
  kek: KekSource,
  now: Date,
  timing: RotationTiming,
): Promise<Opened> {
  for (;;) {
    const current = await record.read();
    if (!current) throw new CaError(`there is no CA in ${record.name} to rotate`);
    const key = kek.read();
    // Opening first proves the key is the right one before anything is written.
    await BuiltInAuthority.open(current.state, key, record.name, kek.name);
    const next = withRotation(current.state, await sealedRoot(key, now, undefined), now.getTime(), timing);
    try {
      const version = await record.write(next, current.version);
      return {
        authority: await BuiltInAuthority.open(next, key, record.name, kek.name),
        version,
        created: false,
      };
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
}
