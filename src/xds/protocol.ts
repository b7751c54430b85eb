/**
 * What the SotW and delta state machines need from the stream that carries them,
 * and what they offer back. Keeping gRPC out of the state machines keeps them
 * about the protocol only.
 */
import type { Snapshot } from './snapshot-cache.js';
import type { TypeStatus } from './client-status.js';

export interface PushMeta {
  readonly typeUrl: string;
  readonly version: string;
  readonly nonce: string;
  readonly resources: number;
  readonly removed: number;
}

export interface AckMeta {
  readonly typeUrl: string;
  readonly version: string;
  readonly sentAt: number;
  readonly changedAt: number;
}

export interface NackMeta {
  readonly typeUrl: string;
  readonly version: string;
  readonly message: string;
  readonly code: number;
}

export interface ProtocolHost {
  readonly streamId: number;
  now(): number;
  send(response: Buffer, meta: PushMeta): void;
  /**
   * Whether `send` called now has copied the response before it returns, so it may be
   * given a buffer that is reused afterwards (gRPC frames a message into a buffer of its
   * own at once unless earlier writes are still queued on the stream).
   */
  sendCopies(): boolean;
  acked(meta: AckMeta): void;
  nacked(meta: NackMeta): void;
  /** Asks for {@link XdsProtocolState.flush} soon (coalesced). */
  scheduleFlush(): void;
  /** Ends the stream: the client asked for more than a limit allows. */
  limitExceeded(message: string): void;
}

export interface XdsProtocolState<Req> {
  onRequest(req: Req): void;
  /** Sends what the client lacks, in push order; `view` undefined = group has no snapshot. */
  flush(view: Snapshot | undefined): void;
  /** Stops waiting for ACKs older than `timeoutMs`; true when something was released. */
  expireAcks(now: number, timeoutMs: number): boolean;
  /** Responses sent and not yet ACKed, NACKed or given up on (one per type at most). */
  inFlight(): number;
  typeStatuses(): TypeStatus[];
  close(): void;
}

/** `XdsProtocolState.inFlight` of a stream whose types each hold their unanswered response (or null). */
export function countInFlight(types: readonly { readonly inFlight: object | null }[]): number {
  let n = 0;
  for (const t of types) if (t.inFlight) n++;
  return n;
}

/** Nonces only need to be unique per stream; a counter in base 36 keeps them short. */
export class NonceSource {
  private n = 0;
  next(): string {
    return (++this.n).toString(36);
  }
}
