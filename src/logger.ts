import pino from 'pino';
import pinoPretty from 'pino-pretty';

/** `LOG_FORMAT`: `auto` is pretty on a terminal, JSON lines anywhere else (files, pipes, log shippers). */
export type LogFormatSetting = 'auto' | 'json' | 'pretty';
export type LogFormat = 'json' | 'pretty';

export function logFormatFor(setting: LogFormatSetting, stdoutIsTty: boolean): LogFormat {
  if (setting === 'auto') return stdoutIsTty ? 'pretty' : 'json';
  return setting;
}

/** Log fields that only the JSON form needs: the pretty form already shows them in the message. */
const PRETTY_HIDDEN = 'banner';

/**
 * Structured logs without PHI: request bodies, queries and headers that may carry
 * names, birth dates, emails, phones or credentials are never logged, and these paths
 * are redacted in case one slips into a log call.
 */
export function createLogger(level: string, destination?: pino.DestinationStream, format: LogFormat = 'json') {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'body', 'query', '*.email', '*.phone', '*.birthDate', '*.name'],
      censor: '[redacted]',
    },
  };
  // Redaction happens as pino serialises a line, before either form is written.
  if (format === 'pretty')
    return pino(
      options,
      pinoPretty({
        destination: destination ?? 1,
        sync: true,
        colorize: destination === undefined && pinoPretty.isColorSupported,
        translateTime: 'SYS:HH:MM:ss.l',
        singleLine: true,
        ignore: PRETTY_HIDDEN,
      }),
    );
  return pino(options, destination ?? bufferedStdout());
}

/**
 * Stdout written in blocks of up to 4 KB, at least once a second and at exit, instead of a
 * write per line: each write is a thread-pool round trip, some 30 µs of CPU per request line
 * on the benchmark machine (docs/performance.md).
 */
const bufferedStdout = (): pino.DestinationStream => pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 1000 });

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
