import type { Knex } from 'knex';

/**
 * A `_since` export pages by (last_updated, id), so that few changes in a large type cost a
 * few index pages, not a walk of every id: the cursor keeps the last written resource's
 * last_updated beside its id. A job paused mid-type takes it from the resource it stopped after.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE bulk_exports ADD COLUMN after_last_updated timestamptz');
  await knex.raw(
    `UPDATE bulk_exports e SET after_last_updated = r.last_updated
     FROM resources r
     WHERE e.after_id IS NOT NULL AND r.tenant_id = e.tenant_id AND r.resource_type = e.types[e.type_index + 1] AND r.id = e.after_id`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE bulk_exports DROP COLUMN after_last_updated');
}
