import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger';

/**
 * One line per request: request, tenant and caller (key id or token subject) ids, route template
 * (Express's, or `res.locals.route` from a handler that picks its own), status, duration; never
 * bodies, query values or credentials.
 */
export function requestLog(logger: Logger) {
  // The line's fields are set here and none of them is a redacted path: spare each line the redaction walk.
  const lines = logger.child({}, { redact: [] });
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const route = (res.locals.route as string | undefined) ?? (req.route as { path?: string } | undefined)?.path ?? req.baseUrl;
      const caller = req.principal?.subject;
      lines.info(
        { requestId: req.requestId, tenantId: req.tenantId, caller, method: req.method, route, status: res.statusCode, ms: Math.round(ms) },
        'request',
      );
    });
    next();
  };
}
