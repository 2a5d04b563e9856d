import type { Knex } from 'knex';
import { runPreparedText } from '../prepared-query';
import type { Repository } from '../repository';
import type { StoredVersion } from '../rows';
import { holdsVersion, jsonVersionColumns, versionOfJsonRow, type JoinedVersionRow, type JsonVersionRow } from '../stored-json';
import { CriteriaContext, isIndexRowCriterion, matchingIndexRows, matchingIndexRowsSql, type RowCriterion } from './criteria';
import { findIncluded, firstRoundOfPage, type SpecRow } from './include';
import { countOf, countRows, matching } from './matching';
import type { IncludeSpec, SearchQuery } from './query';
import { applySort } from './sort';
import { fragment, knexFragment, type SqlFragment } from '../sql-fragment';
import { chainByTarget, chainPageByTarget, chainWalk, type ChainByTarget } from './chain-by-target';
import { pageByWalkedSort, walkedSort } from './walked-sort';
import { narrowedPage } from './narrowed-page';
import { pageAmongFirst } from './page-among-first';

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

/** Matching index rows read to find a page and count from the index alone, when no count bound says otherwise. */
const INDEX_PROBE_ROWS = 1000;

/**
 * A chain walked by its targets (`chainByTarget`) counts at most this many matches unless the
 * client asks for an accurate total: each target it passes is a descent of the reference index,
 * where a thousand matches of one criterion are a few pages of one index. At a million Patients,
 * counting a two-letter family's orders up to 1,000 read ~1,200 index pages from the disk, 140–155
 * ms of a 160–175 ms search, only to leave the total out.
 */
const CHAIN_COUNT_BOUND = 100;

/** The query with its count bound lowered to a chain's, when it is walked by its targets. */
const boundedForChain = (query: SearchQuery, byTarget: ChainByTarget | undefined): SearchQuery =>
  byTarget && query.countUpTo ? { ...query, countUpTo: { ...query.countUpTo, limit: Math.min(query.countUpTo.limit, CHAIN_COUNT_BOUND) } } : query;

/**
 * Runs a search over the tenant's current resources of one type, reading only the index
 * tables and the `resources` columns. https://hl7.org/fhir/R4/search.html
 *
 * A search by one index criterion first reads its first matching index rows alone: when they
 * are all of them (a selective search), they give the count and the page's ids, and only the
 * page's resources are read, in the same statement. Joining `resources` would read the row of
 * every match.
 */
export async function searchResources(repo: Repository, resourceType: string, asked: SearchQuery): Promise<SearchResult> {
  const sole = soleRowCriterion(asked);
  const pagedByIndex = asked.count > 0 && asked.sort.length === 0;
  const byTarget = sole && asked.sort.length === 0 ? chainByTarget(sole) : undefined;
  const query = boundedForChain(asked, byTarget);
  const probe = { withPage: pagedByIndex, byTarget, limit: query.countUpTo?.limit ?? INDEX_PROBE_ROWS, include: query.include };
  const seen = sole && (query.countTotal || pagedByIndex) ? await firstIndexMatches(repo, resourceType, sole, query, probe) : undefined;
  if (query.count === 0)
    return { versions: [], total: query.countTotal ? await countMatches(repo, resourceType, query, seen) : undefined, more: false, included: [] };
  const { rows, more } = await pageOfResources(repo, resourceType, query, sole, seen, byTarget);
  // The last page, if it holds anything (or is the first), tells the total without counting.
  const counted = !more && (rows.length > 0 || query.offset === 0) ? query.offset + rows.length : undefined;
  const total = query.countTotal ? (counted ?? (await countMatches(repo, resourceType, query, seen))) : undefined;
  const versions = rows.map(versionOfJsonRow);
  // The probe's first round of includes is there only when the page is the probe's.
  const included = await findIncluded(repo, versions, query.include, seen?.firstRound);
  return { versions, total, more, included };
}

/**
 * The search's one criterion, when one index row meets it or not (a chain: one reference row):
 * its rows stand for the resources it matches, so the page is cut from them before any
 * `resources` row is read.
 */
