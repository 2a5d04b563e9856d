// Run tests with `npm test -- <path>` (not bare `npx jest`): PGlite needs node --experimental-vm-modules under jest.
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import type { Knex } from 'knex';
import supertest from 'supertest';
import { createApp, FHIR_BASE } from '../../src/app';
import { loadR4Definitions } from '../../src/fhir/definitions';
import { loadProfiles } from '../../src/fhir/profiles';
import { createValidator } from '../../src/fhir/validation';
import { createLogger, type Logger } from '../../src/logger';
import { openDatabase } from '../../src/store/db';
import { migrateToLatest } from '../../src/store/migrate';

export { FHIR_BASE };

export interface TestApp {
  app: Express;
  knex: Knex;
  tenantId: string;
  /** supertest bound to the app */
  http: ReturnType<typeof supertest>;
  /** Another app on the same database acting for a fresh tenant. */
  otherTenant(): Promise<TestApp>;
  /**
   * A second server for the same tenant and settings, as another process would be: its own
   * connection pool when DATABASE_URL is set (an in-memory PGlite can only be shared).
   */
  sameTenantInstance(): Promise<TestApp>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Default: a budget no test reaches, so only rate-limit tests meet the limiter. */
  rateLimit?: { points: number; windowSeconds: number };
  /** Rate-limit counters in this Redis instead of the database. */
  redisUrl?: string;
  /** Where log lines go; default: silent (or TEST_LOG_LEVEL to stdout). */
  logger?: Logger;
}

/**
 * The real app on a real database: the PostgreSQL server when DATABASE_URL is set (a
 * schema made for this run by global-setup), else an in-memory PGlite of this file's own.
 * Each TestApp acts for a tenant of its own, so test files never see each other's data.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const url = process.env.DATABASE_URL;
  const openPool = () => openDatabase({ url, schema: url ? process.env.TEST_DB_SCHEMA : undefined });
  const database = openPool();
  if (!url) await migrateToLatest(database.knex);
  loadR4Definitions();
  const profiles = loadProfiles();
  const validator = createValidator(profiles);
  const logger = options.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const rateLimit = options.rateLimit ?? { points: 1_000_000_000, windowSeconds: 3600 };

  const instance = (knex: Knex, tenantId: string, close: () => Promise<void>): TestApp => {
    const app = createApp({ knex, validator, profiles, logger, resolveTenant: () => tenantId, rateLimit, redisUrl: options.redisUrl });
    return {
      app,
      knex,
      tenantId,
      http: supertest(app),
      otherTenant: forTenant,
      sameTenantInstance: async () => {
        const pool = url ? openPool().knex : undefined;
        return instance(pool ?? knex, tenantId, pool ? () => pool.destroy() : async () => undefined);
      },
      close,
    };
  };
  const forTenant = async (): Promise<TestApp> => {
    const tenantId = randomUUID();
    await database.knex('tenants').insert({ id: tenantId, name: `test ${tenantId}` });
    return instance(database.knex, tenantId, () => database.knex.destroy());
  };
  return forTenant();
}
