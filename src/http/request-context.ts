import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
    /** The tenant the request acts for, once authentication has said. */
    tenantId?: string;
  }
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Request id, echoed from X-Request-Id when well-formed. */
export function requestContext() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get('x-request-id');
    req.requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : `req_${randomBytes(8).toString('hex')}`;
    res.setHeader('X-Request-Id', req.requestId);
    next();
  };
}
