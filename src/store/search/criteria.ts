import type { Knex } from 'knex';
import { INDEXED_PREFIX_CHARS } from '../../../migrations/009_bounded_index_keys';
import { windowOfGroups, type DateWindow } from './date-window';
import type { Criterion, IndexValue } from './query';
import { allOf, anyOf, fragment, inlined, isIn, unseenValue, whereFragment, type SqlFragment } from '../sql-fragment';
import { anyValueCondition, dateRangeCondition, seenBound, type BoundPlaceholder, type PairIndex } from './values';
import { indexedByPairs } from './character-pairs';

/** The resources row a criterion is about: its type and the alias of its `resources` row. */
export interface Subject {
  type: string;
  row: string;
  /**
   * The column that holds its id, when not its row's `id`: a chain's target met by index rows
   * alone is named by its reference row's `target_id`, and has no `resources` row in the query.
   */
  idColumn?: string;
}

const idOf = (subject: Subject): string => subject.idColumn ?? `${subject.row}.id`;

/** A criterion that one index row meets or not, whatever else the resource holds. */
export type IndexRowCriterion = Extract<Criterion, { kind: 'index' | 'indexRow' }>;
type ChainCriterion = Extract<Criterion, { kind: 'chain' }>;
type ChainTarget = ChainCriterion['targets'][number];
/**
 * A criterion that one index row meets or not: an index criterion, or a chain, whose reference
 * row meets it or not by the live resource it points at.
 */
export type RowCriterion = IndexRowCriterion | ChainCriterion;

/** Whether one index row meets the criterion by itself (a negated one is met by the absence of rows). */
export function isIndexRowCriterion(criterion: Criterion): criterion is IndexRowCriterion {
  return criterion.kind === 'indexRow' || (criterion.kind === 'index' && !criterion.negate);
}

/** How a query's criteria are written. */
export interface CriteriaOptions {
  /** A range's bounds unseen by the planner, for a statement prepared for any value. */
  forAnyValue?: boolean;
  /** Each resource tested by probing its own rows (see `whereExists`). */
  eachResource?: boolean;
  /** The index rows' type and codes written into the text, where a plan for any value sees them (`scopeOfRows`). */
  scopeInText?: boolean;
}

/**
 * Per-query state: the tenant every subquery is bound to, fresh aliases for nesting, and how the
 * criteria are written (`CriteriaOptions`).
 */
export class CriteriaContext {
  private next = 0;
  readonly bound: BoundPlaceholder;
  constructor(
    readonly db: Knex | Knex.Transaction,
    readonly tenantId: string,
    readonly options: CriteriaOptions = {},
  ) {
    this.bound = options.forAnyValue ? unseenValue : seenBound;
  }

  alias(prefix: string): string {
    this.next += 1;
    return `${prefix}${this.next}`;
  }
}

/** Adds one criterion to a query over `resources` (aliased `subject.row`). */
export function applyCriterion(ctx: CriteriaContext, qb: Knex.QueryBuilder, subject: Subject, criterion: Criterion): void {
  const { row } = subject;
  switch (criterion.kind) {
    case 'constant':
      if (!criterion.matches) qb.whereRaw('false');
      return;
    case 'id':
      qb.whereIn(`${row}.id`, criterion.ids);
      return;
    case 'lastUpdated':
      whereFragment(qb, anyOf(criterion.values.map((value) => dateRangeCondition(`${row}.last_updated`, `${row}.last_updated`, value, ctx.bound))));
      return;
    case 'missing': {
      const rows = indexRows(ctx, subject, criterion.table, criterion.codes);
      whereExists(ctx, qb, rows.query, !criterion.missing);
      return;
    }
    case 'index':
    case 'indexRow': {
      const rows = indexRows(ctx, subject, criterion.table, criterion.codes);
      restrictToMatches(ctx, rows.query, rows.alias, subject.type, criterion);
      whereExists(ctx, qb, rows.query, !(criterion.kind === 'index' && criterion.negate));
      return;
    }
    case 'chain':
      whereExists(ctx, qb, chainRows(ctx, subject, criterion));
      return;
    case 'has':
      whereExists(ctx, qb, referencingRows(ctx, subject, criterion));
      return;
    case 'any':
      qb.where((any) => {
        for (const inner of criterion.criteria) any.orWhere((w) => applyCriterion(ctx, w, subject, inner));
      });
      return;
  }
}

