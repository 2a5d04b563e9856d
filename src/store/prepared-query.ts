import type { Knex } from 'knex';
import type pg from 'pg';
import type { SqlFragment } from './sql-fragment';

/** A fixed SQL statement: `sql` with `?` placeholders for knex, `text` with `$n` ones for PostgreSQL. */
export interface PreparedStatement {
  /** The name PostgreSQL keeps it prepared under, on each connection. */
  name: string;
  sql: string;
  text: string;
}

/** knex's `?` placeholders as PostgreSQL's `$1`, `$2`, …, in order. */
function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Every statement by name: PostgreSQL keeps one statement per name on a connection. */
const BY_NAME = new Map<string, PreparedStatement>();

/** Throws when `name` already stands for another statement: the second would run the first's plan, or fail to prepare. */
export function preparedStatement(name: string, sql: string): PreparedStatement {
  const text = numberedPlaceholders(sql);
  const taken = BY_NAME.get(name);
  if (taken !== undefined && taken.text !== text) throw new Error(`prepared statement name ${name} is taken by another statement`);
  const statement = { name, sql, text };
  BY_NAME.set(name, statement);
  return statement;
}

/**
 * One of a family of statements built by shape (which CTEs a write needs): its SQL built on
 * first use under its name, the registered statement after.
 */
export function statementNamed(name: string, sql: () => string): PreparedStatement {
  return BY_NAME.get(name) ?? preparedStatement(name, sql());
}

/**
 * Runs a fixed statement without knex's query builder. On PostgreSQL it is a named prepared
 * statement, parsed and planned once per connection, then only bound and run: on a pooled
 * connection, or inside a transaction on the connection knex holds for it. It is reported to
 * knex's `query` and `query-response` listeners as knex reports its own. On embedded PGlite,
 * through knex.raw.
 */
export async function runPrepared<Row extends pg.QueryResultRow>(db: Knex, statement: PreparedStatement, values: unknown[]): Promise<Row[]> {
  if (db.client.config.client !== 'pg') return ((await db.raw(statement.sql, values as Knex.RawBinding[])) as pg.QueryResult<Row>).rows;
  return runNamed(db, statement.name, statement.text, values, { method: 'raw', sql: statement.sql, bindings: values });
}

/**
 * Each built statement costs every connection that prepares it ~100 KB of PostgreSQL's plan
 * cache: past this many texts in a process, further ones run unnamed (parsed and planned on
 * every execution, as knex runs them).
 */
const MAX_BUILT_STATEMENTS = 64;
const BUILT_NAMES = new Map<string, string>();
const MATCHES_PATTERN = /\blike\b/i;

/**
 * Runs a statement written as text with `?` placeholders (a search of one shape: its values are
 * all bindings) as a named prepared statement on PostgreSQL, so that a connection parses it once
 * and, after its first five executions, plans it again only while a plan for the values looks
 * cheaper than one for any value. A statement with a `LIKE` runs unnamed, planned for its
 * values: the planner turns a pattern's fixed prefix into index bounds only when it sees the
 * pattern, and a plan for any pattern would read every index entry of the parameter. Unless
 * its patterns are all `%text%` (`containedPatterns`): a trigram index takes such a pattern when
 * the statement runs, so a plan for any pattern holds the same index scans. On embedded PGlite,
 * through knex.raw.
 */
export async function runPreparedText<Row extends pg.QueryResultRow>(
  db: Knex,
  { sql, bindings }: SqlFragment,
  { containedPatterns = false } = {},
): Promise<Row[]> {
  if (db.client.config.client !== 'pg') return ((await db.raw(sql, bindings as Knex.RawBinding[])) as pg.QueryResult<Row>).rows;
  const text = numberedPlaceholders(sql);
  return runNamed(db, builtName(text, containedPatterns), text, bindings, { method: 'select', sql, bindings });
}

/** The name a built statement's text is kept prepared under; none (run unnamed) for a `LIKE` that may be a prefix, or past the bound. */
function builtName(text: string, containedPatterns: boolean): string | undefined {
  if (!containedPatterns && MATCHES_PATTERN.test(text)) return undefined;
  let name = BUILT_NAMES.get(text);
  if (name === undefined && BUILT_NAMES.size < MAX_BUILT_STATEMENTS) {
    name = `fhir_built_${BUILT_NAMES.size}`;
    BUILT_NAMES.set(text, name);
  }
  return name;
}

/** Runs `text` on a connection of `db`: prepared under `name`, or unnamed (parsed and planned for this execution) without one. */
async function runNamed<Row extends pg.QueryResultRow>(db: Knex, name: string | undefined, text: string, values: unknown[], reported: object): Promise<Row[]> {
  const connection = (await db.client.acquireConnection()) as pg.Client;
  try {
    db.client.emit('query', reported);
    const result = await connection.query<Row>({ name, text, values });
    db.client.emit('query-response', result, reported);
    return result.rows;
  } finally {
    await db.client.releaseConnection(connection);
  }
}
