/**
 * What the xDS server reports as it works, for metrics and logs. The server's
 * owner subscribes (e.g. to feed prom-client); nothing here depends on a metrics
 * library.
 */
import { EventEmitter } from 'node:events';
import type { ProxyFlavour } from './identity.js';

export type XdsProtocol = 'sotw' | 'delta';

interface StreamRef {
  readonly streamId: number;
  readonly nodeId: string;
  readonly group: string;
}

export interface ConnectEvent extends StreamRef {
  readonly flavour: ProxyFlavour;
  readonly protocol: XdsProtocol;
  /** The group had no snapshot yet; the proxy waits for one. */
  readonly waiting: boolean;
}

export interface DisconnectEvent {
  readonly streamId: number;
  readonly nodeId?: string;
  readonly group?: string;
  readonly durationMs: number;
}

export interface RejectEvent {
  readonly streamId: number;
  /** gRPC status code the stream ended with (3, 7, 8, 16...). */
  readonly code: number;
  readonly reason: string;
  readonly nodeId?: string;
  readonly peer: string;
}

export interface PushEvent extends StreamRef {
  readonly typeUrl: string;
  readonly version: string;
  readonly nonce: string;
  readonly resources: number;
  readonly removed: number;
  readonly bytes: number;
}

export interface AckEvent extends StreamRef {
  readonly typeUrl: string;
  readonly version: string;
  /** Response sent → ACK received. */
  readonly rttMs: number;
  /**
   * Snapshot set → ACK received: the push latency the owner should export
   * (from the later of the change and the stream's start).
   */
  readonly pushLatencyMs: number;
}

export interface NackEvent extends StreamRef {
  readonly typeUrl: string;
  readonly version: string;
  readonly message: string;
  readonly code: number;
}

export interface XdsEventMap {
  connect: ConnectEvent;
  disconnect: DisconnectEvent;
  reject: RejectEvent;
  push: PushEvent;
  ack: AckEvent;
  nack: NackEvent;
}

/** Running totals since the server started. */
export interface XdsCounters {
  streamsOpened: number;
  streamsActive: number;
  /** Rejected streams by gRPC status code. */
  rejected: Record<number, number>;
  pushes: number;
  bytesPushed: number;
  acks: number;
  nacks: number;
}

/** A typed view over an EventEmitter. */
export class XdsEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  on<K extends keyof XdsEventMap>(event: K, listener: (e: XdsEventMap[K]) => void): this {
    this.emitter.on(event, listener);
    return this;
  }

  off<K extends keyof XdsEventMap>(event: K, listener: (e: XdsEventMap[K]) => void): this {
    this.emitter.off(event, listener);
    return this;
  }

  /** @internal */
  listening(event: keyof XdsEventMap): boolean {
    return this.emitter.listenerCount(event) > 0;
  }

  /** @internal */
  emit<K extends keyof XdsEventMap>(event: K, payload: XdsEventMap[K]): void {
    this.emitter.emit(event, payload);
  }
}

/** pino-compatible logging surface (`logger.warn({ ... }, 'message')`). */
export interface XdsLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Warnings and errors to stderr; debug and info dropped. */
export const consoleLogger: XdsLogger = {
  debug: () => {},
  info: () => {},
  warn: (obj, msg) => console.warn(`[xds] ${msg ?? ''}`, obj),
  error: (obj, msg) => console.error(`[xds] ${msg ?? ''}`, obj),
};
