import {
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  wrap,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from 'cockatiel';
import { JunctionUnavailableError } from './errors';

export interface ResilienceOptions {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  /** Capped exponential backoff with jitter; `maxMs` also caps how long a Retry-After is honoured. */
  backoff: { initialMs: number; maxMs: number };
  /** Opens after `threshold` consecutive failed attempts; lets one call through after `halfOpenAfterMs`. */
  breaker: { threshold: number; halfOpenAfterMs: number };
}

/**
 * Retry outside the breaker (cockatiel's README order), so an open breaker fails the call at once
 * instead of being retried. The breaker counts Junction failing, not a retry that found the first
 * attempt still in progress.
 */
export function createResiliencePolicy(options: ResilienceOptions) {
  const retries = retry(
    handleWhen((err) => err instanceof JunctionUnavailableError && err.reason !== 'invalid_response'),
    {
      maxAttempts: options.maxAttempts - 1,
      backoff: honouringRetryAfter(new ExponentialBackoff({ initialDelay: options.backoff.initialMs, maxDelay: options.backoff.maxMs }), options.backoff.maxMs),
    },
  );
  const breaker = circuitBreaker(
    handleWhen((err) => err instanceof JunctionUnavailableError && err.reason !== 'in_progress'),
    { halfOpenAfter: options.breaker.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.breaker.threshold) },
  );
  return wrap(retries, breaker);
}

type RetryContext = IRetryBackoffContext<unknown>;

/** Waits at least what Junction's Retry-After asks, up to `capMs`. */
function honouringRetryAfter(inner: IBackoffFactory<RetryContext>, capMs: number): IBackoffFactory<RetryContext> {
  return {
    next(context: RetryContext): IBackoff<RetryContext> {
      const step = inner.next(context);
      const error = 'error' in context.result ? context.result.error : undefined;
      const asked = error instanceof JunctionUnavailableError ? (error.retryAfterMs ?? 0) : 0;
      return { duration: Math.min(capMs, Math.max(step.duration, asked)), next: honouringRetryAfter(step, capMs).next };
    },
  };
}
