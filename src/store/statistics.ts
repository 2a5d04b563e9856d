import type { Knex } from 'knex';
import { errorLogFields, type Logger } from '../logger';
import { onMaintenanceConnection, type Sql } from './maintenance-connection';
import { INDEXED_TYPES } from './index-rows';
import { versionsWrittenBy } from './version-write';
import { auditEventsWrittenBy } from './audit-log';

const SEARCH_TABLES = INDEXED_TYPES.map((type) => `search_${type}`);
/** The tables whose statistics steer search plans. */
const ANALYZED = ['resources', 'resource_versions', 'unique_keys', ...SEARCH_TABLES];
/**
 * Vacuumed in every pass, after the ANALYZE: a date search reads its matches from the covering
 * range index alone only where VACUUM has marked the pages all-visible (migration 017),
 * `search_date` first. Without the indexes' cleanup (GROWTH_VACUUM_OPTIONS), VACUUM reads only
 * the pages changed since the last one, so during a load each pass takes what the last 10% added,
 * and the tables are ready when it ends: left to a quiet moment after a million Patients, VACUUM
 * took ~25 s of I/O beside the first searches, which slowed every one of them. Their rows are
 * deleted and written again with every version: the dead ones are reclaimed once the writes stop,
 * or with `resources`' (VACUUMED_WHEN_DEAD).
 */
const VACUUMED = ['search_date', ...SEARCH_TABLES.filter((table) => table !== 'search_date')];
/**
 * Vacuumed only once updates and deletions have left enough dead rows in them, counted as
 * autovacuum counts them (50 + 20% of the rows): after a load of new resources they have
 * nothing to reclaim, and VACUUM would read the whole load (8 s at a million Patients). The
 * search tables' dead rows, which the passes that follow the writes leave, are reclaimed with them.
 */
const VACUUMED_WHEN_DEAD = ['resources', 'unique_keys'];
/**
 * Analysed on its own as its events add up: every request writes one, reads included, so it
 * grows where no version is written, and its searches' plans (a page walked in time order for a
 * resource most events name, or read from the entity index for a rare one) follow its statistics.
 */
const AUDIT_TRAIL = 'audit_events';
/**
 * The trail is analysed again once it has doubled, not at every tenth: what its plans follow is
 * how its events spread over entities and time, which growth alone rarely changes, while it grows
 * with every request. At a tenth, reads by id at 16 connections analysed it 2–8 times in 20 s,
 * ~6 µs of PostgreSQL's CPU per read (a seventh of it).
 */
const AUDIT_TRAIL_FRACTION = 1;
/**
 * Without parallel workers: a parallel VACUUM starts two workers for each table's index cleanup
 * even with nothing to clean (a pass over the search tables at 100,000 Patients with nothing to
 * do took 125–131 ms with them, 16–19 ms without), and on a few cores they take the CPU of the
 * requests the pass runs beside.
 */
const VACUUM_OPTIONS = '(SKIP_LOCKED, PARALLEL 0)';
/**
 * The passes that follow the writes skip the indexes' cleanup. With nothing to reclaim, a GIN's
 * and a GiST's cleanup still reads every page of the index (to count them), which made each pass
 * cost the size of the trigram and date-range indexes rather than what was written: a pass over
 * the search tables of 100,000 Patients with nothing new took 35 ms (80 cold) against 1 ms
 * without. The dead rows those passes leave are reclaimed by a pass with the cleanup, after the
 * writes stop or with `resources`' dead rows while they go on.
 */
const GROWTH_VACUUM_OPTIONS = '(SKIP_LOCKED, PARALLEL 0, INDEX_CLEANUP OFF)';
/** Autovacuum's base threshold, of its VACUUM (with 20% of the rows) and of its ANALYZE (with 10%). */
const AUTOVACUUM_BASE_THRESHOLD = 50;
const DEAD_ROWS_FRACTION = 0.2;
/** The tables, as a list of `regclass` values for `oid IN (…)`. */
const regclasses = (tables: readonly string[]): string => tables.map((table) => `to_regclass('${table}')`).join(', ');
/**
 * What the cleanup did that the writes need: the entries a GIN index holds in its pending list
 * (unsorted, read whole by every search of the index) moved into its tree, as many as were added.
 * Of the indexes the role owns, as VACUUM passes over the tables it does not.
 */
