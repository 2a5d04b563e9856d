import type { Repository } from '../repository';
import { runPreparedText } from '../prepared-query';
import { fragment, knexFragment, unionAll, type SqlFragment } from '../sql-fragment';
import { holdsVersion, jsonVersionColumns, type JoinedVersionRow, type JsonVersionRow } from '../stored-json';
import { CriteriaContext, isIndexRowCriterion, matchingIndexRowsSql, type IndexRowCriterion } from './criteria';
import { matching } from './matching';
import type { Criterion, IndexValue, SearchQuery } from './query';
import { applySort } from './sort';
import { indexedByPairs, isCharacterPair } from './character-pairs';

type AnyOfIndexRows = { kind: 'any'; criteria: IndexRowCriterion[] };

type ContainedText = Extract<IndexValue, { text: string }>;

/** "Any of" criteria each of whose members one index row meets, and whose contained texts `found` says an index finds. */
const isFoundAnyOf = (criterion: Criterion, found: (member: IndexRowCriterion, value: ContainedText) => boolean): criterion is AnyOfIndexRows =>
  criterion.kind === 'any' &&
  criterion.criteria.length > 0 &&
  criterion.criteria.every((member) => isIndexRowCriterion(member) && valuesOf(member).every((value) => !isSubstring(value) || found(member, value)));

/**
 * "Any of" criteria of `resourceType` found from an index: their rows name every resource that
 * meets them. A contained text is found through its trigrams, or as a pair of characters where
 * the rows are indexed by their pairs (migration 034).
 */
export const isProbedAnyOf = (criterion: Criterion, resourceType: string): criterion is AnyOfIndexRows =>
  isFoundAnyOf(criterion, (member, value) => hasTrigram(value) || (isCharacterPair(value.text) && indexedByPairs(resourceType, member.table, member.codes)));

/** "Any of" criteria whose contained texts are each found through their trigrams. */
export const isFoundByTrigrams = (criterion: Criterion): boolean => isFoundAnyOf(criterion, (_, value) => hasTrigram(value));

const valuesOf = (criterion: IndexRowCriterion): IndexValue[] => (criterion.kind === 'index' ? criterion.values : criterion.groups.flat());

/**
 * A pattern's trigram index (migration 011) finds the rows containing a text only through a run
 * of three letters or digits in it: for a shorter word it would be read whole, and the probe
 * would read every row of the codes (35–70 ms among 20,000 Practitioners, before any walk).
 */
const TRIGRAM = /[\p{L}\p{N}]{3}/u;
const hasTrigram = (value: ContainedText): boolean => TRIGRAM.test(value.text);
const isSubstring = (value: IndexValue): value is ContainedText => value.type === 'tokenSubstring' || (value.type === 'string' && value.match === 'contains');

/**
 * Up to this many index rows, a criterion's matches are read rather than the sort's order walked:
 * each match costs a `resources` row read, tested and sorted, where the walk tests each resource
 * it passes against a hash of every match. At a million Patients (20,000 Practitioners, the
 * directory's own trigram indexes, migration 033) a word of a few hundred rows took 17–30 ms
 * read from its matches (up to 1,000) and 9–16 ms walked; a rare word 5–6 ms read from its
 * matches and 17–28 ms walked.
 */
const FEW_ROWS = 100;

/**
 * The page (and one row more) of a sorted search with "any of" criteria (the clinician
 * directory's words: a name, a display name or an email containing each), read from the matches
 * of one of them when it has few (`FEW_ROWS`): in one statement, each such criterion's index rows
 * are probed, the first with few enough gives the candidates, and only their `resources` rows
 * are read, tested and sorted. Undefined when the query has no such criterion or each has more
 * matches: the caller walks the sort's order.
 *
 * PostgreSQL cannot turn an `EXISTS` under an `OR` into a join; it walks the sort's order and
 * tests each resource against a hash of every row that matches, until the page is full: a rare
 * word walks every resource. A word no index finds (one letter; two where their pairs are not
 * indexed) is not probed.
 *
 * The statement is prepared for any word: its patterns are all contained texts (the "any of"
 * criteria are the directory's words; its other criteria are tokens and a role's site), which the
 * trigram indexes take when it runs, and the probe's type and codes are in its text, where a plan
 * for any word sees the partial trigram indexes' predicates (migration 033). Planned for each
 * word, the statement cost PostgreSQL ~0.9 ms of parsing and planning against ~0.2 ms of work.
 */
export async function narrowedPage(repo: Repository, resourceType: string, query: SearchQuery): Promise<JsonVersionRow[] | undefined> {
  const probed = query.criteria.filter((criterion): criterion is AnyOfIndexRows => isProbedAnyOf(criterion, resourceType));
  if (probed.length === 0) return undefined;
  const ctx = new CriteriaContext(repo.db, repo.tenantId, { scopeInText: true });
  const candidates = probed.map((criterion) => fewMatches(ctx, resourceType, criterion));
  const firstFew =
    candidates.length === 1 ? candidates[0]! : fragment(`coalesce(${candidates.map((c) => c.sql).join(', ')})`, ...candidates.flatMap((c) => c.bindings));
  // Of one such criterion, the candidates are its matches: it need not be tested again.
  const tested = probed.length === 1 ? query.criteria.filter((criterion) => criterion !== probed[0]) : query.criteria;
  // The candidates first, then their order: asked for the page in creation order at once, the
  // planner may scan the creation-order index once per candidate (its id is not a leading column).
  const candidateRows = matching(repo, resourceType, tested).whereRaw('r.id = ANY (n.ids)').select('r.*');
  const page = repo.db
    .from(repo.db.raw('(? OFFSET 0) AS r', [candidateRows]))
    .select(repo.db.raw(jsonVersionColumns('r')))
    .limit(query.count + 1)
    .offset(query.offset);
  applySort(page, repo.tenantId, resourceType, 'r', query.sort);
  const pageSql = knexFragment(page);
  const rows = await runPreparedText<JoinedVersionRow<{ narrowed: boolean }>>(
    repo.db,
    fragment(
      // Materialized: its one row is read twice, and a subquery in FROM would be probed for each.
      `WITH n AS MATERIALIZED (SELECT ${firstFew.sql} AS ids)
       SELECT n.ids IS NOT NULL AS narrowed, p.* FROM n LEFT JOIN LATERAL (${pageSql.sql}) AS p ON true`,
      ...firstFew.bindings,
      ...pageSql.bindings,
    ),
    { containedPatterns: true },
  );
  return rows[0]?.narrowed ? rows.filter(holdsVersion) : undefined;
}

/** The distinct ids of the resources the criterion's index rows name (none: an empty array), when at most `FEW_ROWS` rows meet it; else NULL. */
function fewMatches(ctx: CriteriaContext, resourceType: string, criterion: AnyOfIndexRows): SqlFragment {
  const rows = unionAll(criterion.criteria.map((member) => matchingIndexRowsSql(ctx, resourceType, member, FEW_ROWS + 1)));
  return fragment(
    `(SELECT coalesce(array_agg(DISTINCT m.resource_id), '{}') FROM (SELECT u.resource_id FROM (${rows.sql}) AS u LIMIT ?) AS m HAVING count(*) <= ?)`,
    ...rows.bindings,
    FEW_ROWS + 1,
    FEW_ROWS,
  );
}
