/**
 * What can go wrong when we call Junction. Messages carry only our own words, status codes and
 * field names: never Junction's response text, which is untrusted and may quote PHI.
 */

/** Why Junction could not be used, as a stable code for logs and metrics. */
export type UnavailableReason =
  /** no answer within the per-attempt timeout */
  | 'timeout'
  /** connection refused, reset or closed */
  | 'network'
  /** 408, 429 or 5xx */
  | 'status'
  /** a retry met the first attempt still in progress at Junction (409 on the same key) */
  | 'in_progress'
  /** a 2xx or 3xx answer that is not the JSON we expect */
  | 'invalid_response'
  /** the circuit breaker is open after consecutive failures */
  | 'circuit_open';

export interface UnavailableDetails {
  reason: UnavailableReason;
  /**
   * True when a request may have reached Junction and its effect is unknown (a timeout or a
   * dropped connection after sending, or a 5xx on a write). Settle it by retrying with the same
   * idempotency key or by reconciliation, never by sending a new key.
   */
  outcomeUnknown: boolean;
  status?: number;
  /** Junction's Retry-After, in milliseconds, when it sent one. */
  retryAfterMs?: number;
}

export class JunctionUnavailableError extends Error implements UnavailableDetails {
  override readonly name = 'JunctionUnavailableError';
  readonly reason: UnavailableReason;
  readonly outcomeUnknown: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;

  constructor(details: UnavailableDetails) {
    super(`Junction is unavailable (${details.status === undefined ? details.reason : `HTTP ${details.status}`})`);
    this.reason = details.reason;
    this.outcomeUnknown = details.outcomeUnknown;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** Junction refused the request (a 4xx other than 408, 409 and 429): retrying will not help. */
export class JunctionRejectedError extends Error {
  override readonly name = 'JunctionRejectedError';

  constructor(
    readonly status: number,
    /** The request fields Junction named, e.g. `patient_address.zip`. */
    readonly fields: readonly string[],
    /** Junction's machine-readable error type, when it sent one, e.g. `client_user_id_already_exists`. */
    readonly code?: string,
  ) {
    super(`Junction rejected the request (HTTP ${status}${fields.length > 0 ? `: ${fields.join(', ')}` : ''})`);
  }
}

/** 409: the idempotency key was used with a different request, or is still in progress. */
export class JunctionConflictError extends Error {
  override readonly name = 'JunctionConflictError';
  readonly status = 409;

  constructor() {
    super('Junction reports a conflict on the idempotency key (HTTP 409)');
  }
}
