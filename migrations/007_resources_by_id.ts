import type { Knex } from 'knex';

/**
 * Resources by type and id across tenants: only for telling, on write, a reference to another
 * tenant's resource (refused) from one to nothing (allowed, as FHIR allows dangling references).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX resources_type_id ON resources (resource_type, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS resources_type_id');
}
