import type { Knex } from 'knex';
import { INDEXED_PREFIX_CHARS } from './009_bounded_index_keys';

/**
 * `:exact` string searches go through the prefix index (migration 018): the rows whose folded
 * value (lower-case, accents removed) equals the folded search text, then the original text
 * compared. The btree on `exact` is dropped: one index fewer to maintain on every string row
 * written (~18 per Patient), and its disk space.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS search_string_exact_prefix');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX search_string_exact_prefix ON search_string (tenant_id, resource_type, code, left(exact, ${INDEXED_PREFIX_CHARS}))`);
}
