import type { Knex } from 'knex';
import { replaceIndex } from './replace-index';

const LOW = 'search_date_tenant_id_resource_type_code_low_index';
const HIGH = 'search_date_high';

/**
 * The btrees on either end of a stored date range also hold the other end and the resource,
 * as the range's GiST index does (migration 017): a date search bounded on one end (eq, lt, le,
 * sa on `low`; gt, ge, eb on `high`) reads its matches from the index alone instead of a heap
 * page of `search_date` per match (32 pages for one birth date among a million Patients).
 */
export async function up(knex: Knex): Promise<void> {
  await swap(knex, LOW, 'low', 'INCLUDE (high, resource_id)');
  await swap(knex, HIGH, 'high', 'INCLUDE (low, resource_id)');
}

export async function down(knex: Knex): Promise<void> {
  await swap(knex, HIGH, 'high', '');
  await swap(knex, LOW, 'low', '');
}

/** Builds the index on one end anew, with `include`, in place of the old one of the same name. */
async function swap(knex: Knex, name: string, end: 'low' | 'high', include: string): Promise<void> {
  await replaceIndex(knex, name, `search_date (tenant_id, resource_type, code, ${end}) ${include}`);
}
