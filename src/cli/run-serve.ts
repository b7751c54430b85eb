/**
 * The `amime serve` process around the server: logs, the "serving" line scripts wait
 * for, one clear line when the start fails, and a graceful stop on SIGINT/SIGTERM.
 */
import { type ServeConfig, createLogger, startServer } from '../server/index.js';
import { CliError } from './failure.js';

export async function runServe(config: ServeConfig): Promise<void> {
  const logger = createLogger({
    level: config.logLevel,
    ...(config.logFormat ? { format: config.logFormat } : {}),
  });
  const server = await startServer(config, { logger }).catch((err: unknown) => {
    // The stack is for developers (--log-level debug); people get the message.
    logger.debug({ err }, 'start failed');
    throw new CliError(err instanceof Error ? err.message : String(err));
  });
  // Where it listens is announced even at --log-level warn: scripts and tests wait for this line.
  const announce = config.logLevel === 'silent' ? logger : logger.child({}, { level: 'info' });
  announce.info(
    {
      api: server.apiUrl,
      xds: server.xdsAddress,
      ...(server.xdsTlsAddress ? { xdsTls: server.xdsTlsAddress } : {}),
      metrics: `${server.metricsUrl ?? server.apiUrl}/metrics`,
      store: config.from ? `memory (from ${config.from})` : config.store,
    },
    `amime is serving: REST API ${server.apiUrl}/v20190125 · xDS ${server.xdsAddress}${server.xdsTlsAddress ? ` · xDS over TLS ${server.xdsTlsAddress}` : ''} · metrics ${server.metricsUrl ?? server.apiUrl}/metrics`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
