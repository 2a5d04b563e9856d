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
 * a write per line: each write is a thread-pool round trip, some 30 µs of CPU whatever its size
 * (docs/performance.md). The writes stay asynchronous: a synchronous write waits whenever the
 * disk is busy with the database's own writes, and the whole event loop with it. The lines are
 * gathered here rather than by the destination's own `minLength`, which measures its whole
 * pending buffer again for every line it adds.
 */
class LineBlocks implements pino.DestinationStream {
  private lines: string[] = [];
  private chars = 0;
  private readonly out = pino.destination({ dest: 1, sync: false });

  constructor() {
    setInterval(() => {
      this.handOver();
    }, FLUSH_EVERY_MS).unref();
    process.prependListener('beforeExit', () => this.handOver());
    // Runs after the destination's exit hook has written what it holds: these lines are the newest.
    // The event loop has stopped, so they go through a synchronous writer (which still deals with
    // partial writes and a full pipe): an asynchronous write would never finish.
    process.on('exit', () => {
      if (this.lines.length > 0) pino.destination({ dest: 1, sync: true }).write(this.take());
    });
  }

  write(line: string): void {
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars >= BLOCK_CHARS) this.handOver();
  }

  /** What `logger.flush()` calls: the lines gathered so far go out now. */
  flush(done?: (err?: Error) => void): void {
    this.handOver();
    this.out.flush(done);
  }

  private handOver(): void {
    if (this.lines.length > 0) this.out.write(this.take());
  }

  private take(): string {
    const block = this.lines.join('');
    this.lines = [];
    this.chars = 0;
    return block;
  }
}

let stdoutBlocks: LineBlocks | undefined;
/** One per process, however many loggers write to stdout: one timer, one exit hook, lines in order. */
const bufferedStdout = (): pino.DestinationStream => (stdoutBlocks ??= new LineBlocks());

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
