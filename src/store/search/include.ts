import type { Knex } from 'knex';
import { runBuiltPrepared } from '../prepared-query';
import type { Repository } from '../repository';
import type { StoredVersion } from '../rows';
import { jsonVersionColumns, versionOfJsonRow, type JsonVersionRow } from '../stored-json';
import type { IncludeSpec } from './query';

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
export async function findIncluded(repo: Repository, matches: StoredVersion[], specs: IncludeSpec[]): Promise<StoredVersion[]> {
  const seen = new Set(matches.map(keyOf));
  const included: StoredVersion[] = [];
  let frontier = matches;
  for (let depth = 0; depth < MAX_INCLUDE_DEPTH && frontier.length > 0 && included.length < MAX_INCLUDED; depth++) {
    const added: StoredVersion[] = [];
    const followed = specs.filter((s) => depth === 0 || s.iterate);
    for (const version of (await linkedRows(repo, followed, frontier)).map(versionOfJsonRow)) {
      if (seen.has(keyOf(version)) || included.length + added.length >= MAX_INCLUDED) continue;
      seen.add(keyOf(version));
      added.push(version);
    }
    included.push(...added);
    frontier = added;
  }
  return included;
}

type SpecRow = JsonVersionRow & { spec: number };

/**
 * What every spec of one round brings in, in spec order: one statement for the round, the specs'
 * queries as branches of a `UNION ALL` (a statement is a round trip and a socket write each,
 * ~100 µs of the server's CPU on a small VM: a page with two `_include`s paid three).
 */
async function linkedRows(repo: Repository, specs: IncludeSpec[], frontier: StoredVersion[]): Promise<JsonVersionRow[]> {
  const branches = specs.flatMap((spec, k) => {
    const query = spec.reverse ? referencing(repo, spec, frontier) : referenced(repo, spec, frontier);
    if (!query) return [];
    if (spec.codes) query.whereIn('s.code', spec.codes);
    return [query.select(repo.db.raw('?::int AS spec', [k]))];
  });
  if (branches.length === 0) return [];
  // Run prepared by its text (`runBuiltPrepared`): the frontier's ids are one array binding, so the text is the specs' whatever the page.
  const [only] = branches;
  const round = only && branches.length === 1 ? only : repo.db.queryBuilder().unionAll(branches, true);
  const rows = await runBuiltPrepared<SpecRow>(repo.db, round);
  return rows.sort((a, b) => a.spec - b.spec);
}

/** Resources that the frontier's `sourceType` resources point at through the spec's parameter. */
function referenced(repo: Repository, spec: IncludeSpec, frontier: StoredVersion[]): Knex.QueryBuilder | undefined {
  const ids = frontier.filter((v) => v.resourceType === spec.sourceType).map((v) => v.id);
  if (ids.length === 0) return undefined;
  const query = links(repo, 'target').where('s.resource_type', spec.sourceType).whereRaw('s.resource_id = ANY (?::text[])', [ids]);
  if (spec.targetType) query.where('s.target_type', spec.targetType);
  return query;
}

/** Resources of `sourceType` that point at a frontier resource through the spec's parameter. */
function referencing(repo: Repository, spec: IncludeSpec, frontier: StoredVersion[]): Knex.QueryBuilder | undefined {
  const targets = frontier.filter((v) => !spec.targetType || v.resourceType === spec.targetType);
  if (targets.length === 0) return undefined;
  return links(repo, 'source')
    .where('s.resource_type', spec.sourceType)
    .whereRaw('(s.target_type, s.target_id) IN (SELECT * FROM unnest(?::text[], ?::text[]))', [targets.map((v) => v.resourceType), targets.map((v) => v.id)]);
}

/**
 * Reference index rows of the tenant joined to the live resource at one end of each, each
 * resource once (several links may reach it), so that duplicates do not use up the limit.
 */
function links(repo: Repository, end: 'source' | 'target'): Knex.QueryBuilder {
  const [type, id] = end === 'target' ? ['s.target_type', 's.target_id'] : ['s.resource_type', 's.resource_id'];
  return repo
    .db('search_reference as s')
    .join('resources as r', (on) => on.on('r.tenant_id', 's.tenant_id').andOn('r.resource_type', type).andOn('r.id', id))
    .where('s.tenant_id', repo.tenantId)
    .andWhere('r.deleted', false)
    .distinctOn('r.resource_type', 'r.id')
    .select(repo.db.raw(jsonVersionColumns('r')))
    .limit(MAX_INCLUDED);
}
