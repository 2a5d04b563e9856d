// Run tests with `npm test -- <path>` (not bare `npx jest`): PGlite needs node --experimental-vm-modules under jest.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Knex } from 'knex';
import supertest from 'supertest';
import { generateApiKey, hashApiKey } from '../../src/auth/api-key-material';
import { ALL_SCOPES } from '../../src/auth/scopes';
import { bootstrap, type ServerParts } from '../../src/bootstrap';
import { loadConfig } from '../../src/config';
import type { ServiceHooks } from '../../src/fhir/access';
import { fhirServiceFactory } from '../../src/fhir/service-factory';
import type { FhirService } from '../../src/fhir/service';
import { loadProfiles } from '../../src/fhir/validation/profiles';
import { createValidator } from '../../src/fhir/validation/validation';
import { FHIR_BASE } from '../../src/http/app';
import { httpServerFor } from '../../src/http/http-server';
import { createLogger, type Logger } from '../../src/logger';
import { insertApiKey } from '../../src/store/api-keys';
import { openDatabase, type Database } from '../../src/store/db';
import { migrateToLatest } from '../../src/store/migrate';
import type { StatisticsSettings } from '../../src/store/statistics';
import { newWebhookSecret, startSandbox, type RunningSandbox } from '../junction/sandbox-server';
import { openTemplateCopy } from './pglite-template';

export { FHIR_BASE };

export interface TestApp {
  app: Express;
  knex: Knex;
  tenantId: string;
  /** An all-scopes API key of this tenant. */
  apiKey: string;
  /** supertest bound to the app, sending `apiKey` as `Authorization: Bearer` unless a request sets its own. */
  http: supertest.Agent;
  /** supertest without credentials. */
  anonymous: ReturnType<typeof supertest>;
  /** A new API key of this tenant with just these scopes. */
  keyWith(scopes: string[]): Promise<string>;
  /** The FHIR service acting for this tenant, for tests of code below HTTP. */
  service(): FhirService;
  /** Services for any tenant sharing what one process learns from its writes, as the server's do. */
  serviceFactory(): (tenantId: string) => FhirService;
  /** Another app on the same database acting for a fresh tenant. */
  otherTenant(): Promise<TestApp>;
  /**
   * A second server for the same tenant and settings, as another process would be: its own
   * connection pool when DATABASE_URL is set (an in-memory PGlite can only be shared).
   */
  sameTenantInstance(): Promise<TestApp>;
  /** The Junction sandbox this app's orders go to, on a port of its own, with its fault switches. */
  junction: RunningSandbox;
  /** The Svix signing secret the sandbox signs webhooks with and the app verifies them by. */
  webhookSecret: string;
  /** Serves the app on an ephemeral loopback port (for webhooks and real clients); its base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** A PostgreSQL server other than DATABASE_URL (one the test starts and stops). */
  databaseUrl?: string;
  /** Default: a budget no test reaches, so only rate-limit tests meet the limiter. */
  rateLimit?: { points: number; windowSeconds: number };
  /** Rate-limit counters in this Redis instead of the database. */
  redisUrl?: string;
  /** Where log lines go; default: silent (or TEST_LOG_LEVEL to stdout). */
  logger?: Logger;
  /** Hooks on every FHIR service access. */
  hooks?: readonly ServiceHooks[];
  /** When the planner statistics are brought up to date (default: the server's). */
  statistics?: StatisticsSettings;
  /** Connections of the app's pool on a PostgreSQL server (default: the server's). */
  poolMax?: number;
  /** Further settings, as environment variables (JWT_*, API_KEY_CACHE_SECONDS, …). */
  env?: Record<string, string>;
}