function soleRowCriterion(query: SearchQuery): RowCriterion | undefined {
  const [only] = query.criteria;
  if (query.criteria.length !== 1 || !only) return undefined;
  return only.kind === 'chain' || isIndexRowCriterion(only) ? only : undefined;
}

/** A page of resources in the query's order, and whether more follow it. */
interface ResourcePage {
  rows: JsonVersionRow[];
  more: boolean;
}

/** The page of rows read with one row more, which tells whether more follow. */
const pageOfOneMore = (rows: JsonVersionRow[], count: number): ResourcePage => ({ rows: rows.slice(0, count), more: rows.length > count });

/** The query's page: the probe's when its rows hold it, else read with one row more. */
async function pageOfResources(
  repo: Repository,
  resourceType: string,
  query: SearchQuery,
  sole: RowCriterion | undefined,
  seen: IndexMatches | undefined,
  byTarget: ChainByTarget | undefined,
): Promise<ResourcePage> {
  if (seen?.page) return seen.page;
  if (sole && byTarget) return chainPageAfterProbe(repo, resourceType, sole, byTarget, query);
  return pageOfOneMore(await rowsWithOneMore(repo, resourceType, query, sole, seen), query.count);
}

/** The page and one row more, in the query's order. */
async function rowsWithOneMore(
  repo: Repository,
  resourceType: string,
  query: SearchQuery,
  sole: RowCriterion | undefined,
  seen: IndexMatches | undefined,
): Promise<JsonVersionRow[]> {
  const columns = repo.db.raw(jsonVersionColumns('r'));
  if (!sole || query.sort.length > 0) {
    // Many matches: none to narrow them, or more than the probe read.
    const broad = query.criteria.length === 0 || (seen !== undefined && !seen.all);
    const walked = walkedSort(query, broad);
    if (walked) return pageByWalkedSort(repo, resourceType, query, walked);
    const narrowed = (await narrowedPage(repo, resourceType, query)) ?? (await pageAmongFirst(repo, resourceType, query));
    if (narrowed) return narrowed;
    const page = matching(repo, resourceType, query.criteria)
      .select(columns)
      .limit(query.count + 1)
      .offset(query.offset);
    applySort(page, repo.tenantId, resourceType, 'r', query.sort);
    return page;
  }
  // Ordered by id in the index rows themselves, so that only the page's resources are read.
  const ids = matchingIndexRows(new CriteriaContext(repo.db, repo.tenantId), resourceType, sole, true)
    .clearSelect()
    .distinct('s.resource_id')
    .orderBy('s.resource_id')
    .limit(query.count + 1)
    .offset(query.offset);
  return matching(repo, resourceType, []).whereIn('r.id', ids).select(columns).orderBy('r.id');
}

async function countMatches(repo: Repository, resourceType: string, query: SearchQuery, seen: IndexMatches | undefined): Promise<number | undefined> {
  if (seen?.all) return seen.resources;
  const bound = query.countUpTo;
  if (!bound) return countRows(repo, matching(repo, resourceType, query.criteria).select('r.id'));
  // Rows beyond the bound may all be one resource's: then only counting resources tells.
  if (seen && seen.resources > bound.limit) return bound.beyond === 'omit' ? undefined : estimatedBeyond(repo, resourceType, query, bound.limit);
  const firstMatches = matching(repo, resourceType, query.criteria)
    .select('r.id')
    .limit(bound.limit + 1);
  if (bound.beyond === 'omit' && bound.costLimit !== undefined && (await planOf(repo, countOf(repo, firstMatches.clone()))).cost > bound.costLimit)
    return undefined;
  const counted = await countRows(repo, firstMatches);
  if (counted <= bound.limit) return counted;
  return bound.beyond === 'omit' ? undefined : estimatedBeyond(repo, resourceType, query, bound.limit);
}

/** `_total=estimate` past the counting bound: the planner's estimate, never below what was counted. */
async function estimatedBeyond(repo: Repository, resourceType: string, query: SearchQuery, limit: number): Promise<number> {
  return Math.max(limit + 1, (await planOf(repo, matching(repo, resourceType, query.criteria).select('r.id'))).rows);
}

