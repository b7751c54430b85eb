/**
 * Logs of `amime serve` (pino): `json` writes one JSON object per line, for log
 * collectors; `text` one readable line per event (pino-pretty), for people. The default
 * is text on a terminal and JSON otherwise, so `kubectl logs` and scripts get JSON.
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';
export type LogFormat = 'text' | 'json';

export interface LoggerOptions {
  level: string;
  format?: LogFormat;
  destination?: NodeJS.WritableStream & { isTTY?: boolean };
}

export function defaultLogFormat(destination: { isTTY?: boolean }): LogFormat {
  return destination.isTTY ? 'text' : 'json';
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stdout;
  const format = options.format ?? defaultLogFormat(destination);
  const base = { level: options.level, base: { service: 'amime' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (format === 'json') return pino(base, destination);
  return pino(
    base,
    pretty({
      destination,
      sync: true,
      colorize: Boolean(destination.isTTY) && process.env.NO_COLOR === undefined,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
      // Fields on the event's line; a multi-line message (diagnostics) keeps its lines.
      singleLine: true,
    }),
  );
}
