import { openDatabase } from '../src/store/db';
import { migrateToLatest } from '../src/store/migrate';

/**
 * Against a PostgreSQL server (DATABASE_URL set), each test run works in a schema of its
 * own, migrated once here before the workers start, and dropped afterwards. Without
 * DATABASE_URL every test file opens its own in-memory PGlite instead.
 */
export default async function globalSetup(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  const schema = `test_${Date.now()}_${process.pid}`;
  process.env.TEST_DB_SCHEMA = schema;
  const db = openDatabase({ url });
  await db.knex.raw('CREATE SCHEMA ??', [schema]);
  await db.knex.destroy();
  const scoped = openDatabase({ url, schema });
  await migrateToLatest(scoped.knex);
  await scoped.knex.destroy();
}
