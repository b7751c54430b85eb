/**
 * Access logs: App Mesh's `logging.accessLog.file` (path, and a `text` or `json`
 * format) as Envoy's file access logger, on every HCM and tcp_proxy of the proxy.
 * Without a format Envoy's default line is written, as App Mesh did.
 */
import type { Logging } from '../model/index.js';
import { typedConfig, EXT } from '../proto/index.js';
import { FILTER } from './names.js';
import type { AccessLog, FileAccessLog } from './types.js';

export function accessLogs(logging: Logging | undefined): AccessLog[] {
  const file = logging?.accessLog?.file;
  if (!file) return [];
  const config: FileAccessLog = { path: file.path };
  const format = file.format;
  if (format?.text !== undefined) {
    // Envoy writes the format as is; App Mesh's text formats are one line per entry.
    const text = format.text.endsWith('\n') ? format.text : `${format.text}\n`;
    config.log_format = { text_format_source: { inline_string: text } };
  } else if (format?.json !== undefined) {
    const fields: Record<string, { stringValue: string }> = {};
    for (const { key, value } of format.json) fields[key] = { stringValue: value };
    config.log_format = { json_format: { fields } };
  }
  return [{ name: FILTER.fileAccessLog, typed_config: typedConfig(EXT.fileAccessLog, config) }];
}
