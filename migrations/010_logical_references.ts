import type { Knex } from 'knex';
import { INDEXED_PREFIX_CHARS } from './009_bounded_index_keys';

/**
 * Logical references (`Reference.identifier`, as in NPI-only references from EHR exports):
 * searchable with `:identifier`, and resolved to the resource holding the identifier, also
 * when that resource is written after the reference (the second index finds them).
 * Rows written before this migration gain the columns on the resource's next write.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE search_reference ALTER COLUMN reference DROP NOT NULL');
  await knex.raw('ALTER TABLE search_reference ADD COLUMN identifier_system text, ADD COLUMN identifier_value text');
  const prefix = `left(identifier_value, ${INDEXED_PREFIX_CHARS})`;
  await knex.raw(`CREATE INDEX search_reference_identifier ON search_reference (tenant_id, resource_type, code, ${prefix}) WHERE identifier_value IS NOT NULL`);
  await knex.raw(
    `CREATE INDEX search_reference_unresolved ON search_reference (tenant_id, target_type, ${prefix}) WHERE target_id IS NULL AND identifier_value IS NOT NULL`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS search_reference_unresolved');
  await knex.raw('DROP INDEX IF EXISTS search_reference_identifier');
  await knex('search_reference').whereNull('reference').delete();
  await knex.raw('ALTER TABLE search_reference DROP COLUMN identifier_system, DROP COLUMN identifier_value');
  await knex.raw('ALTER TABLE search_reference ALTER COLUMN reference SET NOT NULL');
}