const mergeGinPendingLists = (tables: readonly string[]): string =>
  `SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid JOIN pg_am AS a ON a.oid = c.relam
     WHERE a.amname = 'gin' AND i.indrelid IN (${regclasses(tables)}) AND pg_has_role(c.relowner, 'MEMBER')`;

/** The names of the tables (`c`, pg_class) whose row, with their counts (`s`, pg_stat_user_tables), meets `condition`. */
async function tablesWhere(sql: Sql, condition: string): Promise<string[]> {
  const { rows } = await sql(`SELECT c.relname AS name FROM pg_class AS c LEFT JOIN pg_stat_user_tables AS s ON s.relid = c.oid WHERE ${condition}`);
  return (rows as { name: string }[]).map((row) => row.name);
}

export interface StatisticsSettings {
  /** Analyse once at least this many resource versions were written since the last time… */
  minRows: number;
  /** …and at least this fraction of the rows the planner last counted (as autovacuum's analyze scale factor). */
  fraction: number;
  /**
   * A bulk load's answer waits for an ANALYZE only once this fraction was written: plans go
   * wrong when a table outgrows its statistics many times over (the planner scales its row
   * counts by the table's current size), not when it grew by a tenth or doubled. Each wait holds
   * the load's pipeline for the ANALYZE's length, and a load from empty doubles its tables again
   * and again (a 50,946-resource load from empty: 7–8 ANALYZEs in all at 1, 9–10 at 0.5).
   */
  settleFraction: number;
  /**
   * The largest share of the time the background's ANALYZE may take: each costs about the same
   * once the tables outgrow its sample (~1.6 s for nine tables on these two cores), and while a
   * load or a write benchmark grows the tables they were otherwise due back to back. VACUUM,
   * whose work is what was written since the last one, is not held back.
   */
  busyShare: number;
  /** How often the count is looked at. */
  checkEveryMs: number;
}

