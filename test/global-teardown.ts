import { openDatabase } from '../src/store/db';

export default async function globalTeardown(): Promise<void> {
  const url = process.env.DATABASE_URL;
  const schema = process.env.TEST_DB_SCHEMA;
  if (!url || !schema) return;
  const db = openDatabase({ url });
  await db.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
  await db.knex.destroy();
}
