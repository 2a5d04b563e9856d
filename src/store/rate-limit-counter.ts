import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** What one key has used of its current window. */
export interface WindowUsage {
  /** Requests counted in the window, this one included. */
  consumed: number;
  /** Milliseconds until the window closes and counting starts again. */
  msBeforeReset: number;
}

/** A fixed-window request counter; the first request of a window opens it. */
export interface RateLimitCounter {
  /** The usage at once when this process can count the hit itself, else once the store has. */
  hit(key: string): WindowUsage | Promise<WindowUsage>;
}

export interface WindowSettings {
  /** Requests allowed per window. */
  points: number;
  windowSeconds: number;
}

/** A rate-limiter-flexible limiter as a counter: it rejects over-budget hits, we only count them. */
export class FlexibleCounter implements RateLimitCounter {
  constructor(private readonly limiter: RateLimiterAbstract) {}

  async hit(key: string): Promise<WindowUsage> {
    try {
      return usageOf(await this.limiter.consume(key));
    } catch (err) {
      if (err instanceof RateLimiterRes) return usageOf(err);
      throw err;
    }
  }
}

/** This process's own counts: only right for one process, hence only a fallback. */
export function memoryCounter(settings: WindowSettings): RateLimitCounter {
  return new FlexibleCounter(new RateLimiterMemory({ points: settings.points, duration: settings.windowSeconds }));
}

function usageOf(res: RateLimiterRes): WindowUsage {
  return { consumed: res.consumedPoints, msBeforeReset: Math.max(0, res.msBeforeNext) };
}
