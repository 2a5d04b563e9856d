import type { Knex } from 'knex';
import type { IndexedParamType } from '../index-rows';
import type { SortKey } from './query';

/** The index column each parameter type sorts by, of its rows aliased `o` (low/high for dates: see below). */
const SORT_COLUMN: Record<IndexedParamType, string> = {
  // In code-point order, whatever the database's collation: the order its index is walked in (walked-sort.ts).
  string: 'o.value_key COLLATE "C"',
  token: 'o.value',
  reference: 'o.reference',
  date: 'o.low',
  number: 'o.value',
  uri: 'o.value',
};

const RESOURCE_COLUMN = { id: 'id', lastUpdated: 'last_updated', created: 'created_at' } as const;

/** Whether the key sorts by a column of `resources` itself, not by a parameter's index rows. */
export const sortsByResourceColumn = (key: SortKey): boolean => key.on in RESOURCE_COLUMN;

/**
 * The direction ties are broken by id in: the last key's, so that a sort by one key descending
 * is its ascending order backwards (bar the resources without a value, last either way), the
 * order its index walks it in (walked-sort.ts).
 */
export function tieOrder(keys: readonly SortKey[]): 'ASC' | 'DESC' {
  return keys.at(-1)?.descending ? 'DESC' : 'ASC';
}

/**
 * Orders by each key in turn, then by id so that pages never overlap or skip.
 * A multi-valued parameter sorts by its smallest value ascending and its largest descending
 * (for dates: earliest start / latest end); resources without a value come last.
 * https://hl7.org/fhir/R4/search.html#sort
 */
export function applySort(qb: Knex.QueryBuilder, tenantId: string, type: string, row: string, keys: SortKey[]): void {
  for (const key of keys) {
    const direction = key.descending ? 'DESC' : 'ASC';
    if (sortsByResourceColumn(key)) {
      qb.orderByRaw(`?? ${direction}`, [`${row}.${RESOURCE_COLUMN[key.on as keyof typeof RESOURCE_COLUMN]}`]);
      continue;
    }
    const on = key.on as IndexedParamType;
    const aggregate = key.descending ? 'max' : 'min';
    const column = on === 'date' && key.descending ? 'o.high' : SORT_COLUMN[on];
    qb.orderByRaw(
      `(SELECT ${aggregate}(${column}) FROM ?? o WHERE o.tenant_id = ? AND o.resource_type = ? AND o.resource_id = ?? AND o.code IN (${key.codes.map(() => '?').join(', ')})) ${direction} NULLS LAST`,
      [`search_${on}`, tenantId, type, `${row}.id`, ...key.codes],
    );
  }
  qb.orderByRaw(`?? ${tieOrder(keys)}`, [`${row}.id`]);
}