interface IndexMatches {
  /** How many resources the first matching index rows name. */
  resources: number;
  /** Whether those rows were every matching row. */
  all: boolean;
  /**
   * When the page was asked for and those rows hold it: the resources of the query's page, in
   * the search's order. In id order they hold it when they were every matching row; in a chain's
   * order by target (`chainByTarget`), also when they name more resources than the page reaches,
   * as the walk's first rows place its first resources. Either way the resources they name tell
   * whether more follow the page, so no resource past it is read (at a million Patients each
   * costs a read of its index page and its row from the disk).
   */
  page?: ResourcePage;
  /** With `page`: the first round of the query's includes, from the page's resources (`ProbeOptions.include`). */
  firstRound?: SpecRow[];
}

/** The probe's counts, on each of its rows. */
interface ProbeCounts {
  matched_resources: string | number;
  matched_rows: string | number;
  /** With the page asked for: whether the rows hold it (`IndexMatches.page`). */
  holds_page?: boolean;
}

/** A row of the page's resources: the resource's position in the page, from 1. */
interface PagePlace {
  place: number;
}

/**
 * A chain's page past what its probe read, in its order by target: the walk's first rows again,
 * twice as many as the page reaches, which hold it unless resources repeat among them (a target
 * with two matching names) more than that margin allows; then every match, each placed at its
 * first position. Deep into a broad chain, every match is many (at a million Patients, a prefix
 * of 46,573 Patients and their orders: 0.4–0.5 s at `_offset=1000`, against 24–45 ms so).
 */
async function chainPageAfterProbe(
  repo: Repository,
  resourceType: string,
  chain: RowCriterion,
  byTarget: ChainByTarget,
  query: SearchQuery,
): Promise<ResourcePage> {
  const further = await firstIndexMatches(repo, resourceType, chain, query, { withPage: true, byTarget, limit: 2 * (query.offset + query.count), include: [] });
  if (further.page) return further.page;
  const rows = await runPreparedText<JsonVersionRow>(
    repo.db,
    chainPageByTarget(new CriteriaContext(repo.db, repo.tenantId, { forAnyValue: true }), resourceType, byTarget, query.offset, query.count),
  );
  return pageOfOneMore(rows, query.count);
}

/** What a probe reads and answers. */
interface ProbeOptions {
  /** Whether the page's resources are asked for (when the rows hold the page). */
  withPage: boolean;
  /** A chain answered in its targets' order: its rows are read in that order. */
  byTarget: ChainByTarget | undefined;
  /** How many rows tell that there are more: `limit` + 1 are read. */
  limit: number;
  /** With the page: includes whose first round comes in the same statement. */
  include: IncludeSpec[];
}

/**
 * The first `limit` + 1 index rows that meet the criterion, by its value index: how many
 * resources they name, and the ids of the query's page among them. A resource has index rows
 * only while it is live, so no `resources` row is read for the count. With `withPage`, when
 * those rows hold the page (`IndexMatches.page`), the page's resources come back in the same
 * statement (a round trip less for every selective search); otherwise one row comes back, and
 * no resource is read.
 */