/**
 * `[NOT] EXISTS (rows)`. PostgreSQL may test it by a lookup in a hash of every row the
 * subquery meets for any resource, built before the first resource is tested; with `OFFSET 0`
 * it cannot, and probes the tested resource's own rows (`eachResource`: a walk that tests a few
 * resources).
 */
function whereExists(ctx: CriteriaContext, qb: Knex.QueryBuilder, rows: Knex.QueryBuilder, exists = true): void {
  if (ctx.options.eachResource) qb.whereRaw(`${exists ? '' : 'NOT '}EXISTS (? OFFSET 0)`, [rows]);
  else if (exists) qb.whereExists(rows);
  else qb.whereNotExists(rows);
}

/**
 * The `resource_id`s of the index rows that meet a criterion (not a negated one), not tied to a
 * `resources` row: a resource has index rows only while it is live, so these rows stand for the
 * matching resources themselves (one resource may match through several rows). `walk` says the
 * rows will be read in id order up to a page (a criterion too broad to collect first).
 */
export function matchingIndexRows(ctx: CriteriaContext, resourceType: string, criterion: RowCriterion, walk = false): Knex.QueryBuilder {
  if (criterion.kind === 'chain') {
    const refs = (c: string, codes: readonly string[]) => rowsOfCodes(ctx, c, resourceType, 'reference', codes).select(`${c}.resource_id`);
    const listed = walk ? targetsListedByKeyIndex(criterion) : undefined;
    if (listed) return toHashedChainTargets(ctx, refs('s', criterion.codes), 's', listed);
    const branch = (c: string, target: ChainTarget) =>
      !walk && isIndexRowCriterion(target.criterion)
        ? referencesOfMatchingTargets(ctx, refs(c, target.codes), c, target.type, target.criterion)
        : toChainTargets(ctx, refs(c, target.codes), c, { ...criterion, targets: [target] });
    const [only] = criterion.targets;
    if (only && criterion.targets.length === 1) return branch('s', only);
    // One branch per target type: PostgreSQL turns a target's EXISTS into a join only outside an OR. Under
    // one, each reference row was read and tested (`subject.identifier=` an MRN at 1M Patients: 4.4 s, 6–9 ms so).
    const branches = criterion.targets.map((target) => branch(ctx.alias('c'), target));
    return ctx.db.from(ctx.db.unionAll(branches, true).as('s')).select('s.resource_id');
  }
  const query = rowsOfCodes(ctx, 's', resourceType, criterion.table, criterion.codes).select('s.resource_id');
  restrictToMatches(ctx, query, 's', resourceType, criterion);
  return query;
}

/**
 * The `resource_id`s of the reference rows (alias `c`) to each target of `type` that meets
 * the criterion, read target by target from the criterion's index rows (a reference stands once
 * for each of its target's matching rows: that only overstates how many rows a probe read).
 * The lateral join fixes that order, whatever the planner expects of the criterion. As a
 * semi-join, planned for any value (a prepared probe from its sixth run) it expected two targets
 * and made them unique first, sorting all of them (at 100,000 Patients, `subject.gender=female`:
 * 50,050 targets, 67–148 ms); planned for a prefix whose bounds also hold a common value of
 * another parameter (`family=ma`, within the range of every Patient's `address-state`,
 * "massachusetts"), it expected half of all references to match and read them one by one,
 * testing each (0.5–1.35 s at 1M). Target by target, each probe stops after 1,001 references.
 */
function referencesOfMatchingTargets(ctx: CriteriaContext, refs: Knex.QueryBuilder, c: string, type: string, criterion: IndexRowCriterion): Knex.QueryBuilder {
  const t = ctx.alias('t');
  const targets = rowsOfCodes(ctx, t, type, criterion.table, criterion.codes);
  restrictToMatches(ctx, targets, t, type, criterion);
  const references = refs.andWhere(`${c}.target_type`, type).andWhere(`${c}.target_id`, ctx.db.ref(`${t}.resource_id`));
  const referencing = ctx.alias('r');
  // OFFSET 0 keeps the subquery from being pulled up into a plain join, which the planner may start from the references.
  return targets.joinRaw('CROSS JOIN LATERAL (? OFFSET 0) AS ??', [ctx.db.raw('?', [references]), referencing]).select(`${referencing}.resource_id`);
}

