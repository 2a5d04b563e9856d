import type { Knex } from 'knex';
import { INDEXED_PREFIX_CHARS } from '../../migrations/009_bounded_index_keys';
import type { IndexRows } from './index-rows';
import { preparedStatement, runPrepared } from './prepared-query';

type Db = Knex | Knex.Transaction;
type ReferenceRow = IndexRows['reference'][number];

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

const ADOPT_LOGICAL_REFERENCES = preparedStatement(
  'fhir_adopt_logical_references',
  `UPDATE search_reference r SET target_id = i.id
   FROM jsonb_to_recordset(?::jsonb) AS i(type text, id text, system text, value text)
   WHERE r.tenant_id = ? AND r.target_type = i.type AND r.target_id IS NULL AND r.identifier_value IS NOT NULL
     AND ${PREFIX('r.identifier_value')} = ${PREFIX('i.value')} AND r.identifier_value = i.value
     AND (r.identifier_system IS NULL OR r.identifier_system = i.system)
     AND NOT EXISTS (
       SELECT 1 FROM search_token t
       WHERE t.tenant_id = r.tenant_id AND t.resource_type = r.target_type AND t.code = ? AND t.resource_id <> i.id
         AND ${PREFIX('t.value')} = ${PREFIX('r.identifier_value')} AND t.value = r.identifier_value
         AND (r.identifier_system IS NULL OR t.system = r.identifier_system))`,
);

/**
 * Resources just written become the target of the unresolved logical references to their type
 * that name one of their identifiers — unless another live resource of that type holds the same
 * identifier, which leaves them ambiguous (unresolved), as at write time. One statement for all.
 */
export async function adoptLogicalReferences(
  db: Db,
  tenantId: string,
  targets: readonly { resourceType: string; id: string; tokens: IndexRows['token'] }[],
): Promise<void> {
  const identifiers = targets.flatMap(({ resourceType, id, tokens }) =>
    tokens.filter((t) => t.code === IDENTIFIER_CODE && t.value !== null).map((t) => ({ resourceType, id, system: t.system, value: t.value as string })),
  );
  if (identifiers.length === 0) return;
  const list = identifiers.map((i) => ({ type: i.resourceType, id: i.id, system: i.system, value: i.value }));
  await runPrepared(db, ADOPT_LOGICAL_REFERENCES, [JSON.stringify(list), tenantId, IDENTIFIER_CODE]);
}
