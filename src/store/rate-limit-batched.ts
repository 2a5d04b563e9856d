import type { Logger } from '../logger';
import type { RateLimitCounter, WindowUsage } from './rate-limit-counter';
import type { PostgresRateLimitCounter } from './rate-limit-postgres';

const FLUSH_EVERY_MS = 200;

interface KeyState {
  /** The key's count in the database when this process last heard it. */
  shared: number;
  /** Hits counted here and not yet written. */
  pending: number;
  resetAt: number;
}

/**
 * PostgreSQL counters without a database round trip per request: hits far from the limit are
 * counted in memory and written every FLUSH_EVERY_MS, all keys in one statement; the first hit
 * of a window and every hit near the limit go to the database at once, so the limit itself is
 * enforced on the shared count. What several processes can overshoot by is the hits each of
 * them counts in one flush interval while the key is still `margin` below the limit.
 */
export class BatchedRateLimitCounter implements RateLimitCounter {
  private readonly keys = new Map<string, KeyState>();
  private readonly margin: number;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: PostgresRateLimitCounter,
    private readonly points: number,
    private readonly logger: Logger,
  ) {
    this.margin = Math.max(10, Math.ceil(points * 0.05));
  }

  hit(key: string): WindowUsage | Promise<WindowUsage> {
    const now = Date.now();
    const state = this.keys.get(key);
    const live = state !== undefined && state.resetAt > now;
    if (live && state.shared + state.pending + 1 < this.points - this.margin) {
      state.pending++;
      this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS).unref();
      return { consumed: state.shared + state.pending, msBeforeReset: state.resetAt - now };
    }
    // At once, with the key's unwritten hits of this window.
    const hits = 1 + (live ? state.pending : 0);
    if (state) state.pending = 0;
    return this.addNow(key, hits);
  }

  private async addNow(key: string, hits: number): Promise<WindowUsage> {
    const [usage] = await this.store.add([{ key, hits }]);
    if (!usage) throw new Error('rate limit UPSERT returned no row');
    this.remember(key, usage);
    return usage;
  }

  /** Writes every key's unwritten hits in one statement; on failure they wait for the next flush. */
  async flush(): Promise<void> {
    this.timer = undefined;
    const now = Date.now();
    const batch: { key: string; hits: number }[] = [];
    for (const [key, state] of this.keys) {
      if (state.resetAt <= now) this.keys.delete(key);
      else if (state.pending > 0) {
        batch.push({ key, hits: state.pending });
        state.pending = 0;
      }
    }
    if (batch.length === 0) return;
    try {
      const usages = await this.store.add(batch);
      usages.forEach((usage, i) => this.remember(batch[i]!.key, usage));
    } catch (err) {
      for (const { key, hits } of batch) {
        const state = this.keys.get(key);
        if (state) state.pending += hits;
      }
      this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS * 5).unref();
      this.logger.warn({ errName: (err as Error)?.name, keys: batch.length }, 'rate-limit counts not written; retrying');
    }
  }

  private remember(key: string, usage: WindowUsage): void {
    const state = this.keys.get(key);
    const resetAt = Date.now() + usage.msBeforeReset;
    if (state && Math.abs(state.resetAt - resetAt) < 1000) state.shared = Math.max(state.shared, usage.consumed);
    else this.keys.set(key, { shared: usage.consumed, pending: 0, resetAt });
  }
}