/** Index rows (alias `s`) of the tenant's `resourceType` that meet the criterion: one of its values, or for `indexRow` a value of every group. */
function restrictToMatches(ctx: CriteriaContext, query: Knex.QueryBuilder, s: string, resourceType: string, criterion: IndexRowCriterion): void {
  whereFragment(query, matchesOf(ctx, s, resourceType, criterion));
}

/** What index rows (alias `s`) of the tenant's `resourceType` must hold to meet the criterion. */
export function matchesOf(ctx: CriteriaContext, s: string, resourceType: string, criterion: IndexRowCriterion): SqlFragment {
  const pairIndex = pairIndexOf(ctx, s, resourceType, criterion);
  const anyValue = (values: readonly IndexValue[]): SqlFragment => anyValueCondition(s, values, ctx.bound, pairIndex);
  if (criterion.kind === 'index') return anyValue(criterion.values);
  const [code] = criterion.codes;
  const window =
    criterion.table === 'date' && code !== undefined && criterion.codes.length === 1
      ? overlapsWindow(s, { tenantId: ctx.tenantId, resourceType, code }, windowOfGroups(criterion.groups), ctx.bound)
      : undefined;
  return allOf([...criterion.groups.map(anyValue), ...(window ? [window] : [])]);
}

/** The tenant, resource type and code whose date rows a search reads. */
interface DateScope {
  tenantId: string;
  resourceType: string;
  code: string;
}

/**
 * The key the date range's GiST index leads with (migration 023): one hash of the scope, here
 * of the rows (alias `s`) and of the scope searched; the same expression as the index's, or the
 * planner cannot use it. The scope's own columns are compared as well (`rowsOfCodes`).
 */
function scopeOfDateRows(s: string, scope: DateScope): SqlFragment {
  return fragment(
    `hashtextextended(${s}.tenant_id::text || '/' || ${s}.resource_type || '/' || ${s}.code, 0) = hashtextextended(?::uuid::text || '/' || ?::text || '/' || ?::text, 0)`,
    scope.tenantId,
    scope.resourceType,
    scope.code,
  );
}

/** Redundant with the values themselves, but served by the GiST index on the stored range (migrations 012, 023). */
function overlapsWindow(s: string, scope: DateScope, window: DateWindow, bound: BoundPlaceholder): SqlFragment | undefined {
  if (window.from === null && window.to === null) return undefined;
  // Criteria no one value can meet (gt May 20 and lt May 10): an empty window, which no range constructor takes.
  if (window.from !== null && window.to !== null && Date.parse(window.from) > Date.parse(window.to)) return fragment('false');
  const overlaps = fragment(
    `tstzrange(${s}.low, ${s}.high, '[]') && tstzrange(${bound('timestamptz')}, ${bound('timestamptz')}, '[]')`,
    window.from,
    window.to,
  );
  return allOf([scopeOfDateRows(s, scope), overlaps]);
}

/** The index rows of one parameter of the subject resource, tenant-bound. */
function indexRows(ctx: CriteriaContext, subject: Subject, table: string, codes: readonly string[]): { alias: string; query: Knex.QueryBuilder } {
  const s = ctx.alias('s');
  const query = rowsOfCodes(ctx, s, subject.type, table, codes)
    .select(ctx.db.raw('1'))
    .andWhere(`${s}.resource_id`, ctx.db.ref(idOf(subject)));
  return { alias: s, query };
}

/** The tenant's index rows (alias `s`) of one parameter of a resource type: those of its row codes. */
function rowsOfCodes(ctx: CriteriaContext, s: string, resourceType: string, table: string, codes: readonly string[]): Knex.QueryBuilder {
  return whereFragment(ctx.db.from(`search_${table} as ${s}`), scopeOfRows(ctx, s, resourceType, codes));
}

