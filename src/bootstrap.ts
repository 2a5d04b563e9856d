import type { Express } from 'express';
import type { Config } from './config';
import type { ServiceHooks } from './fhir/access';
import { fhirServiceFactory } from './fhir/service-factory';
import { loadProfiles } from './fhir/validation/profiles';
import { createValidator } from './fhir/validation/validation';
import { createApp } from './http/app';
import { createLogger, type Logger } from './logger';
import { openDatabase, type Database } from './store/db';
import { DEFAULT_TENANT_ID } from './store/default-tenant';
import { keepStatisticsFresh } from './store/embedded-statistics';
import { databaseStatus } from './store/health';
import { migrateToLatest } from './store/migrate';
import { openRateLimitCounter } from './store/rate-limit-backend';
import { closeRedisClients } from './store/rate-limit-redis';

export interface ServerParts {
  app: Express;
  database: Database;
  logger: Logger;
  /** Flips readiness to "shutting down" (the HTTP server drains separately). */
  beginShutdown(): void;
  /** Stops background work and closes the connections this bootstrap opened. */
  close(): Promise<void>;
}

export interface BootstrapOptions {
  /** An already open database (tests share one between app instances); default: the configured one. */
  database?: Database;
  logger?: Logger;
  /** Which tenant a request acts for; default: the default tenant. */
  resolveTenant?: (req: Express['request']) => string;
  /** Extra hooks on every FHIR service access. */
  hooks?: readonly ServiceHooks[];
}

/** Builds the whole server from its configuration: the one place where parts are wired together. */
export async function bootstrap(config: Config, options: BootstrapOptions = {}): Promise<ServerParts> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const database = options.database ?? openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  const applied = await migrateToLatest(database.knex);
  if (!options.database) logStartup(logger, config, database, applied);
  const stopStatistics = database.kind === 'pglite' && !options.database ? keepStatisticsFresh(database.knex, logger) : () => undefined;

  const profiles = loadProfiles();
  const validator = createValidator(profiles);
  const counter = openRateLimitCounter({ ...config.rateLimit, knex: database.knex, redisUrl: config.redisUrl, logger });
  let shuttingDown = false;
  const app = createApp({
    logger,
    profiles,
    serviceFor: fhirServiceFactory({ db: database.knex, validator, hooks: options.hooks, logger }),
    resolveTenant: options.resolveTenant ?? (() => DEFAULT_TENANT_ID),
    rateLimit: { counter, settings: config.rateLimit },
    databaseStatus: () => databaseStatus(database.knex),
    isShuttingDown: () => shuttingDown,
    bodyLimit: config.bodyLimit,
    publicBaseUrl: config.publicBaseUrl,
  });
  if (config.trustProxy) app.set('trust proxy', true);

  return {
    app,
    database,
    logger,
    beginShutdown: () => {
      shuttingDown = true;
    },
    close: async () => {
      stopStatistics();
      await closeRedisClients();
      if (!options.database) await database.knex.destroy();
    },
  };
}

function logStartup(logger: Logger, config: Config, database: Database, applied: string[]): void {
  logger.info({ database: database.kind }, `database: ${database.describe}`);
  const { points, windowSeconds } = config.rateLimit;
  logger.info(`rate limit: ${points} requests per ${windowSeconds} s per API key or client, counted in ${config.redisUrl ? 'Redis' : 'PostgreSQL'}`);
  logger.info({ applied }, `migrations applied: ${applied.length}`);
}
