import type { Knex } from 'knex';
import { escapeLiteral } from 'pg';

/**
 * A piece of SQL with `?` placeholders and their values, in order. Column names in it are the
 * code's own (never input), so they are written into the text; every value is a binding.
 * A search's conditions are built as fragments: assembled as text they cost microseconds,
 * where knex's compile of the same statement cost a search ~100 µs of the server's CPU.
 */
export interface SqlFragment {
  sql: string;
  bindings: unknown[];
}

export const fragment = (sql: string, ...bindings: unknown[]): SqlFragment => ({ sql, bindings });

/** No condition: every row. */
const ALWAYS = fragment('true');

function joined(parts: readonly SqlFragment[], operator: 'AND' | 'OR'): SqlFragment {
  if (parts.length === 0) return operator === 'AND' ? ALWAYS : fragment('false');
  if (parts.length === 1) return parts[0]!;
  return { sql: parts.map((p) => `(${p.sql})`).join(` ${operator} `), bindings: parts.flatMap((p) => p.bindings) };
}

/** Every part holds (none: every row). */
export const allOf = (parts: readonly SqlFragment[]): SqlFragment => joined(parts, 'AND');

/** Some part holds (none: no row). */
export const anyOf = (parts: readonly SqlFragment[]): SqlFragment => joined(parts, 'OR');

/** The rows of every part, each part a whole statement: `(…) UNION ALL (…)`. */
export function unionAll(parts: readonly SqlFragment[]): SqlFragment {
  return { sql: parts.map((p) => `(${p.sql})`).join(' UNION ALL '), bindings: parts.flatMap((p) => p.bindings) };
}

/**
 * The fragment with its values written into its text as literals, for the few values a plan made
 * for any value must see: a partial index's predicate (`resource_type = 'Practitioner'`) is proven
 * only by a constant. Only for the server's own names (a resource type, a parameter's codes):
 * each distinct value makes another statement text.
 */
export function inlined({ sql, bindings }: SqlFragment): SqlFragment {
  let next = 0;
  return { sql: sql.replace(/\?/g, () => escapeLiteral(String(bindings[next++]))), bindings: [] };
}

/** `column IN (?, …)` for one or more values. */
export function isIn(column: string, values: readonly unknown[]): SqlFragment {
  if (values.length === 1) return fragment(`${column} = ?`, values[0]);
  return { sql: `${column} IN (${values.map(() => '?').join(', ')})`, bindings: [...values] };
}

/**
 * A value the planner cannot see: a sub-select's result, known when the statement runs. For
 * statements prepared by their text: PostgreSQL plans the first five executions for their values
 * and then keeps its plan for any value only if that looks no dearer. Where a value made each
 * execution's plan look cheaper at the same work (a month of birth dates, a name's prefix, the
 * length of an array), every execution was planned again: ~0.4 ms of PostgreSQL's CPU for a date
 * range or a chained search, ~1.3 ms for an `_include`, against 0.15–0.3 ms of work. Unseen, both
 * plans cost the same and the plan for any value (the same index scans) is kept.
 */
export const unseenValue = (type: string): string => `(SELECT ?::${type})`;

/** An array binding as an unseen value (`unseenValue`): the planner sizes it as any array. */
export const unsizedArray = (elementType: string): string => `${unseenValue(`${elementType}[]`)}::${elementType}[]`;

/** Adds the fragment to a knex query as one condition. */
export function whereFragment(qb: Knex.QueryBuilder, condition: SqlFragment): Knex.QueryBuilder {
  return qb.whereRaw(`(${condition.sql})`, condition.bindings as Knex.RawBinding[]);
}

/** A knex query as a fragment, to be placed inside SQL text. */
export function knexFragment(qb: Knex.QueryBuilder): SqlFragment {
  const { sql, bindings } = qb.toSQL();
  return { sql, bindings: [...bindings] };
}
