import type { Knex } from 'knex';
import { escapeLiteral } from 'pg';
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

/** Runs a statement the app sent (`statementsDuring`) again, with its values: its rows. */
export async function rowsOf<Row>(app: TestApp, statement: Statement): Promise<Row[]> {
  const { rows } = (await app.knex.raw(asKnexPlaceholders(statement.sql), statement.bindings as never[])) as { rows: Row[] };
  return rows;
}

export interface PlanOptions {
  /** Run the statement too (`EXPLAIN ANALYZE`). */
  analyze?: boolean;
  /** Plan it as a prepared statement does for any value (a generic plan), its values given at `EXECUTE`. */
  generic?: boolean;
}

/**
 * The lines of `EXPLAIN` of a statement, planned for its values after `setup` (`SET LOCAL …`,
 * `DROP INDEX …`) in a transaction that is rolled back.
 */
export async function planOf(
  app: TestApp,
  statement: Statement,
  setup: readonly string[] = [],
  { analyze = false, generic = false }: PlanOptions = {},
): Promise<string[]> {
  const explain = analyze ? 'EXPLAIN (ANALYZE, COSTS OFF)' : 'EXPLAIN';
  const trx = await app.knex.transaction();
  try {
    for (const sql of setup) await trx.raw(sql);
    const explained = generic
      ? trx.raw(await explainPreparedForAnyValue(trx, explain, statement))
      : trx.raw(`${explain} ${asKnexPlaceholders(statement.sql)}`, statement.bindings as never[]);
    const { rows } = (await explained) as { rows: { 'QUERY PLAN': string }[] };
    return rows.map((row) => row['QUERY PLAN']);
  } finally {
    await trx.rollback();
  }
}

/** knex reports its `?` placeholders, or PostgreSQL's `$n` when it sent them so. */
function asKnexPlaceholders(sql: string): string {
  return sql.replace(/\$\d+/g, '?');
}

/** Prepares the statement in `trx` to be planned for any value; answers the `EXPLAIN EXECUTE` of it with its values written in. */
async function explainPreparedForAnyValue(trx: Knex.Transaction, explain: string, statement: Statement): Promise<string> {
  let n = 0;
  const text = asKnexPlaceholders(statement.sql).replace(/\?/g, () => `$${++n}`);
  await trx.raw('SET LOCAL plan_cache_mode = force_generic_plan');
  await trx.raw(`PREPARE planned_for_any_value AS ${text}`);
  const values = statement.bindings.map((v) => (typeof v === 'string' ? escapeLiteral(v) : String(v)));
  return `${explain} EXECUTE planned_for_any_value(${values.join(', ')})`;
}
