import type { Knex } from 'knex';
import type { RateLimitCounter, WindowUsage } from './rate-limit-counter';

const PURGE_EVERY_MS = 60_000;

/**
 * Counters in `rate_limit_counters`, shared by every process on the database. One UPSERT
 * counts the hit, opens a new window when the old one has expired, and reports the total;
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
    await this.purgeExpiredNowAndThen();
    const result = await this.knex.raw<{ rows: { points: number; ms_left: number }[] }>(
      `INSERT INTO rate_limit_counters AS c (key, points, expires_at)
       VALUES (?, 1, clock_timestamp() + make_interval(secs => ?))
       ON CONFLICT (key) DO UPDATE SET
         points = CASE WHEN c.expires_at <= clock_timestamp() THEN 1 ELSE c.points + 1 END,
         expires_at = CASE WHEN c.expires_at <= clock_timestamp() THEN excluded.expires_at ELSE c.expires_at END
       RETURNING points, GREATEST(0, EXTRACT(EPOCH FROM (expires_at - clock_timestamp())) * 1000)::float8 AS ms_left`,
      [key, this.windowSeconds],
    );
    const row = result.rows[0];
    if (!row) throw new Error('rate limit UPSERT returned no row');
    return { consumed: Number(row.points), msBeforeReset: Math.ceil(Number(row.ms_left)) };
  }

  /** Expired rows are dead weight (a new window overwrites them anyway); drop them now and then. */
  private async purgeExpiredNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPurge < this.purgeEveryMs) return;
    this.lastPurge = Date.now();
    await this.knex('rate_limit_counters').where('expires_at', '<', this.knex.raw('clock_timestamp()')).delete();
  }
}
