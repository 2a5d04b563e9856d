import type { NextFunction, Request, Response } from 'express';
import { errorLogFields, type Logger } from '../logger';
import { toProblem, type Problem } from './problem';

/** Writes a Problem in one API family's documented error shape. */
export type ErrorWriter = (problem: Problem, err: unknown, req: Request, res: Response) => void;

export interface ErrorFamily {
  /** Path prefix the family owns, e.g. `/fhir` or `/v1/patients`. */
  prefix: string;
  write: ErrorWriter;
}

/** Anything unmatched still gets a JSON body, never HTML. */
const plainWriter: ErrorWriter = (problem, _err, _req, res) => {
  res.status(problem.status).json({ error: problem.code, message: problem.message });
};

/** The single error handler: every thrown thing leaves in its family's shape, 500s without internals. */
export function errorFunnel(families: readonly ErrorFamily[], logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const problem = toProblem(err);
    if (problem.status >= 500) {
      logger.error({ requestId: req.requestId, ...errorLogFields(err) }, 'request failed');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(problem.headers ?? {})) res.setHeader(name, value);
    familyOf(families, req.path)(problem, err, req, res);
  };
}

/** The writer for a path, also used for 404s on unknown routes. */
export function familyOf(families: readonly ErrorFamily[], path: string): ErrorWriter {
  return families.find((f) => path === f.prefix || path.startsWith(`${f.prefix}/`))?.write ?? plainWriter;
}
