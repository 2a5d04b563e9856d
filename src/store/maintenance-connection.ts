import type { Knex } from 'knex';
import { openOwnConnection } from './own-connection';

/**
 * A bound on a maintenance statement that has gone wrong, not on its work: ANALYZE and VACUUM
 * of tables of millions of rows take longer than a request may (statement_timeout, db.ts).
 */
const MAINTENANCE_TIMEOUT_MS = 10 * 60 * 1000;

export type Sql = (statement: string) => Promise<{ rows: unknown[] }>;

/**
 * The query context of maintenance statements sent through the app's own knex (PGlite), so that
 * a listener to its `query` events can tell them from the requests' statements.
 */
export const MAINTENANCE_QUERY_CONTEXT = Object.freeze({ maintenance: true });

/**
 * Runs `run` on a connection of its own whose statement_timeout is the maintenance bound, closed
 * after. Under the requests' 15 s, an ANALYZE of the ten tables at a million Patients (10.5 s
 * on a quiet machine) was cancelled again and again beside a load, and the tables it had not
 * reached kept statistics from millions of rows before (docs/storage.md). The bound is set as
 * the session starts, not by a `SET` on a pool connection: a `SET` is a statement under the
 * requests' timeout, which a busy machine can let expire before it has run.
 */
export async function onMaintenanceConnection<T>(knex: Knex, run: (sql: Sql) => Promise<T>): Promise<T> {
  // Embedded PGlite has no statement_timeout and one connection.
  if ((knex.client as Knex.Client).config.client !== 'pg') return run((statement) => knex.raw(statement).queryContext(MAINTENANCE_QUERY_CONTEXT));
  const connection = await openOwnConnection(knex, { statement_timeout: MAINTENANCE_TIMEOUT_MS });
  try {
    return await run((statement) => connection.query(statement));
  } finally {
    await connection.end().catch(() => undefined);
  }
}
