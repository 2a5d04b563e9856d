import type { Knex } from 'knex';
import { INDEXED_PREFIX_CHARS } from './009_bounded_index_keys';

/** Tables whose searches compare a code and a value for equality (tokens, URIs). */
const TABLES = ['search_token', 'search_uri'] as const;

/**
 * Which values each code takes, counted together. Without it the planner multiplies the
 * selectivity of `code = 'gender'` by that of `left(value, …) = 'female'` as if they were
 * independent, expects a few hundred of 10,000 Patients where half match, and builds a plan
 * that reads and sorts every match to return one page (36 ms instead of 1 ms at 10,000).
 * ANALYZE, which the server runs itself after large writes, fills it.
 */
export async function up(knex: Knex): Promise<void> {
  for (const table of TABLES) {
    await knex.raw(`CREATE STATISTICS ?? (mcv) ON code, left(value, ${INDEXED_PREFIX_CHARS}) FROM ??`, [`${table}_code_value`, table]);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of TABLES) await knex.raw('DROP STATISTICS IF EXISTS ??', [`${table}_code_value`]);
}