export function scopeOfRows(ctx: CriteriaContext, s: string, resourceType: string, codes: readonly string[]): SqlFragment {
  const scope = typeAndCodes(s, resourceType, codes);
  return allOf([fragment(`${s}.tenant_id = ?`, ctx.tenantId), ctx.options.scopeInText ? inlined(scope) : scope]);
}

const typeAndCodes = (s: string, resourceType: string, codes: readonly string[]): SqlFragment =>
  allOf([fragment(`${s}.resource_type = ?`, resourceType), isIn(`${s}.code`, codes)]);

/**
 * The pair index of the criterion's rows (`indexedByPairs`), if they have one. It is partial (by
 * type and codes), and a statement prepared for any value reads a partial index only where
 * constants in its text prove the predicate: the type and codes again, as text, unless the scope
 * is written so already (`scopeInText`). Planned for any value without them, from a connection's
 * sixth execution on, two letters read every Practitioner row of the code (at 20,000
 * Practitioners 15–16 ms, against 2.5–2.9 ms with them). A resource's own rows are few: tested by
 * a pattern, not through an index of every row.
 */
function pairIndexOf(ctx: CriteriaContext, s: string, resourceType: string, criterion: IndexRowCriterion): PairIndex | undefined {
  if (ctx.options.eachResource || !indexedByPairs(resourceType, criterion.table, criterion.codes)) return undefined;
  return ctx.options.scopeInText ? [] : [inlined(typeAndCodes(s, resourceType, criterion.codes))];
}

/**
 * `matchingIndexRows` of an index criterion as SQL text: the `resource_id`s of the tenant's index
 * rows (alias `s`) of `resourceType` that meet it, as many as `limit`.
 */
export function matchingIndexRowsSql(ctx: CriteriaContext, resourceType: string, criterion: IndexRowCriterion, limit: number): SqlFragment {
  const where = allOf([scopeOfRows(ctx, 's', resourceType, criterion.codes), matchesOf(ctx, 's', resourceType, criterion)]);
  return { sql: `SELECT s.resource_id FROM search_${criterion.table} AS s WHERE ${where.sql} LIMIT ?`, bindings: [...where.bindings, limit] };
}

/**
 * A reference of the subject to a live resource of the same tenant that meets the target
 * type's criterion. https://hl7.org/fhir/R4/search.html#chaining
 */
function chainRows(ctx: CriteriaContext, subject: Subject, criterion: ChainCriterion): Knex.QueryBuilder {
  const refs = indexRows(ctx, subject, 'reference', criterion.codes);
  return toChainTargets(ctx, refs.query, refs.alias, criterion);
}

/**
 * Keeps the reference rows (alias `c`) that point at a live resource of the tenant meeting the
 * chain's criterion for its type. Where every target's criterion is met by index rows, and only
 * a live resource has any (a delete removes them), those rows are asked by the reference's
 * `target_id` directly: the target's `resources` row is not read (at a million Patients a chain
 * through 6,769 of them took 140 ms with it, 57 ms without).
 */
function toChainTargets(ctx: CriteriaContext, refs: Knex.QueryBuilder, c: string, criterion: ChainCriterion): Knex.QueryBuilder {
  const meetsTargets = (subjectOf: (type: string) => Subject) =>
    refs.where((any) => {
      for (const { type, criterion: inner } of criterion.targets) {
        any.orWhere((w) => {
          w.where(`${c}.target_type`, type);
          applyCriterion(ctx, w, subjectOf(type), inner);
        });
      }
    });
  if (criterion.targets.every(({ criterion: inner }) => metByIndexRows(inner))) return meetsTargets((type) => ({ type, row: c, idColumn: `${c}.target_id` }));
  const target = ctx.alias('t');
  refs
    .join(`resources as ${target}`, (on) => {
      on.on(`${target}.tenant_id`, `${c}.tenant_id`).andOn(`${target}.resource_type`, `${c}.target_type`).andOn(`${target}.id`, `${c}.target_id`);
    })
    .where(`${target}.deleted`, false);
  return meetsTargets((type) => ({ type, row: target }));
}

export type StartsWithCriterion = Extract<Criterion, { kind: 'index' }>;
type ListedTarget = ChainTarget & { criterion: StartsWithCriterion };

