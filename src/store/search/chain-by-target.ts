import { jsonVersionColumns } from '../stored-json';
import { allOf, fragment, type SqlFragment } from '../sql-fragment';
import { listedByKeyIndex, matchesOf, scopeOfRows, type CriteriaContext, type RowCriterion, type StartsWithCriterion } from './criteria';

/**
 * A chain through one target type by a prefix of one string parameter (`subject.family=ja`),
 * whose matching targets the string key index lists in value order.
 */
export interface ChainByTarget {
  targetType: string;
  /** The row codes of the references to that type. */
  referenceCodes: readonly string[];
  criterion: StartsWithCriterion;
}

/**
 * The criterion as a chain answered in its targets' order, when it is one. Such a chain's matches
 * come target by target: by the target's matching value (its bounded key, in code-point order),
 * then the target's id, then the referencing resource's id. In id order, a page of the orders
 * of tens of thousands of Patients needed a hash of all those Patients' ids before the orders
 * could be walked (at a million Patients 8–19 ms, and more for a common prefix); in this order
 * the page is the first references of the first targets, which the probe that counts the
 * matches reads anyway. https://hl7.org/fhir/R4/search.html#chaining (no order is required
 * without `_sort`).
 */
export function chainByTarget(criterion: RowCriterion): ChainByTarget | undefined {
  if (criterion.kind !== 'chain' || criterion.targets.length !== 1) return undefined;
  const [target] = criterion.targets;
  // One code: a whole and its parts (`name`, `family`, `given`) would be walks to merge.
  if (!target || !listedByKeyIndex(target.criterion) || target.criterion.codes.length !== 1) return undefined;
  return { targetType: target.type, referenceCodes: target.codes, criterion: target.criterion };
}

const WALK_ORDER = 't.value_key USING ~<~, t.resource_id, c.resource_id';

/**
 * The chain's reference rows in its order, each with its position (`pos`): the targets' key
 * index walked in order, each target's references read from the index by target (ordered by the
 * referencing id within it). A resource that stands at several positions (a target with two
 * matching names; an order whose performers both match) belongs at its first.
 */
export function chainWalk(ctx: CriteriaContext, resourceType: string, chain: ChainByTarget): SqlFragment {
  const references = allOf([scopeOfRows(ctx, 'c', resourceType, chain.referenceCodes), fragment('c.target_type = ?', chain.targetType)]);
  const targets = allOf([scopeOfRows(ctx, 't', chain.targetType, chain.criterion.codes), matchesOf(ctx, 't', chain.targetType, chain.criterion)]);
  return fragment(
    `SELECT c.resource_id, row_number() OVER (ORDER BY ${WALK_ORDER}) AS pos
     FROM search_string AS t
     CROSS JOIN LATERAL (SELECT c.resource_id FROM search_reference AS c WHERE ${references.sql} AND c.target_id = t.resource_id ORDER BY c.resource_id OFFSET 0) AS c
     WHERE ${targets.sql}
     ORDER BY ${WALK_ORDER}`,
    ...references.bindings,
    ...targets.bindings,
  );
}

/**
 * A page (and one resource more) in the chain's order from every match, each placed at its first
 * position: for a page past the walk's first rows when resources repeat among them, since only
 * the whole walk then tells which come first. Deep into a broad chain, it reads all of its
 * references.
 */
export function chainPageByTarget(ctx: CriteriaContext, resourceType: string, chain: ChainByTarget, offset: number, count: number): SqlFragment {
  const walk = chainWalk(ctx, resourceType, chain);
  return fragment(
    `SELECT ${jsonVersionColumns('r')}
     FROM (SELECT w.resource_id, min(w.pos) AS first FROM (${walk.sql}) AS w GROUP BY w.resource_id ORDER BY first LIMIT ? OFFSET ?) AS p
     JOIN resources AS r ON r.tenant_id = ? AND r.resource_type = ? AND r.id = p.resource_id AND NOT r.deleted
     ORDER BY p.first`,
    ...walk.bindings,
    count + 1,
    offset,
    ctx.tenantId,
    resourceType,
  );
}
