import type { Knex } from 'knex';
import type { Repository } from '../repository';
import { applyCriterion, CriteriaContext } from './criteria';
import type { Criterion } from './query';

/** The tenant's live resources of the type that meet every criterion, aliased `r`. */
export function matching(repo: Repository, resourceType: string, criteria: Criterion[]): Knex.QueryBuilder {
  const ctx = new CriteriaContext(repo.db, repo.tenantId);
  const qb = repo.db('resources as r').where({ 'r.tenant_id': repo.tenantId, 'r.resource_type': resourceType, 'r.deleted': false });
  for (const criterion of criteria) applyCriterion(ctx, qb, { type: resourceType, row: 'r' }, criterion);
  return qb;
}

/** The statement that counts the query's rows. */
export function countOf(repo: Repository, rows: Knex.QueryBuilder): Knex.QueryBuilder {
  return repo.db.from(rows.as('m')).count({ count: '*' });
}

/** How many rows the query gives. */
export async function countRows(repo: Repository, rows: Knex.QueryBuilder): Promise<number> {
  const [row] = (await countOf(repo, rows)) as { count: string | number }[];
  return Number(row?.count ?? 0);
}
