import type { Knex } from 'knex';

/**
 * Fixed-window request counters shared by every server process (docs/v1-api.md, "Rate
 * limiting"). A key is a hash of the caller's credential or address, never the raw value.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rate_limit_counters', (t) => {
    t.text('key').primary();
    t.integer('points').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('rate_limit_counters');
}
