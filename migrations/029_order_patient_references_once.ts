import type { Knex } from 'knex';

const COLUMNS = ['reference', 'target_type', 'target_id', 'identifier_system', 'identifier_value'];
const SAME_REFERENCE = COLUMNS.map((column) => `p.${column} IS NOT DISTINCT FROM s.${column}`).join(' AND ');

/**
 * An order's reference to a Patient was stored twice, under `subject` and under `patient`
 * (`subject.where(resolve() is Patient)`); it is now stored once, under `patient`, by the target
 * type its row names, and a chain through `subject` to a Patient reads `patient` rows alone
 * (src/fhir/indexing/index-codes.ts). The rows written before move to where the code keeps
 * them: a `subject` row pointing at a Patient goes (its `patient` twin stays) or, without a twin
 * (`…/fhir/Patient/1`, which FHIRPath's `resolve()` read as no type), becomes the `patient` row;
 * a `patient` row not pointing at a Patient goes (its `subject` twin stays).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`DELETE FROM search_reference s
    WHERE s.resource_type = 'ServiceRequest' AND s.code = 'subject' AND s.target_type = 'Patient'
      AND EXISTS (SELECT 1 FROM search_reference p
        WHERE p.tenant_id = s.tenant_id AND p.resource_type = s.resource_type AND p.resource_id = s.resource_id AND p.code = 'patient' AND ${SAME_REFERENCE})`);
  await knex.raw(`UPDATE search_reference SET code = 'patient' WHERE resource_type = 'ServiceRequest' AND code = 'subject' AND target_type = 'Patient'`);
  await knex.raw(`DELETE FROM search_reference WHERE resource_type = 'ServiceRequest' AND code = 'patient' AND target_type IS DISTINCT FROM 'Patient'`);
}

/** Every `patient` row again also a `subject` row, as the code before wrote them. */
export async function down(knex: Knex): Promise<void> {
  const columns = COLUMNS.join(', ');
  await knex.raw(`INSERT INTO search_reference (tenant_id, resource_type, resource_id, code, ${columns})
    SELECT tenant_id, resource_type, resource_id, 'subject', ${columns} FROM search_reference WHERE resource_type = 'ServiceRequest' AND code = 'patient'`);
}
