import type { Knex } from 'knex';
import type { Logger } from '../logger';
import { INDEXED_TYPES } from './index-rows';
import { versionsWrittenBy } from './version-write';

/** The tables whose statistics steer search plans. */
const RESOURCE_TABLES = ['resources', 'resource_versions', 'unique_keys'];
/**
 * Vacuumed as well: their rows are deleted and written again on every update, and a date
 * search reads its matches from the covering range index alone only where VACUUM has marked
 * the pages all-visible (migration 017).
 */
const SEARCH_TABLES = INDEXED_TYPES.map((type) => `search_${type}`);

export interface StatisticsSettings {
  /** Analyse once at least this many resource versions were written since the last time… */
  minRows: number;
  /** …and at least this fraction of the rows the planner last counted (as autovacuum's analyze scale factor). */
  fraction: number;
  /** How often the count is looked at. */
  checkEveryMs: number;
}

export const DEFAULT_STATISTICS: StatisticsSettings = { minRows: 500, fraction: 0.1, checkEveryMs: 2_000 };

/**
 * Keeps planner statistics fresh after large writes, without relying on autovacuum (off on
 * embedded PGlite, often off or a minute late on servers): right after a bulk load the
 * planner otherwise believes the tables are empty and picks nested loops over whole index
 * tables (a search went from 1.6 ms to 1.6 s). Counts the resource versions this process
 * writes (the rows their version-write statements return) and, once enough were written, runs
 * VACUUM (ANALYZE) on the search tables and ANALYZE on the others, in the background and one at
 * a time (SKIP_LOCKED: another server process may be at it already). Returns the function that stops it.
 */
export function keepStatisticsFresh(knex: Knex, logger: Logger, settings: StatisticsSettings = DEFAULT_STATISTICS): () => Promise<void> {
  let written = 0;
  let counted = 0;
  let running: Promise<void> | undefined;
  const onResponse = (response: unknown, query: { sql?: string }): void => {
    written += versionsWrittenBy(query.sql, response) ?? 0;
  };
  knex.on('query-response', onResponse);

  const analyze = async (): Promise<void> => {
    const since = written;
    try {
      await knex.raw(`VACUUM (ANALYZE, SKIP_LOCKED) ${SEARCH_TABLES.join(', ')}`);
      await knex.raw(`ANALYZE (SKIP_LOCKED) ${RESOURCE_TABLES.join(', ')}`);
      const [row] = (await knex.raw(`SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = to_regclass('resources')`)).rows as { rows: number }[];
      counted = Math.max(row?.rows ?? 0, 0);
      written -= since;
    } catch (err) {
      logger.warn({ errName: (err as Error)?.name }, 'VACUUM or ANALYZE failed');
    }
  };
  // An ANALYZE taken while a load is still writing sees only what had committed: once the
  // writes stop, one more brings the statistics up to the end of the load.
  let duringLoad = false;
  let seen = 0;
  const check = (): void => {
    const quiet = written === seen;
    seen = written;
    if (running) return;
    if (written >= Math.max(settings.minRows, settings.fraction * counted)) duringLoad = true;
    else if (!(duringLoad && quiet && written > 0)) return;
    else duringLoad = false;
    running = analyze().finally(() => (running = undefined));
  };
  running = analyze().finally(() => (running = undefined));
  const timer = setInterval(check, settings.checkEveryMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    knex.off('query-response', onResponse);
    await running;
  };
}
