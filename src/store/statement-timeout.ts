import { anyInCauseChain } from './error-chain';

/** SQLSTATE query_canceled: raised for a statement timeout and for a cancel request alike; the message tells them apart. */
const QUERY_CANCELED = '57014';

/** Whether an error is PostgreSQL cancelling a statement that ran past the connection's statement_timeout. */
export function isStatementTimeout(err: unknown): boolean {
  return anyInCauseChain(err, ({ code, message }) => code === QUERY_CANCELED && typeof message === 'string' && message.includes('statement timeout'));
}
