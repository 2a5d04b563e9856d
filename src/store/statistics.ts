import type { Knex } from 'knex';
import type { Logger } from '../logger';
import { INDEXED_TYPES } from './index-rows';
import { versionsWrittenBy } from './version-write';

const SEARCH_TABLES = INDEXED_TYPES.map((type) => `search_${type}`);
/** The tables whose statistics steer search plans. */
const ANALYZED = ['resources', 'resource_versions', 'unique_keys', ...SEARCH_TABLES];
/**
 * Vacuumed as well: an update or a deletion leaves a dead `resources` row, dead index rows and
 * keys behind, and a date search reads its matches from the covering range index alone only
 * where VACUUM has marked the pages all-visible (migration 017). After a million Patients are
 * loaded this takes ~25 s while searches go on, so `search_date` comes first (1.5 s there) and
 * `resources` last (8 s). `resource_versions` only ever grows, and no search reads it from an
 * index alone.
 */
const VACUUMED = ['search_date', ...SEARCH_TABLES.filter((table) => table !== 'search_date'), 'unique_keys', 'resources'];

export interface StatisticsSettings {
  /** Analyse once at least this many resource versions were written since the last time… */
  minRows: number;
  /** …and at least this fraction of the rows the planner last counted (as autovacuum's analyze scale factor). */
  fraction: number;
  /** How often the count is looked at. */
  checkEveryMs: number;
}

export interface StatisticsKeeper {
  /**
   * Analyses now, and waits for it, when enough was written since the last time: a bulk load
   * calls it before answering, so that a search sent right after the load is not planned on
   * statistics from its middle (a chained search then took 15 s).
   */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_STATISTICS: StatisticsSettings = { minRows: 500, fraction: 0.1, checkEveryMs: 2_000 };

/**
 * Keeps planner statistics fresh after large writes, without relying on autovacuum (off on
 * embedded PGlite, often off or a minute late on servers): right after a bulk load the
 * planner otherwise believes the tables are empty and picks nested loops over whole index
 * tables (a search went from 1.6 ms to 1.6 s). Counts the resource versions this process
 * writes (the rows their version-write statements return) and, once enough were written, runs
 * ANALYZE on these tables, and VACUUM on most of them once the writes are quiet, in the
 * background and one at a time (SKIP_LOCKED: another server process may be at it already).
 */
export function keepStatisticsFresh(knex: Knex, logger: Logger, settings: StatisticsSettings = DEFAULT_STATISTICS): StatisticsKeeper {
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
      await knex.raw(`ANALYZE (SKIP_LOCKED) ${ANALYZED.join(', ')}`);
      const [row] = (await knex.raw(`SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = to_regclass('resources')`)).rows as { rows: number }[];
      counted = Math.max(row?.rows ?? 0, 0);
      written -= since;
    } catch (err) {
      logger.warn({ errName: (err as Error)?.name }, 'ANALYZE failed');
    }
  };
  const vacuum = async (): Promise<void> => {
    try {
      await knex.raw(`VACUUM (SKIP_LOCKED) ${VACUUMED.join(', ')}`);
    } catch (err) {
      logger.warn({ errName: (err as Error)?.name }, 'VACUUM failed');
    }
  };
  const start = (pass: () => Promise<void>): Promise<void> => (running = pass().finally(() => (running = undefined)));
  const due = (): boolean => written >= Math.max(settings.minRows, settings.fraction * counted);
  // An ANALYZE taken while a load is still writing sees only what had committed: once the
  // writes stop, one more brings the statistics up to the end of the load. It runs even when
  // no version was counted since: a version is counted when its statement answers, before its
  // transaction commits, so the last ANALYZE may have counted a batch it could not see.
  // VACUUM waits for a quiet check after an ANALYZE, so that no ANALYZE waits behind it.
  let duringLoad = false;
  let vacuumOwed = true;
  let seen = 0;
  const check = (): void => {
    const quiet = written === seen;
    seen = written;
    if (running) return;
    if (due() || (duringLoad && quiet)) {
      duringLoad = due();
      vacuumOwed = true;
      void start(analyze);
    } else if (quiet && vacuumOwed) {
      vacuumOwed = false;
      void start(vacuum);
    }
  };
  void start(analyze);
  const timer = setInterval(check, settings.checkEveryMs);
  timer.unref();
  return {
    async settle() {
      // Waits for a pass under way (a VACUUM may take seconds) only when an ANALYZE is due.
      while (due()) {
        if (!running) {
          duringLoad = true;
          vacuumOwed = true;
          await start(analyze);
          return;
        }
        await running;
      }
    },
    async stop() {
      clearInterval(timer);
      knex.off('query-response', onResponse);
      await running;
    },
  };
}
