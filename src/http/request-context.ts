import { randomFillSync } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
    /** The tenant the request acts for, once authentication has said. */
    tenantId?: string;
  }
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const ID_BYTES = 8;

/** Random bytes for many ids at once: one call into the system's generator per 512 requests, not one each. */
const pool = Buffer.alloc(ID_BYTES * 512);
let used = pool.length;

function newRequestId(): string {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += ID_BYTES;
  return `req_${pool.toString('hex', used - ID_BYTES, used)}`;
}

/** Request id, echoed from X-Request-Id when well-formed. */
export function requestContext() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.headers['x-request-id'];
    req.requestId = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : newRequestId();
    res.setHeader('X-Request-Id', req.requestId);
    next();
  };
}
