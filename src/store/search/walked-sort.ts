import type { Knex } from 'knex';
import type { Repository } from '../repository';
import { jsonVersionColumns, type JsonVersionRow } from '../stored-json';
import { countRows, matching } from './matching';
import type { SearchQuery, SortKey } from './query';

/** How the rows of one parameter type are walked in a sort's order, from an index that holds it. */
interface SortWalk {
  table: 'date' | 'string';
  column: string;
  /** The operator that holds when one row comes before another. */
  before: string;
  /** The ORDER BY direction, or `USING` the operator the index is ordered by. */
  order: string;
}

/**
 * Dates by their earliest start ascending and their latest end descending (the two btrees of
 * `search_date`); strings by their bounded key in code-point order (`search_string_value_key`,
 * a `text_pattern_ops` index, orders by `~<~`). https://hl7.org/fhir/R4/search.html#sort
 */
function walkOf(key: SortKey): SortWalk | undefined {
  if (key.codes.length !== 1) return undefined;
  if (key.on === 'date')
    return { table: 'date', column: key.descending ? 'high' : 'low', before: key.descending ? '>' : '<', order: key.descending ? 'DESC' : 'ASC' };
  if (key.on !== 'string') return undefined;
  const before = key.descending ? '~>~' : '~<~';
  return { table: 'string', column: 'value_key', before, order: `USING ${before}` };
}

type WalkedSort = { key: SortKey; walk: SortWalk };

/** The query's sort, when it is by one date or string parameter of one code: an index holds its order. */
export function walkedSort(query: SearchQuery): WalkedSort | undefined {
  const [key] = query.sort;
  const walk = query.sort.length === 1 && key ? walkOf(key) : undefined;
  return key && walk ? { key, walk } : undefined;
}

/**
 * The page of a search sorted by one parameter (and one row more): the resources with a value,
 * walked from the parameter's index in the sort's order, then those without one, in id order.
 * Ordering every match by a subquery of its rows read all of them before the first: at
 * 100,000 Patients `ServiceRequest?_sort=-authored` took 1.4 s and `Patient?_sort=family` 2.6 s;
 * the planner may now stop after the page, or still sort the matches of a narrow search.
 */
export async function pageByWalkedSort(repo: Repository, resourceType: string, query: SearchQuery, sort: WalkedSort): Promise<JsonVersionRow[]> {
  const wanted = query.count + 1;
  const columns = repo.db.raw(jsonVersionColumns('r'));
  const page = (await withValue(repo, resourceType, query, sort).select(columns).limit(wanted).offset(query.offset)) as JsonVersionRow[];
  if (page.length === wanted) return page;
  // Past the last resource with a value. When the offset passed it, how far.
  const valued =
    page.length > 0 || query.offset === 0
      ? query.offset + page.length
      : await countRows(repo, withValue(repo, resourceType, query, sort).clearOrder().select('r.id').limit(query.offset));
  const withoutValue = matching(repo, resourceType, [...query.criteria, { kind: 'missing', table: sort.walk.table, codes: sort.key.codes, missing: true }]);
  const rest = (await withoutValue
    .select(columns)
    .orderBy('r.id')
    .limit(wanted - page.length)
    .offset(Math.max(0, query.offset - valued))) as JsonVersionRow[];
  return [...page, ...rest];
}

/**
 * The matches that have a value, each by the one row that places it (alias `placed`), in the
 * sort's order and then by id. Of rows that tie within one resource, the first in the heap
 * places it, so that each resource is walked once.
 */
function withValue(repo: Repository, resourceType: string, query: SearchQuery, { key, walk }: WalkedSort): Knex.QueryBuilder {
  const { column, before } = walk;
  const rival = repo.db
    .from(`search_${walk.table} as rival`)
    .select(repo.db.raw('1'))
    .whereRaw(
      'rival.tenant_id = placed.tenant_id AND rival.resource_type = placed.resource_type AND rival.resource_id = placed.resource_id AND rival.code = placed.code',
    )
    .whereRaw(`(rival.?? ${before} placed.?? OR (rival.?? = placed.?? AND rival.ctid < placed.ctid))`, [column, column, column, column]);
  return matching(repo, resourceType, query.criteria)
    .join(`search_${walk.table} as placed`, (on) =>
      on.on('placed.tenant_id', 'r.tenant_id').andOn('placed.resource_type', 'r.resource_type').andOn('placed.resource_id', 'r.id'),
    )
    .where('placed.code', key.codes[0])
    .whereNotExists(rival)
    .orderByRaw(`placed.?? ${walk.order}`, [column])
    .orderBy('r.id', 'asc');
}
