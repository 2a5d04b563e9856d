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

/** About 16 KB: with request lines of ~230 bytes, one write to stdout per ~70 requests. */
const BLOCK_CHARS = 16_000;
const FLUSH_EVERY_MS = 1000;

/**
 * Stdout written in blocks of about BLOCK_CHARS, at least once a second and at exit, instead of
 * a write per line (docs/performance.md). A block is one synchronous write, as pino's default
 * destination makes for every line: a few microseconds for 16 KB, where a thread-pool write
 * (pino's asynchronous destination) costs some 30 µs of CPU whatever its size. The lines are
 * gathered here rather than by the destination's own `minLength`, which measures its whole
 * pending buffer again for every line it adds.
 */
class LineBlocks implements pino.DestinationStream {
  private lines: string[] = [];
  private chars = 0;
  private readonly out = pino.destination({ dest: 1, sync: true });

  constructor() {
    setInterval(() => {
      this.flush();
    }, FLUSH_EVERY_MS).unref();
    process.on('exit', () => this.flush());
  }

  write(line: string): void {
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars >= BLOCK_CHARS) this.flush();
  }

  /** The lines gathered so far go out now (also what `logger.flush()` calls). */
  flush(done?: () => void): void {
    if (this.lines.length > 0) {
      this.out.write(this.lines.join(''));
      this.lines = [];
      this.chars = 0;
    }
    done?.();
  }
}

const bufferedStdout = (): pino.DestinationStream => new LineBlocks();

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
