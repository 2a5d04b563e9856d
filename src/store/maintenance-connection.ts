import type { Knex } from 'knex';
import type pg from 'pg';

/**
 * A bound on a maintenance statement that has gone wrong, not on its work: ANALYZE and VACUUM
 * of tables of millions of rows take longer than a request may (statement_timeout, db.ts).
 */
const MAINTENANCE_TIMEOUT = '10min';

export type Sql = (statement: string) => Promise<{ rows: unknown[] }>;

/**
 * Runs `run` on one connection of the pool whose statement_timeout is the maintenance bound.
 * Under the requests' 15 s, an ANALYZE of the ten tables at a million Patients (10.5 s on a
 * quiet machine) was cancelled again and again beside a load, and the tables it had not
 * reached kept statistics from millions of rows before (docs/storage.md).
 */
export async function onMaintenanceConnection<T>(knex: Knex, run: (sql: Sql) => Promise<T>): Promise<T> {
  // Embedded PGlite has no statement_timeout and one connection.
  if ((knex.client as Knex.Client).config.client !== 'pg') return run((statement) => knex.raw(statement));
  const connection = (await knex.client.acquireConnection()) as pg.Client;
  const sql: Sql = (statement) => knex.raw(statement).connection(connection);
  try {
    await sql(`SET statement_timeout = '${MAINTENANCE_TIMEOUT}'`);
    return await run(sql);
  } finally {
    // The session's own timeout again (the one it connected with) before the pool hands it out;
    // a connection that cannot say so is closed, and the pool drops it.
    await sql('RESET statement_timeout').catch(() => connection.end().catch(() => undefined));
    await knex.client.releaseConnection(connection);
  }
}
