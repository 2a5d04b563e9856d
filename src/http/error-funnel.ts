import type { NextFunction, Request, Response } from 'express';
import { errorLogFields, type Logger } from '../logger';
import { concurrentConflictProblem, isServerProblem, timedOutProblem, toProblem, unavailableProblem, type Problem } from '../problems/problem';
import { throttledLog } from '../log-throttle';

/** Writes a Problem in one API's documented error shape. */
export type ErrorWriter = (problem: Problem, err: unknown, req: Request, res: Response) => void;

/** The paths below `prefix` answer errors with `write`. */
export interface ErrorScope {
  prefix: string;
  write: ErrorWriter;
}

/** How failures of the database itself are told from faults of a request. */
export interface OutagePolicy {
  isUnavailable(err: unknown): boolean;
  /** A statement cancelled by the statement timeout: answered 503 (`timeout`), logged as a warning with the route. */
  isTimedOut(err: unknown): boolean;
  /** A transaction PostgreSQL ended because it met another's (a deadlock): answered 409, logged as a warning with the route. */
  isConcurrentConflict(err: unknown): boolean;
  retryAfterSeconds: number;
  logIntervalMs: number;
}

/** Anything unmatched still gets a JSON body, never HTML. */
const plainWriter: ErrorWriter = (problem, _err, _req, res) => {
  res.status(problem.status).json({ error: problem.code, message: problem.message });
};

/**
 * The single error handler: every thrown thing leaves in its scope's shape, 500s without
 * internals, an unreachable database as a 503 with Retry-After, logged once per interval, and a
 * statement past the timeout as a 503 naming the route (never its query string, which may hold PHI),
 * a transaction ended by a deadlock as a 409 naming the route.
 */
export function errorFunnel(scopes: readonly ErrorScope[], logger: Logger, outage: OutagePolicy) {
  const unavailable = unavailableProblem(outage.retryAfterSeconds);
  const timedOut = timedOutProblem(outage.retryAfterSeconds);
  const concurrentConflict = concurrentConflictProblem();
  const logOutage = throttledLog(logger, 'error', 'database unavailable: answering 503', outage.logIntervalMs);
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const databaseDown = outage.isUnavailable(err);
    const tooSlow = !databaseDown && outage.isTimedOut(err);
    const metAnother = !databaseDown && !tooSlow && outage.isConcurrentConflict(err);
    const problem = databaseDown ? unavailable : tooSlow ? timedOut : metAnother ? concurrentConflict : toProblem(err);
    const route = { requestId: req.requestId, method: req.method, path: req.path };
    if (databaseDown) logOutage(errorLogFields(err));
    else if (tooSlow) logger.warn(route, 'statement timeout: answering 503');
    else if (metAnother) logger.warn({ ...route, errCode: errorLogFields(err).errCode }, 'transaction ended by a concurrent one: answering 409');
    else if (isServerProblem(problem)) logger.error({ requestId: req.requestId, ...errorLogFields(err) }, 'request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(problem.headers ?? {})) res.setHeader(name, value);
    writerFor(scopes, req.path)(problem, err, req, res);
  };
}

/** The writer for a path, also used for 404s on unknown routes. */
export function writerFor(scopes: readonly ErrorScope[], path: string): ErrorWriter {
  return scopes.find((s) => path === s.prefix || path.startsWith(`${s.prefix}/`))?.write ?? plainWriter;
}
