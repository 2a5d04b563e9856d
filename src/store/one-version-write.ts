import type { Knex } from 'knex';
import { INDEXED_TYPES, type IndexedParamType } from './index-rows';
import { filledSuffix, indexInsertBindings, indexInsertOf, indexRowInserts, insertUniqueKeys, type IndexInsert, type IndexTarget } from './index-writer';
import { ADOPT_BY_OTHERS_SQL, adoptBindings, adoptLogicalReferences, sameStatementAdoption, type IdentifierHolder } from './logical-references';
import type { NewResourcesWritten } from './new-resources-write';
import { runPrepared, statementNamed, type PreparedStatement } from './prepared-query';
import type { VersionRow } from './rows';
import { ONE_VERSION_WRITE_CTES, oneVersionWriteBindings, VERSION_WRITE_MARK } from './version-write';
import { refusedBy } from './write-refusal';
import { replaceVersionsAtOnce } from './many-versions-write';
import { batchesOfOneTurn, WRITE_BATCHES_IN_FLIGHT, type Pending } from './turn-batches';

/**
 * What the statement does beyond the version waits on this: so the resource's current row is
 * always locked first (as every other write locks it), and a statement that did not write the
 * version (it refuses itself then) does no more work before it is undone.
 */
const ONCE_WRITTEN = 'EXISTS (SELECT 1 FROM versions)';

/**
 * CTEs deleting one resource's index rows and business keys: each an equality on the tables'
 * `(tenant_id, resource_type, resource_id)` index whatever the values, so the statement is
 * planned once per connection. Three bindings each (tenant, type, id).
 */
const ONE_RESOURCE_DELETES = [...INDEXED_TYPES.map((type) => `search_${type}`), 'unique_keys'].map(
  (table) => `d_${table} AS (DELETE FROM ${table} WHERE tenant_id = ?::uuid AND resource_type = ? AND resource_id = ? AND ${ONCE_WRITTEN})`,
);

/**
 * The statement for the index tables the new version fills, and the adoption when it has
 * identifiers to adopt by: the old rows of every table go, but only those CTEs insert (see
 * `insertStatementFor` in new-resources-write.ts for why). Prepared once per connection and shape.
 */
function replaceStatementFor(filled: readonly IndexedParamType[], adopts: boolean): PreparedStatement {
  return statementNamed(
    `fhir_replace_one_version_${filledSuffix(filled)}${adopts ? '_a' : ''}`,
    () => `${VERSION_WRITE_MARK}
   WITH ${ONE_VERSION_WRITE_CTES},
   ${[...ONE_RESOURCE_DELETES, ...indexRowInserts(ONCE_WRITTEN, filled), ...(adopts ? [`adopted AS (${ADOPT_BY_OTHERS_SQL} AND ${ONCE_WRITTEN})`] : [])].join(',\n')}
   SELECT * FROM versions
   UNION ALL
   SELECT NULL, NULL, NULL WHERE fhir_refuse_write(CASE WHEN NOT ${ONCE_WRITTEN} THEN '[]'::jsonb END)`,
  );
}

/**
 * Writes one resource's next version over its current row, locked by the caller, the version
 * it replaces copied into the history, its search index rows replaced, its business keys dropped and the logical
 * references its identifiers resolve adopted: one statement, where a statement each took four
 * round trips. Then its business keys, when it has any, and the adoption when it has to see
 * the resource's own new rows. Runs inside the caller's transaction, which a lost row or a
 * taken key must roll back.
 */
export async function replaceOneVersion(db: Knex | Knex.Transaction, tenantId: string, row: VersionRow, target: IndexTarget): Promise<NewResourcesWritten> {
  const index = await indexInsertOf(db, tenantId, [target]);
  const adoptNow = sameStatementAdoption(index.identifiers, index.references);
  const written = await replaceInOneStatement(db, tenantId, row, target, index, adoptNow ?? []);
  if (written.size === 0) return { written, taken: [] };
  if (!adoptNow) await adoptLogicalReferences(db, tenantId, index.identifiers);
  return { written, taken: await insertUniqueKeys(db, tenantId, [target]) };
}

/** Waiting writes by database and tenant, at most 50 resources a statement. */
const replaceInTurn = batchesOfOneTurn<OneVersion, NewResourcesWritten | undefined>({ limit: 50, inFlight: WRITE_BATCHES_IN_FLIGHT, send: sendReplacements });

/**
 * The same write without a lock or a transaction, when the statement is the whole of it (no
 * business keys to take, no adoption that must see the resource's own rows); undefined when it
 * is not. The statement refuses itself whole, `written` empty, when the current row is no longer
 * the version before `row`: another write replaced it since it was read. The writes that reach
 * here within one turn of the event loop go to the database as one statement per tenant
 * (`replaceVersionsAtOnce`), as new resources do (`writeNewResourcesSoon`); when that statement
 * does not write them all, it wrote none, and each is sent alone.
 */
export function replaceOneVersionAlone(db: Knex, tenantId: string, row: VersionRow, target: IndexTarget): Promise<NewResourcesWritten | undefined> {
  if ((target.entries?.keys.length ?? 0) > 0) return Promise.resolve(undefined);
  return replaceInTurn(db, tenantId, { row, target });
}

interface OneVersion {
  row: VersionRow;
  target: IndexTarget;
}

async function sendReplacements(db: Knex, tenantId: string, batch: Pending<OneVersion, NewResourcesWritten | undefined>[]): Promise<void> {
  if (
    batch.length > 1 &&
    (await replaceVersionsAtOnce(
      db,
      tenantId,
      batch.map(({ input }) => input),
    ).catch(() => false))
  ) {
    for (const { input, resolve } of batch) resolve({ written: new Set([`${input.row.resource_type}/${input.row.id}`]), taken: [] });
    return;
  }
  for (const { input, resolve, reject } of batch) replaceWithoutLock(db, tenantId, input).then(resolve, reject);
}

async function replaceWithoutLock(db: Knex, tenantId: string, { row, target }: OneVersion): Promise<NewResourcesWritten | undefined> {
  const index = await indexInsertOf(db, tenantId, [target]);
  const adopting = sameStatementAdoption(index.identifiers, index.references);
  if (!adopting) return undefined;
  return { written: await replaceInOneStatement(db, tenantId, row, target, index, adopting), taken: [] };
}

async function replaceInOneStatement(
  db: Knex | Knex.Transaction,
  tenantId: string,
  row: VersionRow,
  target: IndexTarget,
  index: IndexInsert,
  adopting: readonly IdentifierHolder[],
): Promise<Set<string>> {
  const resource = [tenantId, target.resourceType, target.id];
  try {
    const adopts = adopting.length > 0;
    const versions = await runPrepared<{ resource_type: string; id: string }>(db, replaceStatementFor(index.filled, adopts), [
      ...oneVersionWriteBindings(tenantId, { row, isNew: target.isNew }),
      ...ONE_RESOURCE_DELETES.flatMap(() => resource),
      ...indexInsertBindings(index, index.filled),
      ...(adopts ? [...adoptBindings(tenantId, adopting), target.resourceType, target.id] : []),
    ]);
    return new Set(versions.map((v) => `${v.resource_type}/${v.id}`));
  } catch (err) {
    if (refusedBy(err)) return new Set();
    throw err;
  }
}
