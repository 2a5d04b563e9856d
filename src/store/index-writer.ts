import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { INDEXED_TYPES, type IndexedParamType, type IndexEntries, type IndexRows, type UniqueKey } from './index-rows';
import { idsByType } from './ids-by-type';
import { adoptLogicalReferences, identifiersOf, resolveLogicalReferences, type IdentifierHolder, type ReferenceRow } from './logical-references';
import { preparedStatement, runPrepared } from './prepared-query';

/** The columns of each index table beyond its key, with their SQL types, as `jsonb_to_recordset` reads them. */
const ROW_COLUMNS: Record<IndexedParamType, [name: string, type: string][]> = {
  string: [
    ['code', 'text'],
    ['value', 'text'],
    ['exact', 'text'],
  ],
  token: [
    ['code', 'text'],
    ['system', 'text'],
    ['value', 'text'],
    ['text', 'text'],
  ],
  reference: [
    ['code', 'text'],
    ['reference', 'text'],
    ['target_type', 'text'],
    ['target_id', 'text'],
    ['identifier_system', 'text'],
    ['identifier_value', 'text'],
  ],
  date: [
    ['code', 'text'],
    ['low', 'timestamptz'],
    ['high', 'timestamptz'],
  ],
  number: [
    ['code', 'text'],
    ['value', 'numeric'],
  ],
  uri: [
    ['code', 'text'],
    ['value', 'text'],
  ],
};

/** One resource whose index entries are replaced; `entries` undefined (a deletion) clears them. */
export interface IndexTarget {
  resourceType: string;
  id: string;
  entries: IndexEntries | undefined;
  /** Never indexed before: nothing to delete. */
  isNew: boolean;
}

/** A business key another resource holds, named by the resource that could not take it. */
export interface TakenKey {
  resourceType: string;
  id: string;
  kind: string;
}

/**
 * The insert of each of these index tables' new rows (all by default), passed as one jsonb value
 * per table, the rows grouped by resource (`[{"type", "id", "rows": […]}]`), only when
 * `condition` holds if one is given: CTEs, two bindings each (tenant, groups).
 */
export function indexRowInserts(condition?: string, types: readonly IndexedParamType[] = INDEXED_TYPES): string[] {
  return types.map((type) => {
    const columns = ROW_COLUMNS[type];
    const names = columns.map(([name]) => name).join(', ');
    const record = columns.map(([name, sqlType]) => `${name} ${sqlType}`).join(', ');
    return `i_${type} AS (INSERT INTO search_${type} (tenant_id, resource_type, resource_id, ${names}) SELECT ?::uuid, g.type, g.id, ${names} FROM jsonb_to_recordset(?::jsonb) AS g(type text, id text, rows jsonb) CROSS JOIN LATERAL jsonb_to_recordset(g.rows) AS x(${record})${condition ? ` WHERE ${condition}` : ''})`;
  });
}

/**
 * The old index rows of the resources named in two arrays deleted and the new ones inserted, by
 * CTEs that all see the same snapshot. Planned for each run: an array's length is known to the
 * planner, which probes the index once per resource (a generic plan would assume many and may
 * hash-join a whole table).
 */
const REPLACE_INDEX_ROWS = `WITH stale AS (SELECT * FROM unnest(?::text[], ?::text[]) AS s(resource_type, resource_id)),
${INDEXED_TYPES.map((type) => `d_${type} AS (DELETE FROM search_${type} t USING stale s WHERE t.tenant_id = ?::uuid AND t.resource_type = s.resource_type AND t.resource_id = s.resource_id)`).join(',\n')},
${indexRowInserts().join(',\n')}
SELECT 1`;

/** What a write adds to the search index, and the identifiers whose logical references it adopts. */
export interface IndexInsert {
  /** Each index table's rows as the bindings of its `indexRowInserts` CTE (the tenant, the groups). */
  bindings: Record<IndexedParamType, [tenantId: string, groups: string]>;
  /** The tables that get rows. */
  filled: IndexedParamType[];
  identifiers: IdentifierHolder[];
  /** The batch's own reference rows, logical references resolved against what was stored before it. */
  references: ReferenceRow[];
}

/** The index rows of these targets, their logical references resolved against the resources already stored. */
export async function indexInsertOf(db: Knex | Knex.Transaction, tenantId: string, targets: readonly IndexTarget[]): Promise<IndexInsert> {
  const indexed: { target: IndexTarget; rows: IndexRows }[] = [];
  for (const target of targets) {
    const rows = target.entries?.rows;
    if (rows) indexed.push({ target, rows: { ...rows, reference: await resolveLogicalReferences(db, tenantId, rows.reference) } });
  }
  const bindings = {} as IndexInsert['bindings'];
  const filled: IndexedParamType[] = [];
  for (const type of INDEXED_TYPES) {
    const groups = indexed
      .filter(({ rows }) => rows[type].length > 0)
      .map(({ target, rows }) => ({ type: target.resourceType, id: target.id, rows: rows[type] }));
    bindings[type] = [tenantId, JSON.stringify(groups)];
    if (groups.length > 0) filled.push(type);
  }
  return {
    bindings,
    filled,
    identifiers: identifiersOf(indexed.map(({ target, rows }) => ({ resourceType: target.resourceType, id: target.id, tokens: rows.token }))),
    references: indexed.flatMap(({ rows }) => rows.reference),
  };
}

