/** The operator's view: the console's data endpoints (and UI), shared with the CLI. */
export { ConsoleAccess, readTokenFile, SESSION_COOKIE, type ConsoleAccessOptions } from './access.js';
export {
  consoleApi,
  CONSOLE_API,
  PROXIES_PATH,
  PROXY_CONFIG_PATH,
  type ConsoleSources,
  type ProxiesResponse,
  type ConsoleRoutesOptions,
} from './routes.js';
export {
  STATUS_TYPES,
  proxyStatusRows,
  type ProxyStatusRow,
  type SyncState,
  type StatusType,
  type TypeSync,
} from './proxy-status.js';
export type { ProxyConfig, HeldElsewhere } from './proxy-config.js';
export { PRIVATE_KEY_HIDDEN } from './secret-metadata.js';
export { SnapshotHistory } from './snapshot-history.js';
export { envoyDiff, type GroupDiff, type EnvoyDiffOptions } from './envoy-diff.js';
export { ChangeFeed } from './change-feed.js';
export { MESHES_PATH, TOPOLOGY_PATH, RESOURCE_PATH, EVENTS_PATH } from './routes.js';
export type * from './wire.js';
export { StatusBoard } from './status-board.js';
export { StatusPublisher, type StatusWriter, type StatusPublisherOptions } from './status-publisher.js';
export {
  PROXY_STATUS_KIND,
  isProxyStatusKey,
  statusRecords,
  type ProxyStatusRecord,
  type PublishedProxy,
} from './status-record.js';
