import type { Knex } from 'knex';

/**
 * Creates an extension unless the database has it. An extension belongs to the database, not to
 * a schema: servers migrating schemas of their own at once (the migration lock is per schema)
 * would race to create it, and all but one fail on its unique name. A lock for the database,
 * held until the migration's transaction ends, lets one create it and the others see it.
 */
export async function createExtension(knex: Knex, name: 'pg_trgm' | 'btree_gist'): Promise<void> {
  await knex.raw("SELECT pg_advisory_xact_lock(hashtext('fhir-facade extensions'))");
  await knex.raw(`CREATE EXTENSION IF NOT EXISTS ${name} WITH SCHEMA public`);
}