/**
 * A string starts-with criterion of one value that the bounded key holds whole: the key index
 * (migration 018) lists the ids of its matches by itself, from one range of entries.
 */
export function listedByKeyIndex(criterion: Criterion): criterion is StartsWithCriterion {
  if (criterion.kind !== 'index' || criterion.negate || criterion.table !== 'string' || criterion.values.length !== 1) return false;
  const [value] = criterion.values;
  return value?.type === 'string' && value.match === 'start' && value.text.length <= INDEXED_PREFIX_CHARS;
}

/** The chain's targets, when the key index lists every one's matches. */
function targetsListedByKeyIndex(criterion: ChainCriterion): ListedTarget[] | undefined {
  const listed = criterion.targets.filter((target): target is ListedTarget => listedByKeyIndex(target.criterion));
  return listed.length > 0 && listed.length === criterion.targets.length ? listed : undefined;
}

/**
 * Keeps the reference rows (alias `c`) whose target meets its type's criterion, for a walk of
 * them in id order, where every target's criterion is listed by the string key index alone
 * (a chain through one type by one code is walked by target instead: `chainByTarget`).
 * Each target's test is an EXISTS inside a CASE on the reference's type, which PostgreSQL does
 * not turn into a join: it stays a filter of the walk, planned as a hash of the target's matching
 * ids built once from one range of the key index. As a semi-join, the walk probed the target's
 * index rows and their heap page for each reference it passed (a hash join would lose the walk's
 * order): at 100,000 Patients, a page of the orders of every Patient whose family starts with
 * "jo" read 7,863 buffers in 26 ms that way, 1,621 in 4–10 ms this way. Only for such criteria: the
 * planner weighs the hash against the probes of the whole walk, not of the page's, and the hash of
 * a criterion read from the heap (gender=female, 50,000 Patients) read 12,129 pages (990 ms) for a
 * page the walk finds among 42 references.
 */
function toHashedChainTargets(ctx: CriteriaContext, refs: Knex.QueryBuilder, c: string, targets: ListedTarget[]): Knex.QueryBuilder {
  const tests = targets.map(({ type, criterion }) => {
    const rows = indexRows(ctx, { type, row: c, idColumn: `${c}.target_id` }, criterion.table, criterion.codes);
    restrictToMatches(ctx, rows.query, rows.alias, type, criterion);
    return [type, rows.query];
  });
  return refs.whereRaw(`CASE ?? ${tests.map(() => 'WHEN ? THEN EXISTS ?').join(' ')} END`, [`${c}.target_type`, ...tests.flat()]);
}

/** Whether only a live resource can meet the criterion, by index rows of its own (a missing target, a deleted one, has none). */
function metByIndexRows(criterion: Criterion): boolean {
  switch (criterion.kind) {
    case 'index':
      return !criterion.negate;
    case 'indexRow':
    case 'chain':
      return true;
    case 'missing':
      return !criterion.missing;
    case 'any':
      return criterion.criteria.length > 0 && criterion.criteria.every(metByIndexRows);
    default:
      return false;
  }
}

/**
 * A live resource of the criterion's type, of the same tenant, that references the subject
 * through a row of one of `codes` and meets every inner criterion. https://hl7.org/fhir/R4/search.html#has
 */
function referencingRows(ctx: CriteriaContext, subject: Subject, criterion: Extract<Criterion, { kind: 'has' }>): Knex.QueryBuilder {
  const source = ctx.alias('h');
  const c = ctx.alias('s');
  const query = rowsOfCodes(ctx, c, criterion.type, 'reference', criterion.codes)
    .select(ctx.db.raw('1'))
    .join(`resources as ${source}`, (on) => {
      on.on(`${source}.tenant_id`, `${c}.tenant_id`).andOn(`${source}.resource_type`, `${c}.resource_type`).andOn(`${source}.id`, `${c}.resource_id`);
    })
    .andWhere(`${c}.target_type`, subject.type)
    .andWhere(`${c}.target_id`, ctx.db.ref(idOf(subject)))
    .andWhere(`${source}.deleted`, false);
  for (const inner of criterion.criteria) applyCriterion(ctx, query, { type: criterion.type, row: source }, inner);
  return query;
}
