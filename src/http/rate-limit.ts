import type { NextFunction, Request, Response } from 'express';
import type { RateLimitCounter, WindowSettings, WindowUsage } from '../store/rate-limit-counter';
import { ProblemError } from '../problems/problem';
import { rateLimitKey } from './rate-limit-key';
import { setRateLimitState, type RateLimitState } from './rate-limit-state';

/**
 * Spends one point of the caller's budget per request and reports what is left in the
 * RateLimit-* headers (https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/)
 * and in `res.locals` for the envelopes that repeat it. Over budget: a 429 with Retry-After,
 * worded by the path's API family. Rejected requests count too.
 */
export function rateLimit(counter: RateLimitCounter, settings: WindowSettings) {
  const policy = `${settings.points};w=${settings.windowSeconds}`;
  const answer = (usage: WindowUsage, res: Response, next: NextFunction): void => {
    const state: RateLimitState = {
      total: settings.points,
      remaining: Math.max(0, settings.points - usage.consumed),
      resetSeconds: Math.ceil(usage.msBeforeReset / 1000),
    };
    setRateLimitState(res, state);
    res.setHeader('RateLimit-Policy', policy);
    res.setHeader('RateLimit-Limit', String(state.total));
    res.setHeader('RateLimit-Remaining', String(state.remaining));
    res.setHeader('RateLimit-Reset', String(state.resetSeconds));
    if (usage.consumed <= settings.points) {
      next();
      return;
    }
    const retryAfter = Math.max(1, state.resetSeconds);
    next(
      new ProblemError({
        kind: 'tooManyRequests',
        code: 'rate_limited',
        message: `Rate limit of ${settings.points} requests per ${settings.windowSeconds} seconds exceeded; retry in ${retryAfter} seconds`,
        headers: { 'Retry-After': String(retryAfter) },
      }),
    );
  };
  // Counted in memory most of the time: then the request goes on without a promise.
  return (req: Request, res: Response, next: NextFunction): Promise<void> | void => {
    // The policy is part of the key, so a changed budget or window takes effect at once.
    const usage = counter.hit(`${settings.points}/${settings.windowSeconds}/${rateLimitKey(req)}`);
    if (usage instanceof Promise) return usage.then((counted) => answer(counted, res, next));
    answer(usage, res, next);
  };
}
