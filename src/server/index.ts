/**
 * The server stage: `amime serve` — a store, the pipeline (graph → translation →
 * snapshots), the xDS server and the HTTP side, wired together. The CLI imports it
 * from here only (docs/ARCHITECTURE.md, "Boundaries").
 */
export { startServer, SEED_DIR, type RunningServer, type ServeExtras } from './serve.js';
export {
  ConfigError,
  DEFAULTS,
  ServeConfigSchema,
  STORE_KINDS,
  LOG_LEVELS,
  LOG_FORMATS,
  schemaErrors,
  parseHostPort,
  parseQuotaOverrides,
  readConfigFile,
  resolveConfig,
  type HostPort,
  type ServeConfig,
  type ServeConfigInput,
} from './config.js';
export { createLogger, type Logger } from './logger.js';
export { MeshPipeline, type GroupFailure, type PipelineOptions, type PipelineRun } from './pipeline.js';
export { SERVE_SETTINGS, inputFromFlags, settingAt, type Setting, type SettingType } from './settings.js';
export { CONFIG_DOC, renderConfigDoc } from './config-doc.js';
export { readEndpointsFile } from './endpoints.js';
export { CA_PATH, CA_ROTATE_PATH, type RotateBody } from './ca-routes.js';
