import type { Knex } from 'knex';

/**
 * Every request writes an audit row, and the foreign key to `tenants` checked each one by a
 * query that share-locks the tenant's row: 4–6 µs of PostgreSQL's CPU per row, about a quarter
 * of what the row costs (docs/performance.md). An event's tenant is the one of the API key that
 * authenticated its request, whose own row still references `tenants`, and tenants are never
 * deleted (as for the resource tables, migration 026).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE audit_events DROP CONSTRAINT IF EXISTS audit_events_tenant_id_foreign');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE audit_events ADD CONSTRAINT audit_events_tenant_id_foreign FOREIGN KEY (tenant_id) REFERENCES tenants (id)');
}
