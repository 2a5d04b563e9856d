import type { Knex } from 'knex';

/** The tables every FHIR write inserts into, with the foreign key each had to `tenants`. */
const WRITTEN = [
  ['resources', 'resources_tenant_id_foreign'],
  ['resource_versions', 'resource_versions_tenant_id_foreign'],
  ['unique_keys', 'unique_keys_tenant_id_foreign'],
] as const;

/**
 * A foreign key checks every new row by a query that share-locks the referenced row: each
 * create and each update's history row locked the tenant's one row, and concurrent writers of
 * one tenant turned those locks into multixacts. Without them PostgreSQL spent 7–13% less CPU
 * per create (docs/performance.md). The search index tables never had one. A write's tenant is
 * the one of the API key that authenticated it, whose own row still references `tenants`, and
 * tenants are never deleted.
 */
export async function up(knex: Knex): Promise<void> {
  for (const [table, name] of WRITTEN) await knex.raw(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${name}`);
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, name] of WRITTEN) await knex.raw(`ALTER TABLE ${table} ADD CONSTRAINT ${name} FOREIGN KEY (tenant_id) REFERENCES tenants (id)`);
}
