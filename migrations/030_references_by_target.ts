import type { Knex } from 'knex';

const BY_TARGET = 'search_reference_by_target';
const OLD = [
  { name: 'search_reference_tenant_id_resource_type_code_target_id_index', columns: '(tenant_id, resource_type, code, target_id)' },
  { name: 'search_reference_tenant_id_target_type_target_id_index', columns: '(tenant_id, target_type, target_id)' },
];

/**
 * One index of a resolved reference by its target, where there were two: every lookup by target
 * (a search by reference, a chain's probe from its targets, `_revinclude`, `_has`) names the
 * target's id, and the id alone nearly picks its rows, so the target's type, the referencing type
 * and the code follow it in the key. The referencing resource ends the key, so that a lookup
 * reads the index alone (the chain's probe had read a heap tuple for each reference it counted)
 * and finds one target's references in resource id order. A reference row now costs two btree
 * entries where it cost three.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX ?? ON search_reference (tenant_id, target_id, target_type, resource_type, code, resource_id)`, [BY_TARGET]);
  for (const { name } of OLD) await knex.raw('DROP INDEX ??', [name]);
}

export async function down(knex: Knex): Promise<void> {
  for (const { name, columns } of OLD) await knex.raw(`CREATE INDEX ?? ON search_reference ${columns}`, [name]);
  await knex.raw('DROP INDEX ??', [BY_TARGET]);
}
