import type { Knex } from 'knex';
import { INDEXED_PREFIX_CHARS } from './009_bounded_index_keys';

/**
 * String search without a scan of every row of the parameter: the default (prefix) match is
 * `LIKE 'kuhn%'`, which a btree in the database collation cannot serve unless that collation
 * is "C" (C.UTF-8 is not treated as such), so the value index takes `text_pattern_ops`, which
 * serves LIKE prefixes and equality in any collation; `:exact` gets an index of its own.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS search_string_value_prefix');
  await knex.raw(
    `CREATE INDEX search_string_value_pattern ON search_string (tenant_id, resource_type, code, left(value, ${INDEXED_PREFIX_CHARS}) text_pattern_ops)`,
  );
  await knex.raw(`CREATE INDEX search_string_exact_prefix ON search_string (tenant_id, resource_type, code, left(exact, ${INDEXED_PREFIX_CHARS}))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX search_string_exact_prefix');
  await knex.raw('DROP INDEX search_string_value_pattern');
  await knex.raw(`CREATE INDEX search_string_value_prefix ON search_string (tenant_id, resource_type, code, left(value, ${INDEXED_PREFIX_CHARS}))`);
}
