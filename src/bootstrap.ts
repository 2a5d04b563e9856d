import type { Express } from 'express';
import { Admin } from './auth/admin';
import { hashApiKey } from './auth/api-key-material';
import { ALL_SCOPES, parseScopes, type Grants } from './auth/scopes';
import { scopeHook } from './auth/scope-hook';
import { storedKeyAuthenticator } from './auth/stored-key-authenticator';
import type { Config } from './config';
import type { ServiceHooks } from './fhir/access';
import { randomUUID } from 'node:crypto';
import { auditEntryOf, type AuditAgent } from './fhir/audit/audit-event';
import { auditHook } from './fhir/audit/audit-hook';
import { BulkExports } from './fhir/export/bulk-exports';
import { fhirServiceFactory } from './fhir/service-factory';
import { loadProfiles } from './fhir/validation/profiles';
import { createValidator } from './fhir/validation/validation';
import { createApp, type Caller } from './http/app';
import { createJunctionBridge } from './junction/bridge';
import { createLogger, logFormatFor, type Logger } from './logger';
import type { ApiKeyState } from './startup-banner';
import { ensureApiKey } from './store/api-keys';
import { AuditLog } from './store/audit-log';
import { openDatabase, type Database } from './store/db';
import { DEFAULT_TENANT_ID } from './store/default-tenant';
import { keepStatisticsFresh, type StatisticsSettings } from './store/statistics';
import { databaseReadiness } from './store/health';
import { isStatementTimeout } from './store/statement-timeout';
import { isConcurrentConflict } from './store/concurrent-conflict';
import { isDatabaseUnavailable } from './store/unavailable';
import { throttledLog } from './log-throttle';
import { migrateToLatest } from './store/migrate';
import { openRateLimitCounter } from './store/rate-limit-backend';
import { closeRedisClients } from './store/rate-limit-redis';

export interface ServerParts {
  app: Express;
  database: Database;
  logger: Logger;
  admin: Admin;
  audit: AuditLog;
  /** Whether a caller can authenticate yet (for the start-up banner). */
  apiKeys: ApiKeyState;
  /** Flips readiness to "shutting down" (the HTTP server drains separately). */
  beginShutdown(): void;
  /** Stops background work, writes what is queued and closes the connections this bootstrap opened. */
  close(): Promise<void>;
}

export interface BootstrapOptions {
  /** An already open database (tests share one between app instances); default: the configured one. */
  database?: Database;
  logger?: Logger;
  /** Extra hooks on every FHIR service access. */
  hooks?: readonly ServiceHooks[];
  /** Run the lab order worker (default true; a second test instance on one database may not need its own). */
  startWorkers?: boolean;
  /** When the planner statistics are brought up to date (default: DEFAULT_STATISTICS). */
  statistics?: StatisticsSettings;
}

