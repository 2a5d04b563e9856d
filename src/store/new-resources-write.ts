import type { Knex } from 'knex';
import {
  distinctTaken,
  filledSuffix,
  indexInsertBindings,
  indexInsertOf,
  indexRowInserts,
  keyRowsOf,
  type IndexInsert,
  type IndexTarget,
  type TakenKey,
} from './index-writer';
import type { IndexedParamType } from './index-rows';
import { ADOPT_SQL, adoptBindings, adoptLogicalReferences, sameStatementAdoption } from './logical-references';
import { runPrepared, statementNamed, type PreparedStatement } from './prepared-query';
import type { VersionRow } from './rows';
import { VERSION_COLUMNS, VERSION_RECORD, VERSION_WRITE_MARK } from './version-write';
import { refusedBy } from './write-refusal';

/** What a batch of new resources writes beside their versions: the statement holds a CTE for each, and only those. */
interface WriteShape {
  /** Index tables that get rows. */
  filled: readonly IndexedParamType[];
  keys: boolean;
  adopts: boolean;
}

const CTE_OF_KEYS = `key_input AS (SELECT * FROM jsonb_to_recordset(?::jsonb) AS x(key_kind text, key_digest text, resource_type text, resource_id text)),
   keys AS (
     INSERT INTO unique_keys (tenant_id, key_kind, key_digest, resource_type, resource_id)
     SELECT ?::uuid, key_kind, key_digest, resource_type, resource_id FROM key_input
     ON CONFLICT (tenant_id, key_kind, key_digest) DO NOTHING
     RETURNING key_kind, key_digest, resource_type, resource_id),
   refused AS (
     SELECT k.resource_type, k.resource_id AS id, k.key_kind FROM key_input k
     WHERE NOT EXISTS (SELECT 1 FROM keys s WHERE (s.key_kind, s.key_digest, s.resource_type, s.resource_id) = (k.key_kind, k.key_digest, k.resource_type, k.resource_id)))`;

/**
 * The statement of one shape. A CTE that writes nothing still costs PostgreSQL its setup on
 * every execution (the target table and its indexes opened, its function scans started); a
 * Patient fills three or four of the six index tables, and most resources hold no business key.
 * The rows go in by a plain INSERT: a row a concurrent request inserted first fails the whole
 * statement on the primary key (`lostRace`). `ON CONFLICT DO NOTHING` with a refusal computed
 * beside it cost PostgreSQL ~10% more per create (its speculative insertion, the anti-join and
 * the call), for a conflict that only a client's own ids can meet.
 */
function insertStatementSql({ filled, keys, adopts }: WriteShape): string {
  const ctes = [
    `inserted AS (
     INSERT INTO resources (tenant_id, ${VERSION_COLUMNS}) SELECT ?::uuid, ${VERSION_COLUMNS} FROM json_to_recordset(?::json) AS x(${VERSION_RECORD})
     RETURNING resource_type, id)`,
    ...indexRowInserts(undefined, filled),
    ...(keys ? [CTE_OF_KEYS] : []),
    ...(adopts ? [`adopted AS (${ADOPT_SQL})`] : []),
  ];
  const refusal = keys ? `\n   UNION ALL\n   SELECT NULL, NULL WHERE fhir_refuse_write((SELECT jsonb_agg(r) FROM refused r))` : '';
  return `${VERSION_WRITE_MARK}
   WITH ${ctes.join(',\n   ')}
   SELECT resource_type, id FROM inserted${refusal}`;
}

/** At most 2^8 shapes, each prepared once per connection that meets it. */
function insertStatementFor(shape: WriteShape): PreparedStatement {
  const name = `fhir_insert_new_resources_${filledSuffix(shape.filled)}${shape.keys ? '_k' : ''}${shape.adopts ? '_a' : ''}`;
  return statementNamed(name, () => insertStatementSql(shape));
}

export interface NewResourcesWritten {
  /** `Type/id` of each resource written: one missing was created meanwhile by a concurrent request. */
  written: Set<string>;
  /** Business keys another resource holds, by the resource that could not take them. */
  taken: TakenKey[];
}

/**
 * Writes resources that have no current row — their rows (a first version has no history
 * row: it is the current one), search index, business keys, and the logical references they
 * resolve — in one statement, one round trip however many. The statement fails whole when a
 * row was inserted meanwhile by a concurrent request or a business key is taken, so it needs no
 * transaction of its own; inside the caller's, that one must then roll back. When the
 * adoption of logical references has to see the batch's own index rows it follows in a second
 * statement, the two in one transaction.
 */
export async function writeNewResources(
  db: Knex | Knex.Transaction,
  tenantId: string,
  rows: readonly VersionRow[],
  targets: readonly IndexTarget[],
): Promise<NewResourcesWritten> {
  const index = await indexInsertOf(db, tenantId, targets);
  const adopting = sameStatementAdoption(index.identifiers, index.references);
  if (adopting) return insertNewResources(db, tenantId, rows, targets, index, adopting);
  const write = async (trx: Knex | Knex.Transaction): Promise<NewResourcesWritten> => {
    const outcome = await insertNewResources(trx, tenantId, rows, targets, index, []);
    // Refused, the transaction is already aborted: nothing more runs in it, and its COMMIT rolls back.
    if (outcome.written.size === rows.length && outcome.taken.length === 0) await adoptLogicalReferences(trx, tenantId, index.identifiers);
    return outcome;
  };
  return db.isTransaction ? write(db) : db.transaction(write);
}

async function insertNewResources(
  db: Knex | Knex.Transaction,
  tenantId: string,
  rows: readonly VersionRow[],
  targets: readonly IndexTarget[],
  index: IndexInsert,
  adopting: IndexInsert['identifiers'],
): Promise<NewResourcesWritten> {
  const versions = rows.map((row) => ({ ...row, tenant_id: undefined }));
  const keyRows = keyRowsOf(targets);
  const shape: WriteShape = { filled: index.filled, keys: keyRows.length > 0, adopts: adopting.length > 0 };
  const bindings = [
    tenantId,
    JSON.stringify(versions),
    ...indexInsertBindings(index, shape.filled),
    ...(shape.keys ? [JSON.stringify(keyRows), tenantId] : []),
    ...(shape.adopts ? adoptBindings(tenantId, adopting) : []),
  ];
  const references = rows.map((row) => `${row.resource_type}/${row.id}`);
  try {
    await runPrepared(db, insertStatementFor(shape), bindings);
    return { written: new Set(references), taken: [] };
  } catch (err) {
    if (lostRace(err)) return { written: new Set(), taken: [] };
    const refused = refusedBy(err);
    if (!refused) throw err;
    const keys = refused.flatMap((r) => (r.key_kind === null ? [] : [{ key_kind: r.key_kind, resource_type: r.resource_type, resource_id: r.id }]));
    return { written: new Set(references), taken: distinctTaken(keys) };
  }
}

const UNIQUE_VIOLATION = '23505';

/**
 * A unique violation, which only the primary key of `resources` can raise here (business keys
 * go in `ON CONFLICT DO NOTHING`): a row a concurrent request inserted first. PostgreSQL names
 * the row only in a message of its server's language; the batch is reported lost whole, which
 * is exact for one resource, and a batch is retried whole or one by one by its callers.
 */
const lostRace = (err: unknown): boolean => (err as { code?: unknown } | undefined)?.code === UNIQUE_VIOLATION;
