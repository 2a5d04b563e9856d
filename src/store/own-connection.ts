import type { Knex } from 'knex';
import pg from 'pg';
import { POOL_ACQUIRE_TIMEOUT_MS } from './db';

/**
 * A PostgreSQL connection outside the pool, with the pool's settings and schema search path,
 * and `startup` settings of its own (sent as the session starts: no statement, so no timeout,
 * sets them). The caller ends it.
 */
export async function openOwnConnection(knex: Knex, startup: pg.ClientConfig = {}): Promise<pg.Client> {
  const client = knex.client as Knex.Client;
  // Bounded as a request's wait for a pool connection, or a host that drops packets would hold the
  // caller (and a shutdown waiting for it) for minutes.
  const connection = new pg.Client({ connectionTimeoutMillis: POOL_ACQUIRE_TIMEOUT_MS, ...(client.connectionSettings as pg.ClientConfig), ...startup });
  // A backend that dies while the session is open rejects what it was running; the event must not crash the process.
  connection.on('error', () => undefined);
  await connection.connect();
  try {
    const searchPath = [client.config.searchPath ?? []]
      .flat()
      .map((name) => `"${name.replace(/"/g, '""')}"`)
      .join(', ');
    if (searchPath) await connection.query("SELECT set_config('search_path', $1, false)", [searchPath]);
    return connection;
  } catch (err) {
    await connection.end().catch(() => undefined);
    throw err;
  }
}
