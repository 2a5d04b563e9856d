import type { Repository } from '../repository';
import { jsonVersionColumns, type JsonVersionRow } from '../stored-json';
import { applyCriterion, CriteriaContext } from './criteria';
import { matching } from './matching';
import { isFoundByTrigrams, isProbedAnyOf } from './narrowed-page';
import type { SearchQuery } from './query';
import { applySort, sortsByResourceColumn } from './sort';

/** How many of the type's resources, in the sort's order, the page is first looked for among. */
const FIRST_RESOURCES = 1000;
/**
 * How many, when a word is found by its pairs of characters (migration 034): the walk then
 * hashes only the rows holding it, cheaper than the first resources' probes unless a tenth or so
 * of them hold it. At 20,000 Practitioners, `pr`: the failed probes of the first 1,000 took 13 ms
 * and the walk after them 7; `le`, in every email: walked at once 52 ms, among the first 200 11.
 */
const FIRST_RESOURCES_BEFORE_A_WALK_BY_PAIRS = 200;

/**
 * The page (and one row more) of a search whose "any of" criteria no trigram finds the matches of
 * (the clinician directory's words, when each has one or two letters), when there are more
 * resources than it looks among (`FIRST_RESOURCES`, or `FIRST_RESOURCES_BEFORE_A_WALK_BY_PAIRS`)
 * and those first in the sort's order hold it; else undefined, and the caller walks them all.
 *
 * The walk tests each resource against a hash of every row that meets the criterion, built
 * before its first resource: for a word of one letter, every name and email row of the type (a
 * request took ~35–60 ms at 20,000 Practitioners, ~80–125 ms among a million Patients), for one
 * of two letters the rows holding it, found by their pairs of characters (migration 034; the
 * probe, `narrowedPage`, has already found more than a page's worth), though a common word fills
 * the page within its first hundred resources. Here each of the first resources is tested by
 * probing its own rows; a word they hold too few of costs their probes before the walk.
 * When a word a trigram finds is among the criteria, the hash is built from its matches alone and
 * the walk stays. Only for sorts by a `resources` column, whose first resources an index gives.
 */
export async function pageAmongFirst(repo: Repository, resourceType: string, query: SearchQuery): Promise<JsonVersionRow[] | undefined> {
  const wanted = query.count + 1;
  const anyOf = query.criteria.filter((criterion) => criterion.kind === 'any');
  const among = anyOf.some((criterion) => isProbedAnyOf(criterion, resourceType)) ? FIRST_RESOURCES_BEFORE_A_WALK_BY_PAIRS : FIRST_RESOURCES;
  if (anyOf.length === 0 || anyOf.some(isFoundByTrigrams) || !query.sort.every(sortsByResourceColumn) || query.offset + wanted > among) return undefined;
  const first = matching(repo, resourceType, []).select('r.*').limit(among);
  applySort(first, repo.tenantId, resourceType, 'r', query.sort);
  const ctx = new CriteriaContext(repo.db, repo.tenantId, { eachResource: true });
  const page = repo.db.from(first.as('r')).select(repo.db.raw(jsonVersionColumns('r')));
  for (const criterion of query.criteria) applyCriterion(ctx, page, { type: resourceType, row: 'r' }, criterion);
  applySort(page.limit(wanted).offset(query.offset), repo.tenantId, resourceType, 'r', query.sort);
  // Fewer resources than that are walked: over so few rows the planner may probe each one's
  // rows through an index that holds every row of the type (at 200 Practitioners 30–47 ms, the walk 5–8).
  page.whereExists(matching(repo, resourceType, []).select('r.id').offset(among).limit(1));
  const rows = (await page) as JsonVersionRow[];
  return rows.length === wanted ? rows : undefined;
}
