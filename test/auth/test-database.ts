import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { openDatabase } from '../../src/store/db';
import { migrateToLatest } from '../../src/store/migrate';
import { openTemplateCopy } from '../helpers/pglite-template';

export interface TestDatabase {
  knex: Knex;
  close(): Promise<void>;
}

/**
 * A migrated database of this test file's own, for tests of code below HTTP: an in-memory
 * PGlite, or a fresh schema on the PostgreSQL server when DATABASE_URL is set (dropped on close).
 */
export async function openTestDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  const schema = url ? `${process.env.TEST_DB_SCHEMA ?? 'test'}_${randomBytes(4).toString('hex')}` : undefined;
  if (url && schema) {
    const admin = openDatabase({ url });
    await admin.knex.raw('CREATE SCHEMA ??', [schema]);
    await admin.knex.destroy();
  }
  const { knex } = url ? openDatabase({ url, schema }) : openTemplateCopy();
  await migrateToLatest(knex);
  return {
    knex,
    close: async () => {
      if (schema) await knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
      await knex.destroy();
    },
  };
}
