import type { Knex } from 'knex';

const RANGE = "tstzrange(low, high, '[]')";

/**
 * The date range's GiST index (migration 012) also holds each row's resource and bounds, so
 * that a date search reads the ids of its matches from the index alone: an index-only scan
 * instead of a heap page of `search_date` per match (~900 pages for a one-month birth date
 * window among a million Patients). Index-only scans need the pages marked all-visible, which
 * VACUUM does: the server runs it on the search tables after large writes (statistics.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `CREATE INDEX search_date_range_covering ON search_date USING gist (tenant_id, resource_type, code, ${RANGE}) INCLUDE (resource_id, low, high)`,
  );
  await knex.raw('DROP INDEX search_date_range');
  await knex.raw('ALTER INDEX search_date_range_covering RENAME TO search_date_range');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX search_date_range_plain ON search_date USING gist (tenant_id, resource_type, code, ${RANGE})`);
  await knex.raw('DROP INDEX search_date_range');
  await knex.raw('ALTER INDEX search_date_range_plain RENAME TO search_date_range');
}
