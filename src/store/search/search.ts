import type { Knex } from 'knex';
import type { Repository } from '../repository';
import { toStoredVersion, type StoredVersion, type VersionRow } from '../rows';
import { applyCriterion, CriteriaContext, matchingIndexRows } from './criteria';
import { findIncluded } from './include';
import type { Criterion, SearchQuery } from './query';
import { applySort } from './sort';

export interface SearchResult {
  /** The page of matches, in order. */
  versions: StoredVersion[];
  /** All matches, when the query asked for the count. */
  total?: number;
  /** Whether more matches follow this page (known without counting). */
  more: boolean;
  /** Resources brought in by _include/_revinclude, not matches themselves. */
  included: StoredVersion[];
}

/**
 * Runs a search over the tenant's current resources of one type, reading only the index
 * tables and the `resources` columns. https://hl7.org/fhir/R4/search.html
 */
export async function searchResources(repo: Repository, resourceType: string, query: SearchQuery): Promise<SearchResult> {
  if (query.count === 0)
    return { versions: [], total: query.countTotal ? await countMatches(repo, resourceType, query) : undefined, more: false, included: [] };
  const page = matching(repo, resourceType, query.criteria)
    .select('r.*')
    .limit(query.count + 1)
    .offset(query.offset);
  applySort(page, repo.tenantId, resourceType, 'r', query.sort);
  const rows: VersionRow[] = await page;
  const more = rows.length > query.count;
  // The last page, if it holds anything (or is the first), tells the total without counting.
  const counted = !more && (rows.length > 0 || query.offset === 0) ? query.offset + rows.length : undefined;
  const total = query.countTotal ? (counted ?? (await countMatches(repo, resourceType, query))) : undefined;
  const versions = rows.slice(0, query.count).map(toStoredVersion);
  const included = await findIncluded(repo, versions, query.include);
  return { versions, total, more, included };
}

async function countMatches(repo: Repository, resourceType: string, query: SearchQuery): Promise<number | undefined> {
  const bound = query.countUpTo;
  if (!bound) return countRows(repo, matching(repo, resourceType, query.criteria).select('r.id'));
  const counted =
    (await countFromIndex(repo, resourceType, query.criteria, bound.limit)) ??
    (await countRows(
      repo,
      matching(repo, resourceType, query.criteria)
        .select('r.id')
        .limit(bound.limit + 1),
    ));
  if (counted <= bound.limit) return counted;
  if (bound.beyond === 'omit') return undefined;
  return Math.max(bound.limit + 1, await plannedRows(repo, matching(repo, resourceType, query.criteria).select('r.id')));
}

/**
 * The bounded count of a search whose one criterion is a plain index match, from that index
 * alone: its first `limit` + 1 matching rows, by the value index, and how many resources they
 * name. A join with `resources` would read every match of a broad criterion (a hash or merge
 * over all of them) before counting the first few. Undefined for any other search, and when the
 * rows seen are too few resources to tell (one resource matched through several rows).
 */
async function countFromIndex(repo: Repository, resourceType: string, criteria: Criterion[], limit: number): Promise<number | undefined> {
  const [only] = criteria;
  if (criteria.length !== 1 || only?.kind !== 'index' || only.negate) return undefined;
  const rows = matchingIndexRows(new CriteriaContext(repo.db, repo.tenantId), resourceType, only).limit(limit + 1);
  const [seen] = (await repo.db.from(rows.as('m')).select(repo.db.raw('count(*) AS rows, count(DISTINCT resource_id) AS resources'))) as {
    rows: string | number;
    resources: string | number;
  }[];
  const [found, resources] = [Number(seen?.rows ?? 0), Number(seen?.resources ?? 0)];
  // Every matching row seen, or more than `limit` resources among them: either way the count is known.
  return found <= limit || resources > limit ? resources : undefined;
}

async function countRows(repo: Repository, rows: Knex.QueryBuilder): Promise<number> {
  const [row] = (await repo.db.from(rows.as('m')).count({ count: '*' })) as { count: string | number }[];
  return Number(row?.count ?? 0);
}

/** The planner's estimate of a query's rows: what `_total=estimate` reports past the counting bound. */
async function plannedRows(repo: Repository, rows: Knex.QueryBuilder): Promise<number> {
  const { sql, bindings } = rows.toSQL();
  const result = (await repo.db.raw(`EXPLAIN (FORMAT JSON) ${sql}`, bindings)) as { rows: Record<string, unknown>[] };
  const plan = Object.values(result.rows[0] ?? {})[0];
  const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan?: { 'Plan Rows'?: number } }[];
  return Math.round(parsed[0]?.Plan?.['Plan Rows'] ?? 0);
}

/** The tenant's live resources of the type that meet every criterion, aliased `r`. */
function matching(repo: Repository, resourceType: string, criteria: Criterion[]) {
  const ctx = new CriteriaContext(repo.db, repo.tenantId);
  const qb = repo.db('resources as r').where({ 'r.tenant_id': repo.tenantId, 'r.resource_type': resourceType, 'r.deleted': false });
  for (const criterion of criteria) applyCriterion(ctx, qb, { type: resourceType, row: 'r' }, criterion);
  return qb;
}
