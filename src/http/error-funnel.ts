import type { NextFunction, Request, Response } from 'express';
import { errorLogFields, type Logger } from '../logger';
import { isServerProblem, toProblem, type Problem } from '../problems/problem';

/** Writes a Problem in one API's documented error shape. */
export type ErrorWriter = (problem: Problem, err: unknown, req: Request, res: Response) => void;

/** The paths below `prefix` answer errors with `write`. */
export interface ErrorScope {
  prefix: string;
  write: ErrorWriter;
}

/** Anything unmatched still gets a JSON body, never HTML. */
const plainWriter: ErrorWriter = (problem, _err, _req, res) => {
  res.status(problem.status).json({ error: problem.code, message: problem.message });
};

/** The single error handler: every thrown thing leaves in its scope's shape, 500s without internals. */
export function errorFunnel(scopes: readonly ErrorScope[], logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const problem = toProblem(err);
    if (isServerProblem(problem)) {
      logger.error({ requestId: req.requestId, ...errorLogFields(err) }, 'request failed');
    }
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
