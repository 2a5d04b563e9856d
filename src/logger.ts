import pino from 'pino';

/**
 * Structured logs without PHI: request bodies, queries and headers that may carry
 * names, birth dates, emails, phones or credentials are never logged, and these paths
 * are redacted in case one slips into a log call.
 */
export function createLogger(level: string, destination?: pino.DestinationStream) {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'body', 'query', '*.email', '*.phone', '*.birthDate', '*.name'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type Logger = ReturnType<typeof createLogger>;

/**
 * What is logged of an unexpected error: its name, code and stack frames — never its
 * message, which may quote request data (e.g. PostgreSQL's "invalid input syntax: <value>").
 */
export function errorLogFields(err: unknown): { errName?: string; errCode?: string; frames?: string } {
  const e = err as { name?: string; code?: string; stack?: string } | undefined;
  const frames = e?.stack
    ?.split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .join('\n');
  return { errName: e?.name, errCode: e?.code, frames };
}
