import { openDatabase } from '../src/store/db';
import { removeTemplate } from './helpers/pglite-template';

/** Drops what a test file could not (it crashed before closing): every schema of this run; and the run's PGlite template. */
export default async function globalTeardown(): Promise<void> {
  removeTemplate();
  const url = process.env.DATABASE_URL;
  const prefix = process.env.TEST_DB_SCHEMA;
  if (!url || !prefix) return;
  const db = openDatabase({ url });
  const left: { schema_name: string }[] = await db.knex('information_schema.schemata').select('schema_name').where('schema_name', 'like', `${prefix}%`);
  for (const { schema_name } of left) await db.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema_name]);
  await db.knex.destroy();
}
