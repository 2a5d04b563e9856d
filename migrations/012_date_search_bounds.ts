import type { Knex } from 'knex';
import { createExtension } from './create-extension';

/**
 * Every date search gets a bounded index scan. `low` (migration 002) serves eq, lt, le and sa,
 * which now bound `low` from above as well where the range allows; this btree on `high` serves
 * gt, ge and eb, which only constrain the end of the stored range; and a GiST index on the
 * stored range serves a window from both sides (`birthdate=ge1990-01-01&birthdate=lt1990-02-01`),
 * which no btree on one end can bound.
 */
export async function up(knex: Knex): Promise<void> {
  await createExtension(knex, 'btree_gist');
  await knex.raw('CREATE INDEX search_date_high ON search_date (tenant_id, resource_type, code, high)');
  await knex.raw("CREATE INDEX search_date_range ON search_date USING gist (tenant_id, resource_type, code, tstzrange(low, high, '[]'))");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX search_date_range');
  await knex.raw('DROP INDEX search_date_high');
}
