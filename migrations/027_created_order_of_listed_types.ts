import type { Knex } from 'knex';
import { replaceIndex } from './replace-index';

const KEY = 'resources (tenant_id, resource_type, created_at, id)';

/**
 * Creation order (migration 004) is read only by the /v1 listings of practitioners and their
 * roles (`oldestFirst`, src/fhir/search/compose.ts). Every resource of every other type paid an
 * entry in it on each create and update (an update moves the row, so each index gets a new
 * entry), for a read that never comes.
 */
export async function up(knex: Knex): Promise<void> {
  await replaceIndex(knex, 'resources_created_order', `${KEY} WHERE resource_type IN ('Practitioner', 'PractitionerRole')`);
}

export async function down(knex: Knex): Promise<void> {
  await replaceIndex(knex, 'resources_created_order', KEY);
}
