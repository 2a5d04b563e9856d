import type { Knex } from 'knex';
import { replaceIndex } from './replace-index';

const KEY = 'resources (tenant_id, resource_type, created_at, id)';

/**
 * Creation order is now read for Practitioners alone (the /v1 clinician directory and the lab
 * order's practitioner lookup, `oldestFirst`): the directory orders a page's roles itself, after
 * searching them by practitioner. A PractitionerRole's create or update no longer pays an entry.
 */
export async function up(knex: Knex): Promise<void> {
  await replaceIndex(knex, 'resources_created_order', `${KEY} WHERE resource_type = 'Practitioner'`);
}

export async function down(knex: Knex): Promise<void> {
  await replaceIndex(knex, 'resources_created_order', `${KEY} WHERE resource_type IN ('Practitioner', 'PractitionerRole')`);
}
