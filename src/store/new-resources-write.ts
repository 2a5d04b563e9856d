import type { Knex } from 'knex';
import { distinctTaken, indexInsertOf, INDEX_ROW_INSERTS, keyRowsOf, type IndexTarget, type TakenKey } from './index-writer';
import { ADOPT_SQL, adoptBindings, adoptLogicalReferences, adoptsInSameStatement } from './logical-references';
import { preparedStatement, runPrepared } from './prepared-query';
import type { VersionRow } from './rows';
import { VERSION_COLUMNS, VERSION_RECORD, VERSION_WRITE_MARK } from './version-write';

const INSERT_NEW_RESOURCES = preparedStatement(
  'fhir_insert_new_resources',
  `${VERSION_WRITE_MARK}
   WITH input AS (SELECT * FROM jsonb_to_recordset(?::jsonb) AS x(${VERSION_RECORD})),
   inserted AS (
     INSERT INTO resources (tenant_id, ${VERSION_COLUMNS}) SELECT ?::uuid, ${VERSION_COLUMNS} FROM input
     ON CONFLICT (tenant_id, resource_type, id) DO NOTHING
     RETURNING tenant_id, ${VERSION_COLUMNS}),
   versions AS (INSERT INTO resource_versions (tenant_id, ${VERSION_COLUMNS}) SELECT tenant_id, ${VERSION_COLUMNS} FROM inserted RETURNING resource_type, id),
   ${INDEX_ROW_INSERTS.join(',\n')},
   key_input AS (SELECT * FROM jsonb_to_recordset(?::jsonb) AS x(key_kind text, key_digest text, resource_type text, resource_id text)),
   keys AS (
     INSERT INTO unique_keys (tenant_id, key_kind, key_digest, resource_type, resource_id)
     SELECT ?::uuid, key_kind, key_digest, resource_type, resource_id FROM key_input
     ON CONFLICT (tenant_id, key_kind, key_digest) DO NOTHING
     RETURNING key_kind, key_digest, resource_type, resource_id),
   adopted AS (${ADOPT_SQL})
   SELECT resource_type, id, NULL::text AS taken_kind FROM versions
   UNION ALL
   SELECT k.resource_type, k.resource_id, k.key_kind FROM key_input k
   WHERE NOT EXISTS (SELECT 1 FROM keys s WHERE (s.key_kind, s.key_digest, s.resource_type, s.resource_id) = (k.key_kind, k.key_digest, k.resource_type, k.resource_id))`,
);

export interface NewResourcesWritten {
  /** `Type/id` of each resource written: one missing was created meanwhile by a concurrent request. */
  written: Set<string>;
  /** Business keys another resource holds, by the resource that could not take them. */
  taken: TakenKey[];
}

/**
 * Writes resources that have no current row — their rows, history, search index, business
 * keys, and the logical references they resolve — in one statement, one round trip however
 * many. Runs inside the caller's transaction, which a lost row or a taken key must roll back.
 * When the adoption of logical references has to see the batch's own index rows, it follows
 * in a second statement.
 */
export async function writeNewResources(
  db: Knex | Knex.Transaction,
  tenantId: string,
  rows: readonly VersionRow[],
  targets: readonly IndexTarget[],
): Promise<NewResourcesWritten> {
  const index = await indexInsertOf(db, tenantId, targets);
  const adoptNow = adoptsInSameStatement(index.identifiers, index.references);
  const versions = rows.map((row) => ({ ...row, tenant_id: undefined }));
  const answer = await runPrepared<{ resource_type: string; id: string; taken_kind: string | null }>(db, INSERT_NEW_RESOURCES, [
    JSON.stringify(versions),
    tenantId,
    ...index.bindings,
    JSON.stringify(keyRowsOf(targets)),
    tenantId,
    ...adoptBindings(tenantId, adoptNow ? index.identifiers : []),
  ]);
  if (!adoptNow) await adoptLogicalReferences(db, tenantId, index.identifiers);
  const written = new Set(answer.filter((r) => r.taken_kind === null).map((r) => `${r.resource_type}/${r.id}`));
  const taken = distinctTaken(
    answer.filter((r) => r.taken_kind !== null).map((r) => ({ key_kind: r.taken_kind!, resource_type: r.resource_type, resource_id: r.id })),
  );
  return { written, taken };
}
