import type { Response } from 'express';

/** The caller's budget after this request, as the RateLimit-* headers and the /v1 envelopes report it. */
export interface RateLimitState {
  total: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

export function setRateLimitState(res: Response, state: RateLimitState): void {
  res.locals.rateLimit = state;
}

/** Undefined only for paths the limiter does not cover. */
export function rateLimitStateOf(res: Response): RateLimitState | undefined {
  return res.locals.rateLimit as RateLimitState | undefined;
}
