import { runPreparedText } from '../prepared-query';
import type { Repository } from '../repository';
import type { StoredVersion } from '../rows';
import { jsonVersionColumns, versionOfJsonRow, type JsonVersionRow } from '../stored-json';
import type { IncludeSpec } from './query';
import { allOf, fragment, isIn, unionAll, unsizedArray, type SqlFragment } from '../sql-fragment';

/** How many rounds `:iterate` follows, and how many resources a page may bring in. */
export const MAX_INCLUDE_DEPTH = 3;
export const MAX_INCLUDED = 1000;

const keyOf = (v: StoredVersion): string => `${v.resourceType}/${v.id}`;

/**
 * The resources that `_include` / `_revinclude` bring into a page: the first round follows
 * every spec from the matches, later rounds follow the `:iterate` specs from what the
 * previous round added. Only live resources of the tenant; none of the matches again.
 * https://hl7.org/fhir/R4/search.html#include
 */
export async function findIncluded(repo: Repository, matches: StoredVersion[], specs: IncludeSpec[], firstRound?: SpecRow[]): Promise<StoredVersion[]> {
  const seen = new Set(matches.map(keyOf));
  const included: StoredVersion[] = [];
  let frontier = matches;
  for (let depth = 0; depth < MAX_INCLUDE_DEPTH && frontier.length > 0 && included.length < MAX_INCLUDED; depth++) {
    const added: StoredVersion[] = [];
    const followed = specs.filter((s) => depth === 0 || s.iterate);
    const rows = depth === 0 && firstRound ? bySpec(firstRound) : await linkedRows(repo, followed, { versions: frontier });
    for (const version of rows.map(versionOfJsonRow)) {
      if (seen.has(keyOf(version)) || included.length + added.length >= MAX_INCLUDED) continue;
      seen.add(keyOf(version));
      added.push(version);
    }
    included.push(...added);
    frontier = added;
  }
  return included;
}

/** A resource a round brings in, with the index of the spec that brought it. */
export type SpecRow = JsonVersionRow & { spec: number };

/**
 * The resources a round follows links from: the versions in hand, or the page of the statement
 * the round is part of (`firstRoundOfPage`), all of one type, its ids a `text[]` expression.
 */
type Frontier = { versions: StoredVersion[] } | { pageType: string; pageIds: SqlFragment };

const bySpec = (rows: SpecRow[]): SpecRow[] => rows.sort((a, b) => a.spec - b.spec);

/**
 * What every spec of one round brings in, in spec order: one statement for the round, the specs'
 * queries as branches of a `UNION ALL` (a statement is a round trip and a socket write each,
 * ~100 µs of the server's CPU on a small VM: a page with two `_include`s paid three).
 */
async function linkedRows(repo: Repository, specs: IncludeSpec[], frontier: Frontier): Promise<SpecRow[]> {
  const round = roundOf(repo, specs, frontier);
  // Prepared by its text: the frontier is array bindings, so the text is the specs' whatever the page.
  return round ? bySpec(await runPreparedText<SpecRow>(repo.db, round)) : [];
}

/**
 * The first round of includes as a part of the statement that finds the page (`pageIds`: the
 * page's ids, of `pageType`, as that statement has them), so that the page and what it brings
 * in come in one round trip; none when no spec follows links from `pageType` resources.
 */
export function firstRoundOfPage(repo: Repository, specs: IncludeSpec[], pageType: string, pageIds: SqlFragment): SqlFragment | undefined {
  return roundOf(repo, specs, { pageType, pageIds });
}

/** The round's statement, a branch per spec that follows links from the frontier's resources: `SpecRow`s. */
function roundOf(repo: Repository, specs: IncludeSpec[], frontier: Frontier): SqlFragment | undefined {
  const branches = specs.flatMap((spec, k) => {
    const links = spec.reverse ? referencing(spec, frontier) : referenced(spec, frontier);
    if (!links) return [];
    const codes = spec.codes ? [isIn('s.code', spec.codes)] : [];
    return [linkedResources(repo, spec, allOf([links, ...codes]), k)];
  });
  return branches.length > 0 ? unionAll(branches) : undefined;
}

/** The frontier's ids of one type as a `text[]` expression; none when it holds none of that type. */
function idsOfType(frontier: Frontier, type: string): SqlFragment | undefined {
  if ('pageIds' in frontier) return frontier.pageType === type ? frontier.pageIds : undefined;
  const ids = frontier.versions.filter((v) => v.resourceType === type).map((v) => v.id);
  return ids.length > 0 ? fragment(unsizedArray('text'), ids) : undefined;
}

/** Links from the frontier's `sourceType` resources through the spec's parameter (their targets are brought in). */
function referenced(spec: IncludeSpec, frontier: Frontier): SqlFragment | undefined {
  const ids = idsOfType(frontier, spec.sourceType);
  if (!ids) return undefined;
  const links = fragment(`s.resource_id = ANY (${ids.sql})`, ...ids.bindings);
  return spec.targetType ? allOf([links, fragment('s.target_type = ?', spec.targetType)]) : links;
}

/** Links from `sourceType` resources to a frontier resource through the spec's parameter (their sources are brought in). */
function referencing(spec: IncludeSpec, frontier: Frontier): SqlFragment | undefined {
  if ('pageIds' in frontier) {
    if (spec.targetType && spec.targetType !== frontier.pageType) return undefined;
    return fragment(`s.target_type = ? AND s.target_id = ANY (${frontier.pageIds.sql})`, frontier.pageType, ...frontier.pageIds.bindings);
  }
  const targets = frontier.versions.filter((v) => !spec.targetType || v.resourceType === spec.targetType);
  if (targets.length === 0) return undefined;
  return fragment(
    `(s.target_type, s.target_id) IN (SELECT * FROM unnest(${unsizedArray('text')}, ${unsizedArray('text')}))`,
    targets.map((v) => v.resourceType),
    targets.map((v) => v.id),
  );
}

/**
 * The live resources of the tenant at the far end of the links: the target of a link followed
 * forwards, the source of one followed in reverse. Each resource once (several links may reach
 * it), so that duplicates do not use up the limit.
 */
function linkedResources(repo: Repository, spec: IncludeSpec, links: SqlFragment, k: number): SqlFragment {
  const [type, id] = spec.reverse ? ['s.resource_type', 's.resource_id'] : ['s.target_type', 's.target_id'];
  return fragment(
    `SELECT DISTINCT ON (r.resource_type, r.id) ${jsonVersionColumns('r')}, ?::int AS spec
     FROM search_reference AS s JOIN resources AS r ON r.tenant_id = s.tenant_id AND r.resource_type = ${type} AND r.id = ${id}
     WHERE s.tenant_id = ? AND s.resource_type = ? AND NOT r.deleted AND (${links.sql})
     LIMIT ${MAX_INCLUDED}`,
    k,
    repo.tenantId,
    spec.sourceType,
    ...links.bindings,
  );
}
