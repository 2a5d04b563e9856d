import type { Knex } from 'knex';
import { createExtension } from './create-extension';
import { DEFAULT_TENANT_ID } from '../src/store/default-tenant';

/** Tenants, current and historical resource versions, and uniqueness keys. */
export async function up(knex: Knex): Promise<void> {
  await createExtension(knex, 'pg_trgm');

  await knex.schema.createTable('tenants', (t) => {
    t.uuid('id').primary();
    t.text('name').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex('tenants').insert({ id: DEFAULT_TENANT_ID, name: 'default' });

  // Current versions, and every version ever written (same columns, one more key part).
  await knex.schema.createTable('resources', (t) => {
    versionColumns(t);
    t.primary(['tenant_id', 'resource_type', 'id']);
  });
  await knex.schema.createTable('resource_versions', (t) => {
    versionColumns(t);
    t.primary(['tenant_id', 'resource_type', 'id', 'version_id']);
  });

  // Business uniqueness (e.g. one patient per brand and email) enforced by the primary key.
  await knex.schema.createTable('unique_keys', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id');
    t.text('key_kind').notNullable();
    t.text('key_value').notNullable();
    t.text('resource_type').notNullable();
    t.text('resource_id').notNullable();
    t.primary(['tenant_id', 'key_kind', 'key_value']);
    t.index(['tenant_id', 'resource_type', 'resource_id']);
  });
}

function versionColumns(t: Knex.CreateTableBuilder): void {
  t.uuid('tenant_id').notNullable().references('tenants.id');
  t.text('resource_type').notNullable();
  t.text('id').notNullable();
  t.integer('version_id').notNullable();
  t.timestamp('last_updated', { useTz: true }).notNullable();
  t.timestamp('created_at', { useTz: true }).notNullable();
  t.boolean('deleted').notNullable().defaultTo(false);
  t.jsonb('content').notNullable();
  t.index(['tenant_id', 'resource_type', 'last_updated']);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['unique_keys', 'resource_versions', 'resources', 'tenants']) {
    await knex.schema.dropTableIfExists(table);
  }
}
