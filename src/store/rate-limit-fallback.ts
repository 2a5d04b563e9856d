import type { RateLimitCounter, WindowUsage } from './rate-limit-counter';

const REPORT_EVERY_MS = 60_000;
const RETRY_PRIMARY_AFTER_MS = 5_000;

/**
 * Counts in `fallback` (this process's memory) while `primary` fails: a Redis or database blip
 * then neither blocks the API nor lifts the limit. After a failure the primary rests for a few
 * seconds, so an outage does not add a timeout to every request; `onFailure` hears of it at
 * most once a minute.
 */
export class FallbackCounter implements RateLimitCounter {
  private lastReport = 0;
  private primaryRestsUntil = 0;

  constructor(
    private readonly primary: RateLimitCounter,
    private readonly fallback: RateLimitCounter,
    private readonly onFailure: (err: unknown) => void,
  ) {}

  hit(key: string): WindowUsage | Promise<WindowUsage> {
    if (Date.now() < this.primaryRestsUntil) return this.fallback.hit(key);
    try {
      const usage = this.primary.hit(key);
      return usage instanceof Promise ? usage.catch((err: unknown) => this.failOver(err, key)) : usage;
    } catch (err) {
      return this.failOver(err, key);
    }
  }

  private failOver(err: unknown, key: string): WindowUsage | Promise<WindowUsage> {
    this.primaryRestsUntil = Date.now() + RETRY_PRIMARY_AFTER_MS;
    if (Date.now() - this.lastReport >= REPORT_EVERY_MS) {
      this.lastReport = Date.now();
      this.onFailure(err);
    }
    return this.fallback.hit(key);
  }
}
