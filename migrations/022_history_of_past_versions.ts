import type { Knex } from 'knex';

/**
 * `resource_versions` holds the versions a resource had before its current one; the current
 * version lives in `resources` alone, and a resource's history is the two together. A create
 * writes its content, heap row and index entries once instead of twice (docs/performance.md,
 * "History of past versions only"). The copies of current versions go.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`DELETE FROM resource_versions v USING resources r
    WHERE v.tenant_id = r.tenant_id AND v.resource_type = r.resource_type AND v.id = r.id AND v.version_id = r.version_id`);
  // Its statistics told of the rows just deleted: the history's plans would be made for them.
  await knex.raw('ANALYZE resource_versions');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`INSERT INTO resource_versions (tenant_id, resource_type, id, version_id, last_updated, created_at, deleted, content)
    SELECT tenant_id, resource_type, id, version_id, last_updated, created_at, deleted, content FROM resources`);
}