export interface StatisticsKeeper {
  /**
   * Runs a bulk load, then, when the tables outgrew their statistics (`settleFraction`), analyses
   * before answering, so that a search sent right after the load is not planned on statistics of
   * far fewer rows (a chained search then took 15 s). A load that ends while another is still
   * writing starts that ANALYZE without waiting for it: the other's end waits instead, so the
   * last answer of loads sent side by side still comes after statistics that hold them all.
   * Waiting at every load's end held the pipeline of a client sending its chunks two at a time
   * (docs/performance-history.md, "Loads side by side").
   */
  bulkLoad<T>(load: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

export const DEFAULT_STATISTICS: StatisticsSettings = { minRows: 500, fraction: 0.1, settleFraction: 1, busyShare: 0.1, checkEveryMs: 2_000 };

/**
 * Keeps planner statistics fresh after large writes, without relying on autovacuum (off on
 * embedded PGlite, often off or a minute late on servers): right after a bulk load the
 * planner otherwise believes the tables are empty and picks nested loops over whole index
 * tables (a search went from 1.6 ms to 1.6 s). Counts the resource versions this process
 * writes (the rows their version-write statements return) and, once enough were written, runs
 * ANALYZE on these tables, resting after each in proportion to its length, and VACUUM on the
 * search tables as the writes add up, in the background and one pass at a time (SKIP_LOCKED:
 * another server process may be at it already). It also counts the versions that replaced a
 * current row, and vacuums `resources` once their dead rows add up; and the audit events, to
 * analyse the trail as they add up.
 */
export function keepStatisticsFresh(knex: Knex, logger: Logger, settings: StatisticsSettings = DEFAULT_STATISTICS): StatisticsKeeper {
  /** Versions written since the last ANALYZE, and since the last VACUUM of the search tables. */
  let written = 0;
  let unvacuumed = 0;
  let replacing = 0;
  let counted = 0;
  /** Audit events written since the trail's last ANALYZE, and the rows it counted then. */
  let auditWritten = 0;
  let auditCounted = 0;
  let running: Promise<void> | undefined;
  const onResponse = (response: unknown, query: { sql?: string }): void => {
    const versions = versionsWrittenBy(query.sql, response);
    written += versions?.versions ?? 0;
    unvacuumed += versions?.versions ?? 0;
    replacing += versions?.replacing ?? 0;
    auditWritten += auditEventsWrittenBy(query.sql, response);
  };
  knex.on('query-response', onResponse);

  /** Runs one maintenance step, not held to the requests' statement timeout; a failure is logged, and the next pass tries again. */
  const maintain = async (label: string, step: (sql: Sql) => Promise<unknown>): Promise<void> => {
    try {
      await onMaintenanceConnection(knex, step);
    } catch (err) {
      const { errName, errCode } = errorLogFields(err);
      logger.warn({ errName, errCode }, `${label} failed`);
    }
  };
  let restUntil = 0;
  /**
   * ANALYZE of `tables` (at start-up, of those PostgreSQL counts as `behind` by `fraction`),
   * after which the background's next waits in proportion to its length (`busyShare`); answers
   * the rows the planner now counts in `countedTable`, nothing when it failed.
   */
  const analyzed = async (tables: string[], countedTable: string, fraction: number, startingUp: boolean): Promise<number | undefined> => {
    const began = Date.now();
    let rows: number | undefined;
    await maintain('ANALYZE', async (sql) => {
      const due = startingUp ? await behind(sql, tables, fraction) : tables;
      if (due.length > 0) await sql(`ANALYZE (SKIP_LOCKED) ${due.join(', ')}`);
      const [row] = (await sql(`SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = to_regclass('${countedTable}')`)).rows as { rows: number }[];
      rows = Math.max(row?.rows ?? 0, 0);
    });
    const ended = Date.now();
    restUntil = ended + (ended - began) * (1 / settings.busyShare - 1);
    return rows;
  };
  /**
   * Of `tables`, those whose statistics PostgreSQL's own counts show behind: at least 50 +
   * `fraction` of their rows written since their last ANALYZE, autovacuum's rule, or no
   * ANALYZE on record (never analysed, or the counts lost with a crash). At a million Patients
   * an ANALYZE of every table took 10–33 s of reading beside the first requests after a restart.
   */
  const behind = async (sql: Sql, tables: string[], fraction: number): Promise<string[]> => {
    return tablesWhere(
      sql,
      `c.oid IN (${regclasses(tables)}) AND (coalesce(s.last_analyze, s.last_autoanalyze) IS NULL
         OR s.n_mod_since_analyze >= ${AUTOVACUUM_BASE_THRESHOLD} + ${fraction} * greatest(c.reltuples, 0))`,
    );
  };
  const analyze = async (startingUp = false): Promise<void> => {
    const since = written;
    const rows = await analyzed(ANALYZED, 'resources', settings.fraction, startingUp);
    if (rows === undefined) return;
    counted = rows;
    written -= since;
  };
  const analyzeAuditTrail = async (startingUp = false): Promise<void> => {
    const since = auditWritten;
    const rows = await analyzed([AUDIT_TRAIL], AUDIT_TRAIL, AUDIT_TRAIL_FRACTION, startingUp);
    if (rows === undefined) return;
    auditCounted = rows;
    auditWritten -= since;
  };
  /**
   * VACUUM takes what was written since the last one, so it follows the writes without a rest;
   * with the indexes' cleanup, which reclaims the dead rows versions left, once the writes stopped
   * or those rows add up.
   */
  const vacuumSearchTables = (reclaiming: boolean): Promise<void> =>
    maintain('VACUUM', async (sql) => {
      const since = unvacuumed;
      await sql(`VACUUM ${reclaiming ? VACUUM_OPTIONS : GROWTH_VACUUM_OPTIONS} ${VACUUMED.join(', ')}`);
      if (!reclaiming) await sql(mergeGinPendingLists(VACUUMED));
      unvacuumed -= since;
    });
  /**
   * At start-up: VACUUM when some search table was written since its last VACUUM, by
   * PostgreSQL's counts, or has pages not all-visible (what the ANALYZE counted, when the counts
   * were lost); and `resources` or `unique_keys` when the dead rows PostgreSQL counts there reach
   * the threshold this keeper holds its own count to. What an earlier process wrote and did not
   * vacuum (up to a tenth of the tables, or a whole load when it stopped within seconds of one)
   * is not this keeper's count: index-only probes would read the heap page of each match there,
   * and the dead rows would stay, until this process had written as much again. VACUUM reads only
   * those pages, and an index's cleanup.
   */
  const vacuumWhatWasLeft = (): Promise<void> =>
    maintain('VACUUM', async (sql) => {
      const tables = await tablesWhere(
        sql,
        `c.oid IN (${regclasses(VACUUMED)}) AND (c.relallvisible < c.relpages OR s.n_ins_since_vacuum > 0 OR s.n_dead_tup > 0)
           OR c.oid IN (${regclasses(VACUUMED_WHEN_DEAD)}) AND s.n_dead_tup >= ${AUTOVACUUM_BASE_THRESHOLD} + ${DEAD_ROWS_FRACTION} * greatest(c.reltuples, 0)`,
      );
      if (tables.length === 0) return;
      logger.info({ tables }, 'VACUUM at start-up: an earlier process left rows of these tables unvacuumed');
      if (VACUUMED.some((table) => tables.includes(table))) await sql(`VACUUM ${VACUUM_OPTIONS} ${VACUUMED.join(', ')}`);
      const dead = VACUUMED_WHEN_DEAD.filter((table) => tables.includes(table));
      if (dead.length > 0) await sql(`VACUUM ${VACUUM_OPTIONS} ${dead.join(', ')}`);
    });
  const deadRowsDue = (): boolean => replacing >= AUTOVACUUM_BASE_THRESHOLD + DEAD_ROWS_FRACTION * counted;
  const vacuumDeadRows = (): Promise<void> =>
    maintain('VACUUM', async (sql) => {
      const since = replacing;
      await sql(`VACUUM ${VACUUM_OPTIONS} ${VACUUMED_WHEN_DEAD.join(', ')}`);
      replacing -= since;
    });
  const start = (pass: () => Promise<void>): Promise<void> => (running = pass().finally(() => (running = undefined)));
  /** Whether `count` rows written since is enough to act on, for a table whose planner last counted `rows`. */
  const behindBy = (count: number, fraction: number, rows = counted): boolean => count >= Math.max(settings.minRows, fraction * rows);
  const due = (): boolean => behindBy(written, settings.fraction);
  // An ANALYZE taken while a load is still writing sees only what had committed: once the
  // writes stop, one more brings the statistics up to the end of the load, and a VACUUM marks
  // its last pages all-visible. The ANALYZE runs even when no version was counted since: a
  // version is counted when its statement answers, before its transaction commits, so the
  // last ANALYZE may have counted a batch it could not see.
  let duringLoad = false;
  let seen = 0;
  const check = (): void => {
    const loadEnded = duringLoad && written === seen;
    seen = written;
    if (running) return;
    const rested = Date.now() >= restUntil;
    const analyzing = rested && (due() || loadEnded);
    const analyzingAuditTrail = rested && !analyzing && behindBy(auditWritten, AUDIT_TRAIL_FRACTION, auditCounted);
    const vacuuming = analyzing || behindBy(unvacuumed, settings.fraction) || (loadEnded && unvacuumed > 0);
    const reclaiming = deadRowsDue();
    if (!analyzing && !analyzingAuditTrail && !vacuuming && !reclaiming) return;
    if (analyzing) duringLoad = due();
    void start(async () => {
      if (analyzing) await analyze();
      if (analyzingAuditTrail) await analyzeAuditTrail();
      if (vacuuming || reclaiming) await vacuumSearchTables(loadEnded || reclaiming);
      if (reclaiming) await vacuumDeadRows();
    });
  };
  void start(async () => {
    await analyze(true);
    await analyzeAuditTrail(true);
    await vacuumWhatWasLeft();
  });
  const timer = setInterval(check, settings.checkEveryMs);
  timer.unref();
  let loadsUnderWay = 0;
  /**
   * When the statistics are far behind: with no other load under way, waits for the pass under
   * way or runs its own and waits for it (leaving the VACUUM to the next check, so that the answer
   * waits for the statistics alone); with another, starts the pass if none runs and leaves the
   * wait to the last load's end.
   */
  const settle = async (): Promise<void> => {
    while (behindBy(written, settings.settleFraction)) {
      if (!running) {
        duringLoad = true;
        const pass = start(analyze);
        if (loadsUnderWay === 0) await pass;
        return;
      }
      if (loadsUnderWay > 0) return;
      await running;
    }
  };
  return {
    async bulkLoad(load) {
      loadsUnderWay += 1;
      try {
        return await load();
      } finally {
        loadsUnderWay -= 1;
        await settle();
      }
    },
    async stop() {
      clearInterval(timer);
      knex.off('query-response', onResponse);
      await running;
    },
  };
}
