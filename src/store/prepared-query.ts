import type { Knex } from 'knex';
import type pg from 'pg';

/** A fixed SQL statement: `sql` with `?` placeholders for knex, `text` with `$n` ones for PostgreSQL. */
export interface PreparedStatement {
  /** The name PostgreSQL keeps it prepared under, on each connection. */
  name: string;
  sql: string;
  text: string;
}

/** Every statement by name: PostgreSQL keeps one statement per name on a connection. */
const BY_NAME = new Map<string, PreparedStatement>();

/** Throws when `name` already stands for another statement: the second would run the first's plan, or fail to prepare. */
export function preparedStatement(name: string, sql: string): PreparedStatement {
  let n = 0;
  const text = sql.replace(/\?/g, () => `$${++n}`);
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
  const connection = (await db.client.acquireConnection()) as pg.Client;
  try {
    const query = { method: 'raw', sql: statement.sql, bindings: values };
    db.client.emit('query', query);
    const result = await connection.query<Row>({ name: statement.name, text: statement.text, values });
    db.client.emit('query-response', result, query);
    return result.rows;
  } finally {
    await db.client.releaseConnection(connection);
  }
}
