import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger';

/** One line per request: ids, route template, status, duration; never bodies or query values. */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const route = (req.route as { path?: string } | undefined)?.path ?? req.baseUrl;
      logger.info({ requestId: req.requestId, tenantId: req.tenantId, method: req.method, route, status: res.statusCode, ms: Math.round(ms) }, 'request');
    });
    next();
  };
}
