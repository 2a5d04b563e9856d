import type { Knex } from 'knex';
import { INDEXED_PREFIX_CHARS } from '../../migrations/009_bounded_index_keys';
import type { IndexRows } from './index-rows';
import { preparedStatement, runPrepared } from './prepared-query';

type Db = Knex | Knex.Transaction;
export type ReferenceRow = IndexRows['reference'][number];

/** The token rows of the `identifier` search parameter: what a logical reference is resolved against. */
const IDENTIFIER_CODE = 'identifier';
const PREFIX = (column: string): string => `left(${column}, ${INDEXED_PREFIX_CHARS})`;

/**
 * Resolves each logical reference (identifier and target type, no id) to the one live resource
 * of that type holding the identifier; with none or several it stays unresolved. A reference
 * without a system matches the identifier value in any system.
 */
export async function resolveLogicalReferences(db: Db, tenantId: string, rows: ReferenceRow[]): Promise<ReferenceRow[]> {
  const resolved: ReferenceRow[] = [];
  for (const row of rows) {
    if (row.target_id !== null || row.target_type === null || row.identifier_value === null) {
      resolved.push(row);
      continue;
    }
    const query = db('search_token')
      .distinct('resource_id')
      .where({ tenant_id: tenantId, resource_type: row.target_type, code: IDENTIFIER_CODE })
      .whereRaw(`${PREFIX('value')} = ${PREFIX('?')}`, [row.identifier_value])
      .andWhere('value', row.identifier_value)
      .limit(2);
    if (row.identifier_system !== null) query.andWhere('system', row.identifier_system);
    const holders: { resource_id: string }[] = await query;
    resolved.push(holders.length === 1 && holders[0] ? { ...row, target_id: holders[0].resource_id } : row);
  }
  return resolved;
}

/**
 * The adoption as SQL with two bindings (the identifiers as jsonb, tenant): a statement, or a
 * CTE of a larger one. The identifier code is written into the text, not bound: a prepared
 * statement's generic plan would not know it and estimate thousands of token rows per
 * identifier, so PostgreSQL would plan every execution of the statements that hold this afresh.
 */
export const ADOPT_SQL = `UPDATE search_reference r SET target_id = i.id
   FROM jsonb_to_recordset(?::jsonb) AS i(type text, id text, system text, value text)
   WHERE r.tenant_id = ? AND r.target_type = i.type AND r.target_id IS NULL AND r.identifier_value IS NOT NULL
     AND ${PREFIX('r.identifier_value')} = ${PREFIX('i.value')} AND r.identifier_value = i.value
     AND (r.identifier_system IS NULL OR r.identifier_system = i.system)
     AND NOT EXISTS (
       SELECT 1 FROM search_token t
       WHERE t.tenant_id = r.tenant_id AND t.resource_type = r.target_type AND t.code = '${IDENTIFIER_CODE}' AND t.resource_id <> i.id
         AND ${PREFIX('t.value')} = ${PREFIX('r.identifier_value')} AND t.value = r.identifier_value
         AND (r.identifier_system IS NULL OR t.system = r.identifier_system))`;

const ADOPT_LOGICAL_REFERENCES = preparedStatement('fhir_adopt_logical_references', ADOPT_SQL);

/**
 * `ADOPT_SQL` leaving one resource's own reference rows alone, two more bindings (its type and
 * id): a CTE beside the one deleting those rows, which must not also update them.
 */
export const ADOPT_BY_OTHERS_SQL = `${ADOPT_SQL} AND (r.resource_type, r.resource_id) <> (?::text, ?::text)`;

/** An identifier of a resource just written, as the adoption matches it. */
export interface IdentifierHolder {
  type: string;
  id: string;
  system: string | null;
  value: string;
}

/** The bindings of `ADOPT_SQL` for these identifiers. */
export const adoptBindings = (tenantId: string, identifiers: readonly IdentifierHolder[]): unknown[] => [JSON.stringify(identifiers), tenantId];

/** The identifiers (token rows of `identifier`) of resources just written. */
export function identifiersOf(targets: readonly { resourceType: string; id: string; tokens: IndexRows['token'] }[]): IdentifierHolder[] {
  return targets.flatMap(({ resourceType, id, tokens }) =>
    tokens.filter((t) => t.code === IDENTIFIER_CODE && t.value !== null).map((t) => ({ type: resourceType, id, system: t.system, value: t.value as string })),
  );
}

/**
 * Resources just written become the target of the unresolved logical references to their type
 * that name one of their identifiers — unless another live resource of that type holds the same
 * identifier, which leaves them ambiguous (unresolved), as at write time. One statement for all;
 * it must see the index rows just written.
 */
export async function adoptLogicalReferences(db: Db, tenantId: string, identifiers: readonly IdentifierHolder[]): Promise<void> {
  if (identifiers.length === 0) return;
  await runPrepared(db, ADOPT_LOGICAL_REFERENCES, adoptBindings(tenantId, identifiers));
}

/**
 * The identifiers the adoption goes by in the same statement as the batch's own index rows,
 * which it does not see; undefined when it must run after them. An identifier (one system and
 * value) that several resources of the batch hold is ambiguous once the batch is written, as a
 * second holder makes it at any write, so no reference adopts it: it is left out. The batch's
 * rows must be seen when its resources hold one value under different systems (a reference
 * without a system would match each) or one of its unresolved logical references names an
 * identifier of the batch.
 */
export function sameStatementAdoption(identifiers: readonly IdentifierHolder[], references: readonly ReferenceRow[]): IdentifierHolder[] | undefined {
  const byValue = new Map<string, IdentifierHolder[]>();
  for (const holder of identifiers) {
    const key = `${holder.type}\u0000${holder.value}`;
    const holders = byValue.get(key);
    if (holders) holders.push(holder);
    else byValue.set(key, [holder]);
  }
  const adoptable: IdentifierHolder[] = [];
  for (const holders of byValue.values()) {
    if (new Set(holders.map((h) => h.id)).size === 1) adoptable.push(...holders);
    else if (new Set(holders.map((h) => h.system)).size > 1) return undefined;
  }
  const namesOwn = references.some(
    (r) => r.target_id === null && r.target_type !== null && r.identifier_value !== null && byValue.has(`${r.target_type}\u0000${r.identifier_value}`),
  );
  return namesOwn ? undefined : adoptable;
}
