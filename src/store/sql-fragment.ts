import type { Knex } from 'knex';

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

/** `column IN (?, …)` for one or more values. */
export function isIn(column: string, values: readonly unknown[]): SqlFragment {
  if (values.length === 1) return fragment(`${column} = ?`, values[0]);
  return { sql: `${column} IN (${values.map(() => '?').join(', ')})`, bindings: [...values] };
}

/**
 * An array binding written so that the planner cannot see its length (as the result of a
 * sub-select), for statements prepared by their text. A custom plan of an `= ANY (?)` sized the
 * array and so always looked cheaper than the generic plan, sized for ten elements: PostgreSQL
 * then planned every execution again, and an `_include` spent ~1.3 ms of PostgreSQL's CPU
 * planning a statement that ran in 0.15 ms. Unsized, both cost the same and the generic plan
 * (index probes per element) is kept.
 */
export const unsizedArray = (elementType: string): string => `(SELECT ?::${elementType}[])::${elementType}[]`;

/** Adds the fragment to a knex query as one condition. */
export function whereFragment(qb: Knex.QueryBuilder, condition: SqlFragment): Knex.QueryBuilder {
  return qb.whereRaw(`(${condition.sql})`, condition.bindings as Knex.RawBinding[]);
}

/** A knex query as a fragment, to be placed inside SQL text. */
export function knexFragment(qb: Knex.QueryBuilder): SqlFragment {
  const { sql, bindings } = qb.toSQL();
  return { sql, bindings: [...bindings] };
}
