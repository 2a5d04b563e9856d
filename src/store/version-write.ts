import type { Knex } from 'knex';

const VERSION_COLUMNS = ['tenant_id', 'resource_type', 'id', 'version_id', 'last_updated', 'created_at', 'deleted', 'content'];

/** Opens every statement that writes one resource version: what the statistics keeper counts. */
export const VERSION_WRITE_MARK = '/* resource version */';

/**
 * Writes the current row and the same row into the version history in one statement (one
 * round trip): the history row is inserted only when the current row was; answers how many.
 */
export async function withVersionRow(db: Knex | Knex.Transaction, current: Knex.QueryBuilder): Promise<number> {
  const { sql, bindings } = current.returning(VERSION_COLUMNS).toSQL();
  const columns = VERSION_COLUMNS.join(', ');
  const result = (await db.raw(
    `${VERSION_WRITE_MARK} WITH written AS (${sql}) INSERT INTO resource_versions (${columns}) SELECT ${columns} FROM written`,
    bindings,
  )) as { rowCount?: number | null; affectedRows?: number };
  return result.rowCount ?? result.affectedRows ?? 0;
}
