import type { Knex } from 'knex';
import type pg from 'pg';

/** A fixed SQL statement: `sql` with `?` placeholders for knex, `text` with `$n` ones for PostgreSQL. */
export interface PreparedStatement {
  /** The name PostgreSQL keeps it prepared under, on each connection. */
  name: string;
  sql: string;
  text: string;
}

export function preparedStatement(name: string, sql: string): PreparedStatement {
  let n = 0;
  return { name, sql, text: sql.replace(/\?/g, () => `$${++n}`) };
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