async function firstIndexMatches(
  repo: Repository,
  resourceType: string,
  criterion: RowCriterion,
  query: SearchQuery,
  { withPage, byTarget, limit, include }: ProbeOptions,
): Promise<IndexMatches> {
  const { db, tenantId } = repo;
  const ctx = new CriteriaContext(db, tenantId, { forAnyValue: true });
  const rows = probedRows(ctx, resourceType, criterion, byTarget, limit + 1);
  // A resource's place: its id, or its first position in a walk by target.
  const place = byTarget ? 'min(m.pos)' : 'm.resource_id';
  const probe = fragment(
    `SELECT count(*) AS matched_resources, coalesce(sum(g.rows), 0) AS matched_rows, (array_agg(g.resource_id ORDER BY g.place))[?::int : ?::int] AS page
     FROM (SELECT m.resource_id, count(*) AS rows, ${place} AS place FROM (${rows.sql}) AS m GROUP BY m.resource_id) AS g`,
    query.offset + 1,
    query.offset + query.count,
    ...rows.bindings,
  );
  // Whether the rows hold the page (`IndexMatches.page`).
  const holdPage = byTarget
    ? fragment('(q.matched_rows <= ? OR q.matched_resources > ?)', limit, query.offset + query.count)
    : fragment('q.matched_rows <= ?', limit);
  // The page's resources inside the join's key, not beside it: as a join filter it was checked after the page's rows had been read.
  // Each comes with its place in the page, and the server puts them in order: a sort in PostgreSQL
  // copied each resource's row, its stored JSON and all, once more.
  const answer = withPage
    ? fragment(
        `SELECT p.matched_resources, p.matched_rows, p.holds_page, array_position(p.page, r.id) AS place, ${jsonVersionColumns('r')}
         FROM (SELECT q.*, ${holdPage.sql} AS holds_page FROM (${probe.sql}) AS q) AS p
         LEFT JOIN resources AS r ON r.id = ANY (CASE WHEN p.holds_page THEN p.page END)
           AND r.tenant_id = ? AND r.resource_type = ? AND NOT r.deleted`,
        ...holdPage.bindings,
        ...probe.bindings,
        tenantId,
        resourceType,
      )
    : probe;
  const firstRound = withPage && include.length > 0 ? firstRoundOfPage(repo, include, resourceType, PAGE_IDS) : undefined;
  const found = await runPreparedText<ProbedRow>(db, firstRound ? withFirstRound(answer, firstRound) : answer);
  const pageRows = firstRound ? found.filter((row) => row.spec === null) : found;
  const counts = pageRows[0];
  const resources = Number(counts?.matched_resources ?? 0);
  const page = counts?.holds_page
    ? { rows: pageRows.filter(holdsVersion).sort((a, b) => a.place - b.place), more: resources > query.offset + query.count }
    : undefined;
  return {
    resources,
    all: Number(counts?.matched_rows ?? 0) <= limit,
    page,
    firstRound: page && firstRound ? found.filter((row): row is SpecRow & ProbedRow => row.spec !== null) : undefined,
  };
}

/** A row of the probe's answer: the counts and a page resource, or (`spec` set) a resource the page's first round of includes brings in. */
type ProbedRow = JoinedVersionRow<ProbeCounts & PagePlace> & { spec?: number | null };

/** The ids of the page's resources, in `withFirstRound`'s statement. */
const PAGE_IDS = fragment('ARRAY(SELECT page.id FROM page WHERE page.id IS NOT NULL)');

/**
 * The probe's answer and the first round of includes from its page (`pageIds`) in one
 * statement: the round's rows after the page's, their counts and place null, `spec` set.
 */
function withFirstRound(answer: SqlFragment, round: SqlFragment): SqlFragment {
  return fragment(
    `WITH page AS MATERIALIZED (${answer.sql})
     SELECT page.*, NULL::int AS spec FROM page
     UNION ALL
     SELECT NULL::bigint, NULL::numeric, NULL::boolean, NULL::int, linked.* FROM (${round.sql}) AS linked`,
    ...answer.bindings,
    ...round.bindings,
  );
}

/** The first `limit` index rows that meet the criterion, by its value index, or a chain's by target (with their positions). */
function probedRows(ctx: CriteriaContext, resourceType: string, criterion: RowCriterion, byTarget: ChainByTarget | undefined, limit: number): SqlFragment {
  if (byTarget) {
    const walk = chainWalk(ctx, resourceType, byTarget);
    return fragment(`${walk.sql} LIMIT ?`, ...walk.bindings, limit);
  }
  if (isIndexRowCriterion(criterion)) return matchingIndexRowsSql(ctx, resourceType, criterion, limit);
  return knexFragment(matchingIndexRows(ctx, resourceType, criterion).limit(limit));
}

/** The planner's estimate of a query: its rows and its total cost. */
async function planOf(repo: Repository, query: Knex.QueryBuilder): Promise<{ rows: number; cost: number }> {
  const { sql, bindings } = query.toSQL();
  const result = (await repo.db.raw(`EXPLAIN (FORMAT JSON) ${sql}`, bindings)) as { rows: Record<string, unknown>[] };
  const plan = Object.values(result.rows[0] ?? {})[0];
  const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan?: { 'Plan Rows'?: number; 'Total Cost'?: number } }[];
  return { rows: Math.round(parsed[0]?.Plan?.['Plan Rows'] ?? 0), cost: parsed[0]?.Plan?.['Total Cost'] ?? 0 };
}
