/** SQLSTATE query_canceled: raised for a statement timeout and for a cancel request alike; the message tells them apart. */
const QUERY_CANCELED = '57014';

/** Whether an error is PostgreSQL cancelling a statement that ran past the connection's statement_timeout. */
export function isStatementTimeout(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 3) return false;
  const { code, message, cause } = err as { code?: unknown; message?: unknown; cause?: unknown };
  if (code === QUERY_CANCELED && typeof message === 'string' && message.includes('statement timeout')) return true;
  return isStatementTimeout(cause, depth + 1);
}
