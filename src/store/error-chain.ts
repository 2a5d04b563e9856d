/** What an error says of itself, read without trusting its class. */
export interface ErrorFields {
  name?: unknown;
  code?: unknown;
  message?: unknown;
}

/**
 * Whether the error, or one of the errors it wraps (`cause`, a few levels deep), meets `test`.
 * Duck-typed: errors raised by Node's sockets need not share this realm's Error.
 */
export function anyInCauseChain(err: unknown, test: (fields: ErrorFields) => boolean, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 3) return false;
  return test(err as ErrorFields) || anyInCauseChain((err as { cause?: unknown }).cause, test, depth + 1);
}