/**
 * The real app, built by the same bootstrap as `npm start`, on a real database: the
 * PostgreSQL server when DATABASE_URL is set (a schema of this test file's own),
 * else an in-memory PGlite of this file's own. Each TestApp acts for a tenant of its own, so
 * test files never see each other's data.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const url = options.databaseUrl ?? process.env.DATABASE_URL;
  const schema = url ? await createSchema(url) : undefined;
  const logger = options.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const rateLimit = options.rateLimit ?? { points: 1_000_000_000, windowSeconds: 3600 };
  // Junction: a sandbox per test file, whose webhooks reach whichever instance listened last.
  const webhookSecret = newWebhookSecret();
  let webhookTarget: string | undefined;
  const junction = await startSandbox({ webhookSecret, webhookUrl: () => webhookTarget });
  const config = loadConfig({
    JUNCTION_API_KEY: 'sk_us_test',
    JUNCTION_BASE_URL: junction.baseUrl,
    JUNCTION_WEBHOOK_SECRET: webhookSecret,
    JUNCTION_TIMEOUT_MS: '10000',
    LAB_ORDER_POLL_MS: '200',
    RATE_LIMIT_POINTS: String(rateLimit.points),
    RATE_LIMIT_WINDOW_SECONDS: String(rateLimit.windowSeconds),
    REDIS_URL: options.redisUrl ?? '',
    ...options.env,
  });
  const openPool = (): Database =>
    url ? openDatabase({ url, schema, poolMax: options.poolMax, statementTimeoutMs: config.statementTimeoutMs }) : openTemplateCopy();
  const database = openPool();
  const validator = createValidator(loadProfiles(undefined, config.fhirPackagesDir), { unknownProfiles: config.unknownProfiles });

  const keyWith = async (tenantId: string, scopes: string[]): Promise<string> => {
    const key = generateApiKey();
    await insertApiKey(database.knex, { tenantId, name: 'test', scopes, keyHash: hashApiKey(key, config.apiKeyPepper) });
    return key;
  };
  // Instances on the shared database close together: their audit batches and workers first, then the database.
  const sharing: ServerParts[] = [];
  /** Every instance's listening sockets: closing the shared database closes them all, other tenants' too. */
  const allListeners: Server[] = [];
  const closeListeners = async (listeners: Server[]): Promise<void> => {
    for (const listener of listeners.splice(0)) {
      listener.closeAllConnections();
      await new Promise((resolve) => listener.close(resolve));
    }
  };
  const closeShared = async (): Promise<void> => {
    await closeListeners(allListeners);
    for (const server of sharing.splice(0)) await server.close();
    await junction.close();
    if (schema) await database.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await database.knex.destroy();
  };
  const instance = async (db: Database, tenantId: string, apiKey: string, close: (server: ServerParts) => Promise<void>): Promise<TestApp> => {
    const server = await bootstrap(config, { database: db, logger, hooks: options.hooks, statistics: options.statistics });
    if (db === database) sharing.push(server);
    const listeners: Server[] = [];
    const serviceFactory = () => fhirServiceFactory({ db: db.knex, validator, hooks: options.hooks });
    return {
      junction,
      webhookSecret,
      listen: async () => {
        const listener = httpServerFor(server.app).listen(0, '127.0.0.1');
        await new Promise((resolve) => listener.once('listening', resolve));
        listeners.push(listener);
        allListeners.push(listener);
        const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
        webhookTarget = `${url}/webhooks/junction`;
        return url;
      },
      app: server.app,
      knex: db.knex,
      tenantId,
      apiKey,
      // Served as `npm start` serves it: supertest listens on this server while requests are in flight.
      http: supertest.agent(httpServerFor(server.app)).set('authorization', `Bearer ${apiKey}`),
      anonymous: supertest(httpServerFor(server.app)),
      keyWith: (scopes) => keyWith(tenantId, scopes),
      service: () => serviceFactory()(tenantId),
      serviceFactory,
      otherTenant: forTenant,
      sameTenantInstance: async () => {
        const pool = url ? openPool() : undefined;
        if (!pool) return instance(db, tenantId, apiKey, async () => undefined);
        return instance(pool, tenantId, apiKey, async (own) => {
          await own.close();
          await pool.knex.destroy();
        });
      },
      close: async () => {
        await closeListeners(listeners.filter((l) => l.listening));
        await close(server);
      },
    };
  };
  const forTenant = async (): Promise<TestApp> => {
    const tenantId = randomUUID();
    await database.knex('tenants').insert({ id: tenantId, name: `test ${tenantId}` });
    return instance(database, tenantId, await keyWith(tenantId, [...ALL_SCOPES]), closeShared);
  };
  try {
    await migrateToLatest(database.knex);
    return await forTenant();
  } catch (err) {
    // A failed start must not leave the sandbox and the database open: jest would wait on them.
    await closeShared();
    throw err;
  }
}

/** A test app and a second tenant of it, which closes with the app: for tests of what one tenant must not see of another's. */
export async function startTwoTenants(options: TestAppOptions = {}): Promise<{ t: TestApp; other: TestApp }> {
  const t = await startTestApp(options);
  return { t, other: await t.otherTenant() };
}

/** A fresh schema for this test file on the PostgreSQL server (global-setup names the run). */
async function createSchema(url: string): Promise<string> {
  const schema = `${process.env.TEST_DB_SCHEMA ?? 'test'}_${randomBytes(4).toString('hex')}`;
  const admin = openDatabase({ url });
  await admin.knex.raw('CREATE SCHEMA ??', [schema]);
  await admin.knex.destroy();
  return schema;
}
