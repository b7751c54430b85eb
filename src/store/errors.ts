/**
 * Typed store failures. Callers branch on `instanceof` (or `code` across process
 * boundaries), never on message text.
 */
export type StoreErrorCode =
  'conflict' | 'compacted' | 'invalid-argument' | 'closed' | 'watch-overflow' | 'unavailable';

export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An `expectedVersion` did not match. `actualVersion` is 0 when the key does not exist. */
export class ConflictError extends StoreError {
  readonly key: string;
  readonly expectedVersion: number;
  readonly actualVersion: number;

  constructor(key: string, expectedVersion: number, actualVersion: number) {
    super(
      'conflict',
      `version conflict on ${key}: expected ${describeVersion(expectedVersion)}, found ${describeVersion(actualVersion)}`,
    );
    this.key = key;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

function describeVersion(version: number): string {
  return version === 0 ? 'no record' : `version ${version}`;
}

/**
 * A watch asked to resume after a revision whose history is gone. The caller must
 * re-list and watch from the list's revision. `compactedRevision` is the oldest
 * revision a watch may resume from, when the back end can tell (etcd cannot).
 */
export class CompactedError extends StoreError {
  readonly requestedRevision: number;
  readonly compactedRevision: number | undefined;

  constructor(requestedRevision: number, compactedRevision: number | undefined) {
    super(
      'compacted',
      compactedRevision === undefined
        ? `revision ${requestedRevision} has been compacted`
        : `revision ${requestedRevision} has been compacted (resume from ${compactedRevision} or later)`,
    );
    this.requestedRevision = requestedRevision;
    this.compactedRevision = compactedRevision;
  }
}

export class InvalidArgumentError extends StoreError {
  constructor(message: string) {
    super('invalid-argument', message);
  }
}

export class StoreClosedError extends StoreError {
  constructor() {
    super('closed', 'store is closed');
  }
}

/** A watch consumer fell too far behind; resume from the last revision it processed. */
export class WatchOverflowError extends StoreError {
  readonly lastDeliveredRevision: number;

  constructor(limit: number, lastDeliveredRevision: number) {
    super(
      'watch-overflow',
      `watch buffer exceeded ${limit} events; resume from revision ${lastDeliveredRevision}`,
    );
    this.lastDeliveredRevision = lastDeliveredRevision;
  }
}

/** The back end could not be reached or failed in a way the store cannot classify. */
export class StoreUnavailableError extends StoreError {
  constructor(message: string, cause: unknown) {
    super('unavailable', message, { cause });
  }
}
