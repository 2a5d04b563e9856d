import type { Knex } from 'knex';
import { replaceIndex } from './replace-index';

const BY_RESOURCE = 'search_reference_tenant_id_resource_type_resource_id_index';

/**
 * A resource's reference rows, keyed by the resource and then the code, carry their target: a
 * broad chain's page walks one code's reference rows in resource id order and tests each
 * target (`toHashedChainTargets`, src/store/search/criteria.ts), and from the old key
 * `(tenant, type, resource id)` it read every row's heap tuple for its code and target (at
 * 100,000 Patients, 1,600–3,300 buffers and 5–9 ms for a page of the orders of every Patient
 * whose family starts with two given letters). From this index it reads neither: 60–130
 * buffers, 1.1–2.4 ms. The rows of one resource, which an update replaces, are still one range
 * of it. The index is about three times the size: included columns turn off deduplication.
 */
export async function up(knex: Knex): Promise<void> {
  await replaceIndex(knex, BY_RESOURCE, 'search_reference (tenant_id, resource_type, resource_id, code) INCLUDE (target_type, target_id)');
}

export async function down(knex: Knex): Promise<void> {
  await replaceIndex(knex, BY_RESOURCE, 'search_reference (tenant_id, resource_type, resource_id)');
}
