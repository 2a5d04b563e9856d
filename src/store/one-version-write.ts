import type { Knex } from 'knex';
import { INDEX_ROW_INSERTS, indexInsertOf, insertUniqueKeys, ONE_RESOURCE_DELETES, type IndexTarget } from './index-writer';
import { ADOPT_BY_OTHERS_SQL, adoptBindings, adoptLogicalReferences, adoptsInSameStatement } from './logical-references';
import type { NewResourcesWritten } from './new-resources-write';
import { preparedStatement, runPrepared } from './prepared-query';
import type { VersionRow } from './rows';
import { VERSION_WRITE_CTES, VERSION_WRITE_MARK, versionWriteBindings } from './version-write';

const REPLACE_ONE_VERSION = preparedStatement(
  'fhir_replace_one_version',
  `${VERSION_WRITE_MARK}
   WITH ${VERSION_WRITE_CTES},
   ${ONE_RESOURCE_DELETES.join(',\n')},
   ${INDEX_ROW_INSERTS.join(',\n')},
   adopted AS (${ADOPT_BY_OTHERS_SQL})
   SELECT * FROM versions`,
);

/**
 * Writes one resource's next version — over its current row, locked by the caller, or as a new
 * row under its id — with its history row, its search index rows replaced, its business keys
 * dropped and the logical references its identifiers resolve adopted: one statement, where a
 * statement each took four round trips. Then its business keys, when it has any, and the
 * adoption when it has to see the resource's own new rows. Runs inside the caller's
 * transaction, which a lost row or a taken key must roll back.
 */
export async function replaceOneVersion(db: Knex | Knex.Transaction, tenantId: string, row: VersionRow, target: IndexTarget): Promise<NewResourcesWritten> {
  const index = await indexInsertOf(db, tenantId, [target]);
  const adoptNow = adoptsInSameStatement(index.identifiers, index.references);
  const resource = [tenantId, target.resourceType, target.id];
  const versions = await runPrepared<{ resource_type: string; id: string }>(db, REPLACE_ONE_VERSION, [
    ...versionWriteBindings(tenantId, [{ row, isNew: target.isNew }]),
    ...ONE_RESOURCE_DELETES.flatMap(() => resource),
    ...index.bindings,
    ...adoptBindings(tenantId, adoptNow ? index.identifiers : []),
    target.resourceType,
    target.id,
  ]);
  const written = new Set(versions.map((v) => `${v.resource_type}/${v.id}`));
  if (written.size === 0) return { written, taken: [] };
  if (!adoptNow) await adoptLogicalReferences(db, tenantId, index.identifiers);
  return { written, taken: await insertUniqueKeys(db, tenantId, [target]) };
}
