import type { Knex } from 'knex';
import { byTypeAndId } from './ids-by-type';
import { INDEXED_TYPES, type IndexedParamType } from './index-rows';
import { filledSuffix, indexInsertBindings, indexInsertOf, indexRowInserts, type IndexTarget } from './index-writer';
import { ADOPT_SQL, adoptBindings, sameStatementAdoption } from './logical-references';
import { runPrepared, statementNamed, type PreparedStatement } from './prepared-query';
import type { VersionRow } from './rows';
import { VERSION_WRITE_CTES, VERSION_WRITE_MARK, versionWriteBindings } from './version-write';
import { refusedBy } from './write-refusal';

/**
 * What the statement does beyond the versions waits on this, a one-time filter: every current
 * row is locked first (as every other write locks it), and a statement that did not write them
 * all (it refuses itself then) does no more work before it is undone.
 */
const ALL_WRITTEN = '(SELECT count(*) FROM versions) = (SELECT count(*) FROM stale)';

/**
 * The resources whose index rows and business keys go, from two arrays: a generic plan takes an
 * array parameter for ten elements, so each table is probed by its `(tenant_id, resource_type,
 * resource_id)` index once per resource, where `json_to_recordset` (taken for a hundred rows)
 * could make a small table's whole scan look cheaper.
 */
const STALE = 'stale AS (SELECT * FROM unnest(?::text[], ?::text[]) AS s(resource_type, resource_id))';

const DELETES = [...INDEXED_TYPES.map((type) => `search_${type}`), 'unique_keys'].map(
  (table) =>
    `d_${table} AS (DELETE FROM ${table} t USING stale s WHERE t.tenant_id = ?::uuid AND t.resource_type = s.resource_type AND t.resource_id = s.resource_id AND ${ALL_WRITTEN})`,
);

/** The statement for the index tables the new versions fill, and the adoption when they have identifiers to adopt by. */
function statementFor(filled: readonly IndexedParamType[], adopts: boolean): PreparedStatement {
  return statementNamed(
    `fhir_replace_versions_${filledSuffix(filled)}${adopts ? '_a' : ''}`,
    () => `${VERSION_WRITE_MARK}
   WITH ${VERSION_WRITE_CTES},
   ${STALE},
   ${[
     ...DELETES,
     ...indexRowInserts(ALL_WRITTEN, filled),
     ...(adopts
       ? [`adopted AS (${ADOPT_SQL} AND (r.resource_type, r.resource_id) NOT IN (SELECT resource_type, resource_id FROM stale) AND ${ALL_WRITTEN})`]
       : []),
   ].join(',\n')}
   SELECT * FROM versions
   UNION ALL
   SELECT NULL, NULL, NULL WHERE fhir_refuse_write(CASE WHEN NOT ${ALL_WRITTEN} THEN '[]'::jsonb END)`,
  );
}

/**
 * Writes the next version of several resources of one tenant, none of them holding a business
 * key, over the current rows their writers read, without a lock or a transaction: what
 * `replaceOneVersionAlone` does for one, in one statement for all — rows, history, index rows,
 * dropped keys, and the adoption of the logical references their identifiers resolve. Rows are
 * locked by type, then id (`byTypeAndId`). True when every version was written; false, having
 * written nothing, when one was replaced since it was read or is twice in the batch (the
 * statement refuses itself whole), or when the adoption would have to see the batch's own rows
 * (it is not sent): the caller then writes each alone.
 */
export async function replaceVersionsAtOnce(db: Knex, tenantId: string, batch: readonly { row: VersionRow; target: IndexTarget }[]): Promise<boolean> {
  const writes = [...batch].sort((a, b) => byTypeAndId(a.target, b.target));
  const targets = writes.map((write) => write.target);
  const index = await indexInsertOf(db, tenantId, targets);
  const adopting = sameStatementAdoption(index.identifiers, index.references);
  if (!adopting) return false;
  const adopts = adopting.length > 0;
  const bindings = [
    ...versionWriteBindings(
      tenantId,
      writes.map(({ row }) => ({ row, isNew: false })),
    ),
    targets.map((target) => target.resourceType),
    targets.map((target) => target.id),
    ...DELETES.map(() => tenantId),
    ...indexInsertBindings(index, index.filled),
    ...(adopts ? adoptBindings(tenantId, adopting) : []),
  ];
  try {
    await runPrepared(db, statementFor(index.filled, adopts), bindings);
    return true;
  } catch (err) {
    if (refusedBy(err)) return false;
    throw err;
  }
}
