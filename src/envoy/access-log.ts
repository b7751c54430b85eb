/**
 * Access logs: App Mesh's `logging.accessLog.file` (path, and a `text` or `json`
 * format) as Envoy's file access logger, on every HCM and tcp_proxy of the proxy.
 * Without a format Envoy's default line is written, as App Mesh did.
 */
import type { Logging } from '../model/index.js';
import type { AccessLogIR } from './ir/types.js';

export function accessLogs(logging: Logging | undefined): AccessLogIR[] {
  const file = logging?.accessLog?.file;
  if (!file) return [];
  const format = file.format;
  // Envoy writes the format as is; App Mesh's text formats are one line per entry.
  if (format?.text !== undefined)
    return [
      { path: file.path, format: { text: format.text.endsWith('\n') ? format.text : `${format.text}\n` } },
    ];
  if (format?.json !== undefined)
    return [{ path: file.path, format: { json: format.json.map(({ key, value }) => ({ key, value })) } }];
  return [{ path: file.path }];
}
