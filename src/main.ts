import http from 'node:http';
import { createApp } from './app';
import { loadConfig } from './config';
import { loadR4Definitions } from './fhir/definitions';
import { loadProfiles } from './fhir/profiles';
import { createValidator } from './fhir/validation';
import { createLogger } from './logger';
import { openDatabase } from './store/db';
import { keepStatisticsFresh } from './store/embedded-statistics';
import { migrateToLatest } from './store/migrate';
import { closeRedisClients } from './store/rate-limit-redis';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const database = openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  logger.info({ database: database.kind }, `database: ${database.describe}`);
  const { points, windowSeconds } = config.rateLimit;
  logger.info(`rate limit: ${points} requests per ${windowSeconds} s per API key or client, counted in ${config.redisUrl ? 'Redis' : 'PostgreSQL'}`);

  const applied = await migrateToLatest(database.knex);
  logger.info({ applied }, `migrations applied: ${applied.length}`);
  const stopStatistics = database.kind === 'pglite' ? keepStatisticsFresh(database.knex, logger) : () => undefined;

  loadR4Definitions();
  const profiles = loadProfiles();
  let shuttingDown = false;
  const app = createApp({
    knex: database.knex,
    validator: createValidator(profiles),
    profiles,
    logger,
    bodyLimit: config.bodyLimit,
    publicBaseUrl: config.publicBaseUrl,
    rateLimit: config.rateLimit,
    redisUrl: config.redisUrl,
    isShuttingDown: () => shuttingDown,
  });
  if (config.trustProxy) app.set('trust proxy', true);

  const server = http.createServer(app);
  server.listen(config.port, () => logger.info({ port: config.port }, `listening on :${config.port}`));

  const shutdown = (signal: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'draining in-flight requests');
    const force = setTimeout(() => {
      logger.warn('grace period over; exiting with requests still open');
      process.exit(1);
    }, config.shutdownGraceMs);
    force.unref();
    server.close(async () => {
      stopStatistics();
      await closeRedisClients();
      await database.knex.destroy();
      logger.info('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`start-up failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