/** Builds the whole server from its configuration: the one place where parts are wired together. */
export async function bootstrap(config: Config, options: BootstrapOptions = {}): Promise<ServerParts> {
  const logger = options.logger ?? createLogger(config.logLevel, undefined, logFormatFor(config.logFormat, process.stdout.isTTY === true));
  const onClientWarning = throttledLog(logger, 'warn', 'database client warning', config.outageLogIntervalMs);
  const database =
    options.database ??
    openDatabase({
      url: config.databaseUrl,
      dataDir: config.dataDir,
      poolMax: config.databasePoolMax,
      statementTimeoutMs: config.statementTimeoutMs,
      onClientWarning: (message) => onClientWarning({ message }),
    });
  const { knex } = database;
  const applied = await migrateToLatest(knex);
  const readiness = databaseReadiness(database);
  await readiness();
  if (!options.database) logStartup(logger, config, database, applied);
  const statistics = keepStatisticsFresh(knex, logger, options.statistics);

  const authenticator = storedKeyAuthenticator(knex, config);
  const admin = new Admin({ knex, pepper: config.apiKeyPepper, onRevoke: (id) => authenticator.revoke(id) });
  const apiKeys = await ensureBootstrapKey(config, knex, admin, logger);

  const audit = new AuditLog(knex, logger);
  const auditFor = (tenantId: string, agent: AuditAgent, requestId: string): ServiceHooks =>
    auditHook({ agent, requestId }, (record) => audit.record({ tenantId, entry: auditEntryOf(record) }));
  const profiles = loadProfiles(undefined, config.fhirPackagesDir);
  if (profiles.packages.length > 0) logger.info({ packages: profiles.packages }, `FHIR packages loaded from ${config.fhirPackagesDir}`);
  const validator = createValidator(profiles, { unknownProfiles: config.unknownProfiles });
  const labHooks: ServiceHooks[] = [];
  const serviceFor = fhirServiceFactory({ db: knex, validator, logger, hooks: labHooks, statistics, countCostLimit: config.searchCountCostLimit });
  const junction = createJunctionBridge({
    config,
    knex,
    logger,
    systemService: (tenantId) => serviceFor(tenantId, [auditFor(tenantId, { via: 'system', id: 'junction-bridge' }, `junction_${randomUUID()}`)]),
    selfUrl: `http://127.0.0.1:${config.port}`,
  });
  labHooks.push(junction.hook);
  if (!options.database) logger.info(`lab orders: ${junction.describe}`);
  const hooksOf = (tenantId: string, grants: Grants, agent: AuditAgent, requestId: string): ServiceHooks[] => [
    scopeHook(grants),
    auditFor(tenantId, agent, requestId),
    ...(options.hooks ?? []),
  ];
  const hooksFor = ({ principal, requestId }: Caller): ServiceHooks[] =>
    hooksOf(principal.tenantId, principal.scopes, { via: principal.kind, id: principal.subject }, requestId);
  // An export runs (and may resume in another process) with the scopes and audit agent of the caller that started it.
  const bulkExports = new BulkExports({
    db: knex,
    logger,
    settings: config.bulkExport,
    serviceFor: (tenantId, owner) =>
      serviceFor(tenantId, hooksOf(tenantId, parseScopes(owner.scopes), { via: owner.via as AuditAgent['via'], id: owner.id }, owner.requestId)),
  });
  const counter = openRateLimitCounter({ ...config.rateLimit, knex, redisUrl: config.redisUrl, logger });
  let shuttingDown = false;
  const app = createApp({
    logger,
    profiles,
    serviceFor: (caller) => serviceFor(caller.principal.tenantId, hooksFor(caller)),
    authenticator,
    acceptsTokens: config.jwt !== undefined,
    admin,
    v1Ports: junction.ports,
    junction: { webhooks: junction.webhooks, sandbox: junction.sandbox },
    bulkExports,
    readAudit: (tenantId) => (query) => audit.search(tenantId, query),
    rateLimit: { counter, settings: config.rateLimit },
    databaseStatus: readiness,
    outage: {
      isUnavailable: isDatabaseUnavailable,
      isTimedOut: isStatementTimeout,
      isConcurrentConflict,
      retryAfterSeconds: config.retryAfterSeconds,
      logIntervalMs: config.outageLogIntervalMs,
    },
    isShuttingDown: () => shuttingDown,
    bodyLimit: config.bodyLimit,
    bundleBodyLimit: config.bundleBodyLimit,
    publicBaseUrl: config.publicBaseUrl,
    corsOrigins: config.corsOrigins,
  });
  if (config.trustProxy) app.set('trust proxy', true);
  if (options.startWorkers ?? true) junction.start();
  bulkExports.start();

  return {
    app,
    database,
    logger,
    admin,
    audit,
    apiKeys,
    beginShutdown: () => {
      shuttingDown = true;
    },
    close: async () => {
      await statistics.stop();
      await bulkExports.close();
      await junction.close();
      await authenticator.close();
      await audit.close();
      // A database handed in is shared with other instances (tests): so are its Redis clients.
      if (options.database) return;
      await closeRedisClients();
      await knex.destroy();
    },
  };
}

/** BOOTSTRAP_API_KEY: an all-scopes key for the default tenant; without it and without keys, say how to get one. */
async function ensureBootstrapKey(config: Config, knex: Database['knex'], admin: Admin, logger: Logger): Promise<ApiKeyState> {
  if (config.bootstrapApiKey) {
    await ensureApiKey(knex, {
      tenantId: DEFAULT_TENANT_ID,
      name: 'bootstrap',
      scopes: [...ALL_SCOPES],
      keyHash: hashApiKey(config.bootstrapApiKey, config.apiKeyPepper),
    });
    logger.info('BOOTSTRAP_API_KEY: an all-scopes key for the default tenant is in place');
    return 'bootstrap';
  }
  if (await admin.hasKeys()) return 'present';
  logger.warn(
    'no API keys exist: every API request will answer 401. Start with BOOTSTRAP_API_KEY=<a secret of 16+ characters> to create an all-scopes key, then mint narrower ones with POST /admin/api-keys',
  );
  return 'none';
}

function logStartup(logger: Logger, config: Config, database: Database, applied: string[]): void {
  logger.info({ database: database.kind }, `database: ${database.describe}`);
  const { points, windowSeconds } = config.rateLimit;
  logger.info(`rate limit: ${points} requests per ${windowSeconds} s per API key, counted in ${config.redisUrl ? 'Redis' : 'PostgreSQL'}`);
  logger.info({ applied }, `migrations applied: ${applied.length}`);
}
