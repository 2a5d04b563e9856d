import { anyInCauseChain } from './error-chain';

/** SQLSTATEs that say the server cannot serve now (shutting down, starting, out of connections); class 08 is added below. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** node-postgres reports a connection lost mid-query or used after it broke by message only. */
const LOST_CONNECTION = /Connection terminated|not queryable|connection error/i;

/**
 * Whether an error means "the database cannot be reached or cannot serve now" — a reason to
 * answer 503 and let the client come back — rather than a fault of this request.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  return anyInCauseChain(err, ({ name, code, message }) => {
    // knex could not get a pooled connection in time: every connection is taken or none can be opened.
    if (name === 'KnexTimeoutError') return true;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    return typeof message === 'string' && LOST_CONNECTION.test(message);
  });
}
