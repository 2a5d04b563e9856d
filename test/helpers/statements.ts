import { MAINTENANCE_QUERY_CONTEXT } from '../../src/store/maintenance-connection';
import type { TestApp } from './test-app';

export interface Statement {
  sql: string;
  bindings: unknown[];
}

/**
 * The statements the app sends while `action` runs, of those whose text `wanted` accepts. The
 * statistics keeper's VACUUM and ANALYZE, which on PGlite share the app's knex at moments of
 * their own, are not among them.
 */
export async function statementsDuring(app: TestApp, wanted: (sql: string) => boolean, action: () => Promise<unknown>): Promise<Statement[]> {
  const seen: Statement[] = [];
  const onQuery = (q: { sql?: string; bindings?: unknown[]; queryContext?: unknown }): void => {
    if (q.sql !== undefined && q.queryContext !== MAINTENANCE_QUERY_CONTEXT && wanted(q.sql)) seen.push({ sql: q.sql, bindings: q.bindings ?? [] });
  };
  app.knex.on('query', onQuery);
  try {
    await action();
  } finally {
    app.knex.off('query', onQuery);
  }
  return seen;
}

/**
 * The lines of `EXPLAIN` of a statement, planned for its values after `setup` (`SET LOCAL …`,
 * `DROP INDEX …`) in a transaction that is rolled back; run too when `analyze`.
 */
export async function planOf(app: TestApp, statement: Statement, setup: readonly string[] = [], analyze = false): Promise<string[]> {
  const trx = await app.knex.transaction();
  try {
    for (const sql of setup) await trx.raw(sql);
    // knex reports its `?` placeholders, or PostgreSQL's `$n` when it sent them so.
    const sql = statement.sql.replace(/\$\d+/g, '?');
    const explain = analyze ? 'EXPLAIN (ANALYZE, COSTS OFF)' : 'EXPLAIN';
    const { rows } = (await trx.raw(`${explain} ${sql}`, statement.bindings as never[])) as { rows: { 'QUERY PLAN': string }[] };
    return rows.map((row) => row['QUERY PLAN']);
  } finally {
    await trx.rollback();
  }
}
