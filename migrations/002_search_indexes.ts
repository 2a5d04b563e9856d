import type { Knex } from 'knex';

/**
 * One table per search-parameter type, filled at write time from the SearchParameter
 * FHIRPath expressions; searches read these, never the JSON content.
 */
const COMMON = (t: Knex.CreateTableBuilder): void => {
  t.uuid('tenant_id').notNullable();
  t.text('resource_type').notNullable();
  t.text('resource_id').notNullable();
  t.text('code').notNullable();
  t.index(['tenant_id', 'resource_type', 'resource_id']);
};

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('search_string', (t) => {
    COMMON(t);
    t.text('value').notNullable(); // lower-cased, accents removed
    t.text('exact').notNullable();
    t.index(['tenant_id', 'resource_type', 'code', 'value']);
  });
  await knex.raw('CREATE INDEX search_string_value_trgm ON search_string USING gin (value public.gin_trgm_ops)');

  await knex.schema.createTable('search_token', (t) => {
    COMMON(t);
    t.text('system');
    t.text('value');
    t.text('text');
    t.index(['tenant_id', 'resource_type', 'code', 'value']);
  });

  await knex.schema.createTable('search_reference', (t) => {
    COMMON(t);
    t.text('reference').notNullable();
    t.text('target_type');
    t.text('target_id');
    t.index(['tenant_id', 'resource_type', 'code', 'target_id']);
    t.index(['tenant_id', 'target_type', 'target_id']);
  });

  await knex.schema.createTable('search_date', (t) => {
    COMMON(t);
    t.timestamp('low', { useTz: true }).notNullable();
    t.timestamp('high', { useTz: true }).notNullable();
    t.index(['tenant_id', 'resource_type', 'code', 'low']);
  });

  await knex.schema.createTable('search_number', (t) => {
    COMMON(t);
    t.decimal('value', null).notNullable();
    t.index(['tenant_id', 'resource_type', 'code', 'value']);
  });

  await knex.schema.createTable('search_uri', (t) => {
    COMMON(t);
    t.text('value').notNullable();
    t.index(['tenant_id', 'resource_type', 'code', 'value']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['search_uri', 'search_number', 'search_date', 'search_reference', 'search_token', 'search_string']) {
    await knex.schema.dropTableIfExists(table);
  }
}
