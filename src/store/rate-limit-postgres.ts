import type { Knex } from 'knex';
import type { RateLimitCounter, WindowUsage } from './rate-limit-counter';

const PURGE_EVERY_MS = 60_000;

/**
 * Counters in `rate_limit_counters`, shared by every process on the database. One UPSERT
 * counts the hits, opens a new window when the old one has expired, and reports the total;
 * the row lock ON CONFLICT takes makes concurrent hits on one key add up exactly.
 * https://www.postgresql.org/docs/current/sql-insert.html#SQL-ON-CONFLICT
 */
export class PostgresRateLimitCounter implements RateLimitCounter {
  private lastPurge = Date.now();

  constructor(
    private readonly knex: Knex,
    private readonly windowSeconds: number,
    private readonly purgeEveryMs = PURGE_EVERY_MS,
  ) {}

  async hit(key: string): Promise<WindowUsage> {
    const [usage] = await this.add([{ key, hits: 1 }]);
    if (!usage) throw new Error('rate limit UPSERT returned no row');
    return usage;
  }

  /**
   * Counts several keys' hits in one statement, each key at most once, in key order (so that
   * processes flushing overlapping keys lock rows in the same order); the usage of each, in order.
   */
  async add(batch: readonly { key: string; hits: number }[]): Promise<WindowUsage[]> {
    await this.purgeExpiredNowAndThen();
    const sorted = [...batch].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const result = await this.knex.raw<{ rows: { key: string; points: number; ms_left: number }[] }>(
      `INSERT INTO rate_limit_counters AS c (key, points, expires_at)
       SELECT i.key, i.hits, clock_timestamp() + make_interval(secs => ?) FROM unnest(?::text[], ?::int[]) AS i(key, hits)
       ON CONFLICT (key) DO UPDATE SET
         points = CASE WHEN c.expires_at <= clock_timestamp() THEN excluded.points ELSE c.points + excluded.points END,
         expires_at = CASE WHEN c.expires_at <= clock_timestamp() THEN excluded.expires_at ELSE c.expires_at END
       RETURNING key, points, GREATEST(0, EXTRACT(EPOCH FROM (expires_at - clock_timestamp())) * 1000)::float8 AS ms_left`,
      [this.windowSeconds, sorted.map((b) => b.key), sorted.map((b) => b.hits)],
    );
    const byKey = new Map(result.rows.map((row) => [row.key, { consumed: Number(row.points), msBeforeReset: Math.ceil(Number(row.ms_left)) }]));
    return batch.map((b) => byKey.get(b.key) ?? { consumed: b.hits, msBeforeReset: this.windowSeconds * 1000 });
  }

  /** Expired rows are dead weight (a new window overwrites them anyway); drop them now and then. */
  private async purgeExpiredNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPurge < this.purgeEveryMs) return;
    this.lastPurge = Date.now();
    await this.knex('rate_limit_counters').where('expires_at', '<', this.knex.raw('clock_timestamp()')).delete();
  }
}