/** A statement name's suffix for the index tables it fills: two letters each. */
export const filledSuffix = (types: readonly IndexedParamType[]): string => types.map((type) => type.slice(0, 2)).join('');

/** The bindings of `indexRowInserts` for these tables (all by default). */
export const indexInsertBindings = (index: IndexInsert, types: readonly IndexedParamType[] = INDEXED_TYPES): string[] =>
  types.flatMap((type) => index.bindings[type]);

/**
 * Replaces the search index rows of a batch of which some were indexed before, however
 * many, in one statement (one round trip): each table's old rows deleted and new rows inserted,
 * the rows passed as one jsonb value per table, so no bound-parameter limit however many
 * identifiers a resource has. Then adopts the logical references their identifiers resolve.
 */
export async function replaceSearchIndexes(db: Knex | Knex.Transaction, tenantId: string, targets: readonly IndexTarget[]): Promise<void> {
  const index = await indexInsertOf(db, tenantId, targets);
  const deletes = INDEXED_TYPES.map(() => tenantId);
  await db.raw(REPLACE_INDEX_ROWS, [targets.map((t) => t.resourceType), targets.map((t) => t.id), ...deletes, ...indexInsertBindings(index)]);
  await adoptLogicalReferences(db, tenantId, index.identifiers);
}

const INSERT_UNIQUE_KEYS = preparedStatement(
  'fhir_insert_unique_keys',
  `INSERT INTO unique_keys (tenant_id, key_kind, key_digest, resource_type, resource_id)
   SELECT ?::uuid, key_kind, key_digest, resource_type, resource_id
   FROM jsonb_to_recordset(?::jsonb) AS x(key_kind text, key_digest text, resource_type text, resource_id text)
   ON CONFLICT (tenant_id, key_kind, key_digest) DO NOTHING
   RETURNING key_kind, key_digest, resource_type, resource_id`,
);

/** A row of `unique_keys` without its tenant. */
export interface KeyRow {
  key_kind: string;
  key_digest: string;
  resource_type: string;
  resource_id: string;
}

/**
 * Replaces the business keys of a tenant's resources. A key another resource already holds
 * (also one held by a concurrent, not yet committed write: ON CONFLICT waits for it, or by
 * another resource of the same batch) is returned with the resource that could not take it.
 */
export async function replaceUniqueKeys(db: Knex | Knex.Transaction, tenantId: string, targets: readonly IndexTarget[]): Promise<TakenKey[]> {
  for (const [resourceType, ids] of idsByType(targets.filter((t) => !t.isNew))) {
    await db('unique_keys').where({ tenant_id: tenantId, resource_type: resourceType }).whereIn('resource_id', ids).delete();
  }
  return insertUniqueKeys(db, tenantId, targets);
}

/** The business keys of resources that hold none: those another resource holds come back, as for `replaceUniqueKeys`. */
export async function insertUniqueKeys(db: Knex | Knex.Transaction, tenantId: string, targets: readonly IndexTarget[]): Promise<TakenKey[]> {
  const rows = keyRowsOf(targets);
  if (rows.length === 0) return [];
  const inserted = await runPrepared<KeyRow>(db, INSERT_UNIQUE_KEYS, [tenantId, JSON.stringify(rows)]);
  const keyOf = (k: KeyRow): string => [k.key_kind, k.key_digest, k.resource_type, k.resource_id].join('\u0000');
  const stored = new Set(inserted.map(keyOf));
  return distinctTaken(rows.filter((k) => !stored.has(keyOf(k))));
}

/** The key rows of these targets, each key once per resource; compared by digest, so a value of any length fits the primary key. */
export function keyRowsOf(targets: readonly IndexTarget[]): KeyRow[] {
  return targets.flatMap((t) =>
    dedupeKeys(t.entries?.keys ?? []).map((k) => ({ key_kind: k.kind, key_digest: digestOf(k.value), resource_type: t.resourceType, resource_id: t.id })),
  );
}

/** Key rows that were not stored, as taken keys: one per resource and kind. */
export function distinctTaken(rows: readonly Pick<KeyRow, 'key_kind' | 'resource_type' | 'resource_id'>[]): TakenKey[] {
  const taken = rows.map((k) => ({ resourceType: k.resource_type, id: k.resource_id, kind: k.key_kind }));
  return [...new Map(taken.map((t) => [`${t.resourceType}/${t.id}\u0000${t.kind}`, t])).values()];
}

function digestOf(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

function dedupeKeys(keys: UniqueKey[]): UniqueKey[] {
  const seen = new Map(keys.map((k) => [`${k.kind}\u0000${k.value}`, k]));
  return [...seen.values()];
}
