import { anyInCauseChain } from './error-chain';

/** deadlock_detected and serialization_failure: PostgreSQL ended the transaction for another's sake. */
const CONFLICT_SQLSTATES = new Set(['40P01', '40001']);

/**
 * Whether PostgreSQL ended the request's transaction because it met another (a deadlock, a
 * serialization failure): nothing was written, and the same request sent again is likely to pass.
 */
export function isConcurrentConflict(err: unknown): boolean {
  return anyInCauseChain(err, ({ code }) => typeof code === 'string' && CONFLICT_SQLSTATES.has(code));
}
